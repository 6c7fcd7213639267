import {
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  AccessCheckContext,
  AccessCheckOutcome,
  accessChecksExtensionPoint,
} from '@jit-access/plugin-access-node';
import { Knex } from 'knex';
import { prodDbFlow } from '../__testUtils__/checkFixtures';
import { editableCatalog } from '../__testUtils__/editableCatalog';
import {
  createTestDatabases,
  ENTITIES,
  ORDERS,
  startAccessBackend,
} from '../__testUtils__/harness';
import { REVERIFY_TASK_ID } from '../tasks/scheduleTasks';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ANNOTATION = 'pagerduty.com/service-id';
const BILLING = 'resource:default/billing-db';

/** A prod database with a PagerDuty service, next to the harness's (which have none). */
const billingDb: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'billing-db',
    namespace: 'default',
    labels: { env: 'prod' },
    annotations: { [ANNOTATION]: 'PBILL01' },
  },
  spec: { type: 'database', owner: 'group:default/payments' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/payments' }],
};

/**
 * A check that, like PagerDuty's on-call check with `entityService: true`, answers `failed`
 * for a requested entity without the service annotation, and otherwise what the test sets.
 */
const entityCheck = {
  answer: { outcome: 'passed', detail: 'on call' } as AccessCheckOutcome,
  contexts: [] as AccessCheckContext[],
  onRun: () => {},
};
const entityCheckModule = createBackendModule({
  pluginId: 'access',
  moduleId: 'test-entity-oncall',
  register(env) {
    env.registerInit({
      deps: { checks: accessChecksExtensionPoint },
      async init({ checks }) {
        checks.addCheckType({
          type: 'test-entity-oncall',
          create: () => ({
            reverify: true,
            async run(ctx) {
              entityCheck.contexts.push(ctx);
              entityCheck.onRun();
              const missing = ctx.resources.filter(
                r => !r.entity?.metadata.annotations?.[ANNOTATION],
              );
              if (missing.length) {
                return {
                  outcome: 'failed',
                  detail: `${missing
                    .map(r => r.entityRef)
                    .join(', ')} has no ${ANNOTATION} annotation`,
                };
              }
              return entityCheck.answer;
            },
          }),
        });
      },
    });
  },
});

/**
 * The in-memory catalog, which goes down on demand: entity reads fail once `reads` of
 * them have been answered (Infinity: never). Its entities can be replaced.
 */
const outage = { reads: Infinity };
const READS = ['getEntityByRef', 'getEntitiesByRefs', 'getEntities'];
function flakyCatalog(catalog: ReturnType<typeof editableCatalog>) {
  const real = catalog.service;
  return createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () =>
      new Proxy(real, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function' || !READS.includes(String(prop)))
            return value;
          return async (...args: unknown[]) => {
            if (outage.reads <= 0) throw new Error('catalog down');
            outage.reads--;
            return value.apply(target, args);
          };
        },
      }),
  });
}

/** A scheduler that records each task with its settings; the test runs them with its own signal. */
function recordingScheduler() {
  const tasks = new Map<
    string,
    { frequency: unknown; timeout: unknown; fn: (s: AbortSignal) => any }
  >();
  const factory = createServiceFactory({
    service: coreServices.scheduler,
    deps: {},
    factory: () =>
      ({
        async scheduleTask(task: any) {
          tasks.set(task.id, task);
        },
        createScheduledTaskRunner() {
          return { run: async (task: any) => void tasks.set(task.id, task) };
        },
        async triggerTask() {},
        async getScheduledTasks() {
          return [];
        },
      } as any),
  });
  return { tasks, factory };
}

const ACCESS = {
  checks: { oncall: { type: 'test-entity-oncall' } },
  flows: [
    prodDbFlow('gated', { type: 'manual', requiredChecks: ['oncall'] }),
    prodDbFlow('oncall-or-human', {
      type: 'manual',
      autoApproveChecks: ['oncall'],
    }),
  ],
  // no `reverify`: the default frequency applies
};

describe.each(databases.eachSupportedId())(
  'checks when the catalog fails, and the re-verification task, on %s',
  databaseId => {
    let h: Awaited<ReturnType<typeof startAccessBackend>>;
    let knex: Knex;
    let scheduler: ReturnType<typeof recordingScheduler>;
    let catalog: ReturnType<typeof editableCatalog>;

    const start = (s: ReturnType<typeof recordingScheduler>) =>
      startAccessBackend({
        knex,
        access: ACCESS,
        catalog: flakyCatalog(catalog),
        scheduler: s.factory,
        extraFeatures: [entityCheckModule],
      });

    beforeEach(async () => {
      entityCheck.answer = { outcome: 'passed', detail: 'on call' };
      entityCheck.contexts = [];
      entityCheck.onRun = () => {};
      outage.reads = Infinity;
      knex = await databases.init(databaseId);
      catalog = editableCatalog([...ENTITIES, billingDb]);
      scheduler = recordingScheduler();
      h = await start(scheduler);
    });
    afterEach(async () => {
      await h.backend.stop();
    });

    const ask = (permission: string, entityRef = BILLING, who = 'alice') =>
      h.api.post(
        '/requests',
        {
          resources: [{ entityRef, permissions: [permission] }],
          justification: 'INC-7',
        },
        who,
      );
    const reverify = (signal = new AbortController().signal) =>
      scheduler.tasks.get(REVERIFY_TASK_ID)!.fn(signal);

    it('re-verifies every 5 minutes by default, for at most 5 minutes a run', () => {
      expect(scheduler.tasks.get(REVERIFY_TASK_ID)).toMatchObject({
        frequency: { seconds: 300 },
        timeout: { minutes: 5 },
      });
    });

    it('tells a missing annotation (failed) from an entity the catalog could not load (error)', async () => {
      const noAnnotation = (await ask('gated', ORDERS)).body.items[0];
      expect(noAnnotation).toMatchObject({
        status: 'rejected',
        endReason: `Required check "oncall" failed: ${ORDERS} has no ${ANNOTATION} annotation`,
      });

      // the submission reads the entities once; the catalog is down when the check needs them
      outage.reads = 1;
      entityCheck.contexts = [];
      const res = await ask('gated');
      expect(res.status).toBe(201);
      const r = res.body.items[0];
      expect(r).toMatchObject({
        status: 'rejected',
        checks: [{ checkId: 'oncall', outcome: 'error' }],
      });
      expect(r.endReason).toMatch(
        /^Could not verify required check "oncall": could not load the requested entities from the catalog \(.*catalog down/,
      );
      // the check was not asked with a context missing the entity
      expect(entityCheck.contexts).toEqual([]);
      outage.reads = Infinity;
      const audit = (await h.api.get(`/audit?requestId=${r.id}`, 'pat')).body
        .items;
      expect(
        audit.find((e: any) => e.action === 'request-rejected-by-checks')
          .details.checks,
      ).toEqual([
        { id: 'oncall', outcome: 'error', detail: r.checks[0].detail },
      ]);
    });

    it('revokes nothing while the catalog is down, and tells the check it re-verifies', async () => {
      const r = (await ask('oncall-or-human')).body.items[0];
      expect(r).toMatchObject({ status: 'granted' });
      expect(entityCheck.contexts[0].reverifying).toBeUndefined();

      // past the directory's cache, every catalog read fails
      h.clock.advance(60);
      outage.reads = 0;
      entityCheck.contexts = [];
      await reverify();
      expect(entityCheck.contexts).toEqual([]);
      outage.reads = Infinity;
      expect((await h.api.get(`/requests/${r.id}`)).body.status).toBe(
        'granted',
      );
      const audit = (await h.api.get(`/audit?requestId=${r.id}`, 'pat')).body
        .items;
      expect(audit[0]).toMatchObject({
        action: 'reverify-error',
        details: { check: 'oncall' },
      });
      expect(audit[0].details.detail).toMatch(
        /could not load the (requester|requested entities) from the catalog/,
      );

      // the catalog is back: the check runs, told that it re-verifies
      await reverify();
      expect(entityCheck.contexts.map(c => c.reverifying)).toEqual([true]);
      expect((await h.api.get(`/requests/${r.id}`)).body.status).toBe(
        'granted',
      );
    });

    it('stops between grants when the scheduler aborts the run', async () => {
      for (const who of ['alice', 'bob']) {
        const res = await ask('oncall-or-human', BILLING, who);
        expect(res.body.items[0].status).toBe('granted');
      }
      const controller = new AbortController();
      entityCheck.contexts = [];
      entityCheck.onRun = () => controller.abort();
      await reverify(controller.signal);
      expect(entityCheck.contexts).toHaveLength(1);

      entityCheck.onRun = () => {};
      entityCheck.contexts = [];
      await reverify();
      expect(entityCheck.contexts).toHaveLength(2);
    });

    it('resumes where the last run stopped, on any replica, and wraps around at the end', async () => {
      const ids: string[] = [];
      for (const who of ['alice', 'bob', 'alice']) {
        const r = (await ask('oncall-or-human', BILLING, who)).body.items[0];
        expect(r.status).toBe('granted');
        ids.push(r.id);
      }
      ids.sort(); // the order the task walks the grants in
      const checkedIn = async (
        run: (signal: AbortSignal) => Promise<unknown>,
        stopAfter = Infinity,
      ) => {
        const controller = new AbortController();
        entityCheck.contexts = [];
        entityCheck.onRun = () => {
          if (entityCheck.contexts.length >= stopAfter) controller.abort();
        };
        await run(controller.signal);
        return entityCheck.contexts.map(c => c.requestId);
      };

      // a run the scheduler stops after one grant; the next goes on from the second
      expect(await checkedIn(reverify, 1)).toEqual([ids[0]]);
      // ...also when another replica runs it
      const other = recordingScheduler();
      const h2 = await start(other);
      try {
        expect(
          await checkedIn(s => other.tasks.get(REVERIFY_TASK_ID)!.fn(s), 1),
        ).toEqual([ids[1]]);
      } finally {
        await h2.backend.stop();
      }
      // an unhindered run checks every grant once: from the third, round to the second
      expect(await checkedIn(reverify)).toEqual([ids[2], ids[0], ids[1]]);
      expect(await checkedIn(reverify)).toEqual([ids[2], ids[0], ids[1]]);
    });

    it('revokes the grant of a requester deleted from the catalog without asking the check', async () => {
      const r = (await ask('oncall-or-human')).body.items[0];
      expect(r.status).toBe('granted');
      catalog.set(
        [...ENTITIES, billingDb].filter(e => e.metadata.name !== 'alice'),
      );
      h.clock.advance(60); // past the directory's cache
      entityCheck.contexts = [];

      await reverify();
      expect(entityCheck.contexts.map(c => c.requestId)).toEqual([]);
      const now = (await h.api.get(`/requests/${r.id}`, 'pat')).body;
      expect(now).toMatchObject({
        status: 'revoked',
        endReason: `No longer passes check "oncall": the requester user:default/alice is no longer in the catalog`,
      });
      expect(now.checks[now.checks.length - 1]).toMatchObject({
        checkId: 'oncall',
        outcome: 'failed',
      });
    });
  },
);
