import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  accessProvisionersExtensionPoint,
  ProvisionerRequest,
} from '@jit-access/plugin-access-node';
import {
  AccessTestBackend,
  createTestDatabases,
  FLOWS,
  startAccessBackend,
  TestClock,
} from '../__testUtils__/harness';
import {
  EXPIRY_TASK_ID,
  PENDING_TIMEOUT_TASK_ID,
} from '../tasks/scheduleTasks';

jest.setTimeout(90_000);

const databases = createTestDatabases();

type Step = 'grant' | 'revoke' | 'extend';
type Moment = 'before' | 'after';

/**
 * The target system, shared by every backend "process" of a test: which grants exist and
 * until when. Its calls are idempotent per request id, as provisioners must be.
 */
const target = {
  grants: new Map<string, string>(),
  effects: { grant: 0, revoke: 0, extend: 0 },
  calls: { grant: 0, revoke: 0, extend: 0 },
  /** The next call of this step hangs for good at this moment: the process "dies". */
  crash: undefined as { step: Step; at: Moment } | undefined,
  /** The next grant does its work, then throws. */
  failAfterGrant: false,
  hung: [] as (() => void)[],
};

async function maybeCrash(step: Step, at: Moment) {
  if (target.crash?.step === step && target.crash.at === at) {
    target.crash = undefined;
    await new Promise<void>(resolve => target.hung.push(resolve));
  }
}

const targetProvisioner = createBackendModule({
  pluginId: 'access',
  moduleId: 'crash-target',
  register(env) {
    env.registerInit({
      deps: { provisioners: accessProvisionersExtensionPoint },
      async init({ provisioners }) {
        provisioners.addProvisionerType({
          type: 'crash-target',
          create: () => ({
            async grant(r: ProvisionerRequest) {
              target.calls.grant++;
              await maybeCrash('grant', 'before');
              if (!target.grants.has(r.requestId)) target.effects.grant++;
              target.grants.set(r.requestId, r.expiresAt);
              await maybeCrash('grant', 'after');
              if (target.failAfterGrant) {
                target.failAfterGrant = false;
                throw new Error(
                  'quota check failed after the user was created',
                );
              }
              return {};
            },
            async revoke(r: ProvisionerRequest) {
              target.calls.revoke++;
              await maybeCrash('revoke', 'before');
              if (target.grants.delete(r.requestId)) target.effects.revoke++;
              await maybeCrash('revoke', 'after');
            },
            async extend(r: ProvisionerRequest) {
              target.calls.extend++;
              await maybeCrash('extend', 'before');
              if (!target.grants.has(r.requestId))
                throw new Error('no such grant');
              if (target.grants.get(r.requestId) !== r.expiresAt)
                target.effects.extend++;
              target.grants.set(r.requestId, r.expiresAt);
              await maybeCrash('extend', 'after');
            },
          }),
        });
      },
    });
  },
});

async function until(check: () => boolean, what: string) {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

describe.each(databases.eachSupportedId())(
  'crash recovery of provisioner calls on %s',
  databaseId => {
    const STAGING = {
      resources: [
        {
          entityRef: 'resource:default/orders-db-staging',
          permissions: ['read'],
        },
      ],
      durationSeconds: 3600,
    };
    let knex: Awaited<ReturnType<typeof databases.init>>;
    let clock: TestClock;
    const started: AccessTestBackend[] = [];
    const start = async () => {
      const h = await startAccessBackend({
        knex,
        clock,
        access: {
          flows: [{ ...FLOWS[0], provisioner: 'target' }],
          provisioners: { target: { type: 'crash-target' } },
        },
        extraFeatures: [targetProvisioner],
      });
      started.push(h);
      return h;
    };

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      clock = new TestClock();
      target.grants.clear();
      target.effects = { grant: 0, revoke: 0, extend: 0 };
      target.calls = { grant: 0, revoke: 0, extend: 0 };
      target.crash = undefined;
      target.failAfterGrant = false;
      target.hung = [];
    });

    afterEach(async () => {
      // The "dead" process wakes up late, as a stalled replica would: it must change nothing.
      target.hung.forEach(wake => wake());
      await new Promise(r => setTimeout(r, 50));
      for (const h of started.splice(0)) await h.backend.stop();
    });

    const audit = async (id: string) =>
      (await knex('access_audit').where({ request_id: id }).orderBy('id')).map(
        (e: any) => e.action,
      );
    const row = async (id: string) =>
      knex('access_requests').where({ id }).first();
    const settle = () => new Promise(r => setTimeout(r, 50));

    /** Starts a request on `first` whose grant call dies at `at`; returns its id. */
    async function grantThatDies(first: AccessTestBackend, at: Moment) {
      target.crash = { step: 'grant', at };
      first.api.post('/requests', STAGING).then(
        () => {},
        () => {},
      );
      await until(() => target.hung.length === 1, 'the grant call');
      return (await knex('access_requests').first()).id as string;
    }

    it.each(['before', 'after'] as const)(
      'grant: the process dies %s the target was changed; a restart grants exactly once',
      async at => {
        const first = await start();
        const id = await grantThatDies(first, at);
        expect((await row(id)).status).toBe('granting');
        expect(target.effects.grant).toBe(at === 'after' ? 1 : 0);

        const second = await start();
        clock.advance(5 * 60 + 1);
        await second.scheduler.run(PENDING_TIMEOUT_TASK_ID);
        expect((await row(id)).status).toBe('granted');
        expect(target.grants.has(id)).toBe(true);

        // The dead process's call returns at last: still one grant, one audit entry.
        target.hung.forEach(wake => wake());
        await settle();
        expect(target.effects.grant).toBe(1);
        expect((await row(id)).status).toBe('granted');
        expect(await audit(id)).toEqual([
          'request-submitted',
          'access-granted',
        ]);
      },
    );

    it('grant: a call that returns after the request ended is undone in the target', async () => {
      const first = await start();
      const id = await grantThatDies(first, 'before');
      const second = await start();
      clock.advance(5 * 60 + 1);
      await second.scheduler.run(PENDING_TIMEOUT_TASK_ID);
      await second.api.post(`/requests/${id}/revoke`, {}).expect(200);
      expect(target.grants.has(id)).toBe(false);

      // The stalled replica now creates the grant again in the target...
      target.hung.forEach(wake => wake());
      await until(() => target.calls.revoke === 2, 'the undo');
      await settle();
      // ...and undoes it, because the request had ended.
      expect(target.grants.has(id)).toBe(false);
      expect((await row(id)).status).toBe('revoked');
      expect(await audit(id)).toEqual([
        'request-submitted',
        'access-granted',
        'revoke-requested',
        'access-revoked',
        'late-grant-undo',
        'grant-cleanup-done',
      ]);
    });

    it.each(['before', 'after'] as const)(
      'revoke: the process dies %s the target was changed; a restart revokes exactly once',
      async at => {
        const first = await start();
        const [r] = (await first.api.post('/requests', STAGING)).body.items;
        target.crash = { step: 'revoke', at };
        first.api.post(`/requests/${r.id}/revoke`, {}).then(
          () => {},
          () => {},
        );
        await until(() => target.hung.length === 1, 'the revoke call');
        expect((await row(r.id)).status).toBe('granted');
        expect(target.grants.has(r.id)).toBe(at === 'before');

        const second = await start();
        await second.scheduler.run(EXPIRY_TASK_ID);
        expect((await row(r.id)).status).toBe('revoked');
        expect(target.grants.has(r.id)).toBe(false);

        target.hung.forEach(wake => wake());
        await settle();
        expect(target.effects.revoke).toBe(1);
        expect(await audit(r.id)).toEqual([
          'request-submitted',
          'access-granted',
          'revoke-requested',
          'access-revoked',
        ]);
      },
    );

    it.each(['before', 'after'] as const)(
      'expiry: the process dies %s the target was changed; a restart ends the grant once',
      async at => {
        const first = await start();
        const [r] = (await first.api.post('/requests', STAGING)).body.items;
        clock.advance(3600);
        target.crash = { step: 'revoke', at };
        first.scheduler.run(EXPIRY_TASK_ID).catch(() => {});
        await until(() => target.hung.length === 1, 'the revoke call');
        expect((await row(r.id)).status).toBe('granted');

        const second = await start();
        await second.scheduler.run(EXPIRY_TASK_ID);
        expect((await row(r.id)).status).toBe('expired');
        expect(target.grants.has(r.id)).toBe(false);

        target.hung.forEach(wake => wake());
        await settle();
        expect(target.effects.revoke).toBe(1);
        expect(await audit(r.id)).toEqual([
          'request-submitted',
          'access-granted',
          'access-expired',
        ]);
      },
    );

    it.each(['before', 'after'] as const)(
      'failed grant: the process dies %s undoing the partial grant; a restart finishes the undo',
      async at => {
        const first = await start();
        target.failAfterGrant = true;
        target.crash = { step: 'revoke', at };
        first.api.post('/requests', STAGING).then(
          () => {},
          () => {},
        );
        await until(() => target.hung.length === 1, 'the undo call');
        const { id } = await knex('access_requests').first();
        expect((await row(id)).status).toBe('failed');

        const second = await start();
        await second.scheduler.run(EXPIRY_TASK_ID);
        expect(target.grants.has(id)).toBe(false);
        expect(JSON.parse((await row(id)).ending ?? 'null')).toBeNull();

        target.hung.forEach(wake => wake());
        await settle();
        expect(target.effects).toMatchObject({ grant: 1, revoke: 1 });
        expect(await audit(id)).toEqual([
          'request-submitted',
          'grant-failed',
          'grant-cleanup-done',
        ]);
      },
    );

    it.each(['before', 'after'] as const)(
      'extend: the process dies %s the target was changed; a restart extends it',
      async at => {
        const first = await start();
        const [r] = (await first.api.post('/requests', STAGING)).body.items;
        target.crash = { step: 'extend', at };
        first.api
          .post(`/requests/${r.id}/extend`, {
            durationSeconds: 600,
            justification: '',
          })
          .then(
            () => {},
            () => {},
          );
        await until(() => target.hung.length === 1, 'the extend call');
        const extended = new Date(Number((await row(r.id)).expires_at));

        const second = await start();
        await second.scheduler.run(EXPIRY_TASK_ID);
        expect(target.grants.get(r.id)).toBe(extended.toISOString());
        expect((await row(r.id)).extend_retry_at).toBeNull();
        expect(target.effects.extend).toBe(1);
      },
    );
  },
);
