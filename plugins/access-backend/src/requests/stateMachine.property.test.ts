import { createBackendModule } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  ACCESS_REQUEST_STATUSES,
  AccessRequestStatus,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';
import fc from 'fast-check';
import { readFileSync } from 'fs';
import { Knex } from 'knex';
import { resolve } from 'path';
import { accessProvisionersExtensionPoint } from '@jit-access/plugin-access-node';
import {
  AccessTestBackend,
  BUNDLES,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';
import {
  EXPIRY_TASK_ID,
  PENDING_TIMEOUT_TASK_ID,
} from '../tasks/scheduleTasks';
import { canTransition, TRANSITIONS } from './stateMachine';

jest.setTimeout(120_000);

const status = fc.constantFrom(...ACCESS_REQUEST_STATUSES);

/** The transitions drawn in docs/concepts.md (mermaid), without the start and end markers. */
function documentedTransitions(): string[] {
  const md = readFileSync(
    resolve(__dirname, '../../../../docs/concepts.md'),
    'utf8',
  );
  const diagram = /```mermaid\s*\nstateDiagram-v2\n([\s\S]*?)```/.exec(md);
  if (!diagram) throw new Error('no state diagram in docs/concepts.md');
  return [...diagram[1].matchAll(/^\s*(\w+) --> (\w+)/gm)]
    .map(m => `${m[1]}->${m[2]}`)
    .sort();
}

describe('the state machine itself', () => {
  it('is the one documented in concepts.md', () => {
    const code = Object.entries(TRANSITIONS)
      .flatMap(([from, tos]) => tos.map(to => `${from}->${to}`))
      .sort();
    expect(code).toEqual(documentedTransitions());
  });

  it('has no way out of a terminal status and no self-loops', () => {
    fc.assert(
      fc.property(status, status, (from, to) => {
        expect(canTransition(from, to)).toBe(TRANSITIONS[from].includes(to));
        expect(
          TERMINAL_STATUSES.includes(from) && canTransition(from, to),
        ).toBe(false);
        expect(canTransition(from, from)).toBe(false);
      }),
    );
  });

  it('ends every random walk in a terminal status, and never leaves it', () => {
    fc.assert(
      fc.property(fc.array(status, { maxLength: 30 }), attempts => {
        let s: AccessRequestStatus = 'pending';
        const seen: AccessRequestStatus[] = [s];
        for (const to of attempts) {
          if (!canTransition(s, to)) continue;
          s = to;
          seen.push(s);
        }
        // Once terminal, nothing followed; and a walk is at most pending→granting→granted→end.
        const firstEnd = seen.findIndex(x => TERMINAL_STATUSES.includes(x));
        expect([-1, seen.length - 1]).toContain(firstEnd);
        expect(seen.length).toBeLessThanOrEqual(4);
        expect(new Set(seen).size).toBe(seen.length);
      }),
    );
    // Every non-terminal status can still end.
    expect(
      ACCESS_REQUEST_STATUSES.filter(
        x => !TERMINAL_STATUSES.includes(x) && TRANSITIONS[x].length === 0,
      ),
    ).toEqual([]);
  });
});

/**
 * The real service, driven over HTTP with random sequences of actions by random people,
 * including ones who may not act: whatever happens, the stored status is legal, its audit
 * trail is a chain of legal transitions ending in that status, terminal stays terminal, and
 * a refused action changes nothing.
 */
describe('random action sequences on the real service (SQLite)', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let h: AccessTestBackend;
  let knex: Knex;
  let actions = 0;
  const codes = new Map<number, number>();
  const seen = new Set<string>();

  // A provisioner the sequence can break and mend: failed grants and failed revocations too.
  let broken = false;
  const fail = async () => {
    if (broken) throw new Error('target system down');
  };
  const toggleProvisioner = createBackendModule({
    pluginId: 'access',
    moduleId: 'toggle-provisioner',
    register(env) {
      env.registerInit({
        deps: { provisioners: accessProvisionersExtensionPoint },
        async init({ provisioners }) {
          provisioners.addProvisionerType({
            type: 'toggle',
            create: () => ({
              grant: async () => {
                await fail();
                return {};
              },
              revoke: fail,
              extend: fail,
            }),
          });
        },
      });
    },
  });

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    h = await startAccessBackend({
      knex,
      access: {
        flows: FLOWS.map(f =>
          ['staging-db', 'prod-db'].includes(f.id)
            ? { ...f, provisioner: 'toggle' }
            : f,
        ),
        bundles: BUNDLES,
        provisioners: { toggle: { type: 'toggle' } },
      },
      extraFeatures: [toggleProvisioner],
    });
  });
  afterAll(async () => {
    await h?.backend.stop();
  });

  type Who = 'requester' | 'approver' | 'approver2' | 'admin' | 'other';
  const SCENARIOS = {
    // manual, one approval of olivia / dana / erin
    manual: {
      requester: 'alice',
      item: { entityRef: 'resource:default/orders-db', permissions: ['read'] },
      approvers: ['dana', 'erin'],
    },
    // manual, two approvals of dana / erin
    twoApprovals: {
      requester: 'alice',
      item: { entityRef: 'resource:default/orders-db', permissions: ['admin'] },
      approvers: ['dana', 'erin'],
    },
    // automatic: granted at once (or failed), extensions applied at once
    automatic: {
      requester: 'alice',
      item: {
        entityRef: 'resource:default/orders-db-staging',
        permissions: ['read'],
      },
      approvers: ['dana', 'erin'], // not approvers of this flow
    },
    // break-glass: granted at once, reviewed by pat (also an admin)
    breakglass: {
      requester: 'sam',
      item: {
        entityRef: 'resource:default/prod-eks',
        permissions: ['cluster-admin'],
      },
      approvers: ['pat', 'dana'],
    },
  };
  type Scenario = keyof typeof SCENARIOS;

  // Mostly people who may act, so sequences get somewhere; the others must change nothing.
  const who = fc.oneof(
    { arbitrary: fc.constantFrom<Who>('requester', 'approver'), weight: 3 },
    {
      arbitrary: fc.constantFrom<Who>('approver2', 'admin', 'other'),
      weight: 1,
    },
  );
  const action = fc.oneof(
    fc.record({ kind: fc.constant('approve' as const), by: who }),
    fc.record({ kind: fc.constant('reject' as const), by: who }),
    fc.record({ kind: fc.constant('cancel' as const), by: who }),
    fc.record({ kind: fc.constant('revoke' as const), by: who }),
    fc.record({
      kind: fc.constant('extend' as const),
      by: who,
      seconds: fc.integer({ min: 1, max: 3 * 3600 }),
    }),
    fc.record({ kind: fc.constant('again' as const), by: who }),
    // Time passes and the expiry task runs (provisioner "none": revocations succeed).
    fc.record({
      kind: fc.constant('time' as const),
      seconds: fc.integer({ min: 60, max: 10 * 3600 }),
    }),
    // Long enough for the pending timeout (7 days) to end what nobody decided.
    fc.record({ kind: fc.constant('timeout' as const) }),
    fc.record({
      kind: fc.constant('provisioner' as const),
      broken: fc.boolean(),
    }),
  );
  type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

  async function row(id: string) {
    return knex('access_requests').where({ id }).first();
  }
  async function trail(id: string) {
    return knex('access_audit')
      .where({ request_id: id })
      .orderBy('id')
      .select('action', 'from_status', 'to_status');
  }

  /** The audit entries that change status form a legal chain ending in `status`. */
  function checkChain(
    entries: { action: string; from_status?: string; to_status?: string }[],
    stored: string,
  ) {
    const changes = entries.filter(e => e.to_status);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes[0].from_status ?? null).toBeNull();
    expect(['pending', 'granting']).toContain(changes[0].to_status);
    for (let i = 1; i < changes.length; i++) {
      const { from_status: from, to_status: to } = changes[i];
      expect(from).toBe(changes[i - 1].to_status);
      if (!canTransition(from as any, to as any))
        throw new Error(`illegal ${from} -> ${to} (${changes[i].action})`);
    }
    expect(changes[changes.length - 1].to_status).toBe(stored);
  }

  async function act(
    scenario: Scenario,
    id: string,
    a: Action,
  ): Promise<number> {
    const s = SCENARIOS[scenario];
    if (a.kind === 'time') {
      h.clock.advance(a.seconds);
      await h.scheduler.run(EXPIRY_TASK_ID);
      return 0;
    }
    if (a.kind === 'provisioner') {
      broken = a.broken;
      return 0;
    }
    if (a.kind === 'timeout') {
      h.clock.advance(8 * 86400);
      await h.scheduler.run(PENDING_TIMEOUT_TASK_ID);
      await h.scheduler.run(EXPIRY_TASK_ID);
      return 0;
    }
    const user = {
      requester: s.requester,
      approver: s.approvers[0],
      approver2: s.approvers[1],
      admin: 'pat',
      other: 'bob',
    }[a.by];
    const body = {
      approve: { comment: 'ok' },
      reject: { reason: 'no' },
      cancel: {},
      revoke: { reason: 'done' },
      extend: {
        durationSeconds: a.kind === 'extend' ? a.seconds : 0,
        justification: 'more',
      },
      again: { justification: 'again' },
    }[a.kind];
    const res = await h.api.post(`/requests/${id}/${a.kind}`, body, user);
    return res.status;
  }

  it('never reaches an illegal state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Scenario>(
          'manual',
          'twoApprovals',
          'automatic',
          'breakglass',
        ),
        fc.array(action, { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        async (scenario, steps, startBroken) => {
          broken = startBroken;
          const s = SCENARIOS[scenario];
          const submitted = await h.api.post(
            '/requests',
            { resources: [s.item], justification: 'property' },
            s.requester,
          );
          expect(submitted.status).toBe(201);
          const id: string = submitted.body.items[0].id;
          let before = await row(id);
          seen.add(before.status);
          let beforeTrail = await trail(id);
          checkChain(beforeTrail, before.status);

          for (const step of steps) {
            const code = await act(scenario, id, step);
            actions++;
            codes.set(code, (codes.get(code) ?? 0) + 1);
            expect(code).toBeLessThan(500);
            const after = await row(id);
            const afterTrail = await trail(id);
            expect(ACCESS_REQUEST_STATUSES).toContain(after.status);
            seen.add(after.status);
            checkChain(afterTrail, after.status);
            // Terminal stays terminal.
            expect(
              TERMINAL_STATUSES.includes(before.status) &&
                after.status !== before.status,
            ).toBe(false);
            // A refused call changes neither the request nor its trail.
            expect({ code, after, trail: afterTrail }).toEqual(
              code >= 400
                ? { code, after: before, trail: beforeTrail }
                : { code, after, trail: afterTrail },
            );
            // The trail only grows: history is never rewritten.
            expect(afterTrail.slice(0, beforeTrail.length)).toEqual(
              beforeTrail,
            );
            before = after;
            beforeTrail = afterTrail;
          }
        },
      ),
      { numRuns: 100 },
    );

    // Every request the runs made (requests "again" included) has a legal trail.
    const all = await knex('access_requests').select('id', 'status');
    for (const r of all) checkChain(await trail(r.id), r.status);

    // eslint-disable-next-line no-console
    console.log(
      `state machine: ${actions} actions on ${
        all.length
      } requests; answers ${JSON.stringify(
        Object.fromEntries(codes),
      )} (0: time passing or a provisioner change); statuses seen: ${[...seen]
        .sort()
        .join(', ')}`,
    );
    // The runs went somewhere: waiting, active and several kinds of ended requests.
    expect([...seen]).toEqual(expect.arrayContaining(['pending', 'granted']));
    expect(
      TERMINAL_STATUSES.filter(t => seen.has(t)).length,
    ).toBeGreaterThanOrEqual(3);
  });
});
