import { createBackendModule } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  accessChecksExtensionPoint,
  accessProvisionersExtensionPoint,
} from '@jit-access/plugin-access-node';
import {
  ALICE,
  createTestDatabases,
  DANA,
  ENTITIES,
  ERIN,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(120_000);

const databases = createTestDatabases();

/** The defaults of `access.limits.checkConcurrency` and `grantConcurrency`. */
const CHECK_BOUND = 8;
const GRANT_BOUND = 4;
const COUNT = 50;

/**
 * Counts calls in flight. Each call waits until one more call than `bound` is in flight
 * (which only unbounded code reaches) or `holdMs` passed, so calls overlap as much as the
 * code under test lets them.
 */
class InFlight {
  now = 0;
  max = 0;
  private waiting: Array<() => void> = [];

  constructor(private readonly bound: number, private readonly holdMs = 0) {}

  async run<T>(fn: () => T): Promise<T> {
    this.now++;
    this.max = Math.max(this.max, this.now);
    if (this.now > this.bound) this.waiting.splice(0).forEach(w => w());
    await new Promise<void>(resolve => {
      this.waiting.push(resolve);
      setTimeout(resolve, this.holdMs);
    });
    this.now--;
    return fn();
  }
}

let checks = new InFlight(CHECK_BOUND);
let grants = new InFlight(GRANT_BOUND);

const probes = createBackendModule({
  pluginId: 'access',
  moduleId: 'fan-out-probes',
  register(env) {
    env.registerInit({
      deps: {
        checkTypes: accessChecksExtensionPoint,
        provisionerTypes: accessProvisionersExtensionPoint,
      },
      async init({ checkTypes, provisionerTypes }) {
        checkTypes.addCheckType({
          type: 'probe',
          create: () => ({
            run: () =>
              checks.run(() => ({
                outcome: 'passed' as const,
                detail: 'on call',
              })),
          }),
        });
        provisionerTypes.addProvisionerType({
          type: 'probe',
          create: () => ({
            grant: () => grants.run(() => ({})),
            revoke: async () => {},
          }),
        });
      },
    });
  },
});

/** Resources each owned by a person of their own, so each becomes a request of its own. */
const FAN: Entity[] = Array.from({ length: COUNT }, (_, i) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: `fan-${i}`, namespace: 'default', labels: { env: 'fan' } },
  spec: { type: 'database', owner: `user:default/owner-${i}` },
  relations: [{ type: 'ownedBy', targetRef: `user:default/owner-${i}` }],
}));

const flow = (id: string, permission: string, approval: object) => ({
  id,
  title: id,
  requesters: ['group:default/engineering'],
  resources: {
    filter: { kind: 'Resource', 'metadata.labels.env': 'fan' },
    permissions: [permission],
  },
  // Every request's approvers: its owner, and the DBAs (dana and erin) on all of them.
  approval: {
    type: 'manual',
    approvers: ['owner', 'group:default/dba'],
    ...approval,
  },
  duration: { default: '1h', max: '4h' },
  justification: 'optional',
  provisioner: 'probe',
});

describe.each(databases.eachSupportedId())(
  'a submission of many requests on %s',
  databaseId => {
    let h: Awaited<ReturnType<typeof startAccessBackend>>;

    beforeAll(async () => {
      h = await startAccessBackend({
        knex: await databases.init(databaseId),
        entities: [...ENTITIES, ...FAN],
        access: {
          checks: { probe: { type: 'probe' } },
          provisioners: { probe: { type: 'probe' } },
          flows: [
            flow('checked', 'read', { autoApproveChecks: ['probe'] }),
            flow('asked', 'write', {}),
          ],
        },
        extraFeatures: [probes],
      });
    });
    afterAll(async () => {
      await h.backend.stop();
    });
    beforeEach(() => {
      checks = new InFlight(CHECK_BOUND);
      grants = new InFlight(GRANT_BOUND);
      h.sent.notifications.length = 0;
    });

    const submit = async (permission: string) => {
      const res = await h.api.post('/requests', {
        resources: FAN.map(e => ({
          entityRef: `resource:default/${e.metadata.name}`,
          permissions: [permission],
        })),
        justification: 'rehearsal',
      });
      expect(res.status).toBe(201);
      expect(res.body.items).toHaveLength(COUNT);
      return res.body.items as Array<{ status: string }>;
    };

    /** How many approver notices each person got. */
    const approverNotices = () => {
      const count = new Map<string, number>();
      for (const n of h.sent.notifications) {
        if (n.payload.topic !== 'access-approval') continue;
        for (const to of [n.recipients.entityRef].flat())
          count.set(to, (count.get(to) ?? 0) + 1);
      }
      return count;
    };

    it('runs at most checkConcurrency checks and grantConcurrency grants at once', async () => {
      checks = new InFlight(CHECK_BOUND, 250);
      grants = new InFlight(GRANT_BOUND, 250);
      const items = await submit('read');
      expect(items.map(i => i.status)).toEqual(Array(COUNT).fill('granted'));
      expect(checks.max).toBeLessThanOrEqual(CHECK_BOUND);
      expect(grants.max).toBeLessThanOrEqual(GRANT_BOUND);
      // Still in parallel, not one after the other.
      expect(checks.max).toBeGreaterThan(1);
      expect(grants.max).toBeGreaterThan(1);
    });

    it('tells each approver of requests decided at submission once, not once per request', async () => {
      await submit('read');
      const count = approverNotices();
      expect(count.get(DANA)).toBe(1);
      expect(count.get(ERIN)).toBe(1);
      expect(count.get('user:default/owner-7')).toBe(1);
      expect(count.has(ALICE)).toBe(false);
      const toDana = h.sent.notifications.find(n =>
        [n.recipients.entityRef].flat().includes(DANA),
      );
      expect(toDana.payload.title).toBe(
        `${COUNT} access requests from ${ALICE} were decided`,
      );
      expect(toDana.payload.description).toMatch(
        new RegExp(`^approved automatically: ${COUNT}\\. checked: `),
      );
    });

    it('asks each approver once for the whole submission', async () => {
      const items = await submit('write');
      expect(new Set(items.map(i => i.status))).toEqual(new Set(['pending']));
      const count = approverNotices();
      expect(count.get(DANA)).toBe(1);
      expect(count.get(ERIN)).toBe(1);
      expect(count.get('user:default/owner-7')).toBe(1);
      const toDana = h.sent.notifications.find(n =>
        [n.recipients.entityRef].flat().includes(DANA),
      );
      expect(toDana.payload).toMatchObject({
        title: `${COUNT} access requests from ${ALICE} need your approval`,
        link: '/access/approvals',
        topic: 'access-approval',
      });
      expect(toDana.payload.description).toMatch(
        /Justification \(from the requester\): rehearsal$/,
      );
      // An owner asked about one request gets that request's own notice, which its
      // decision later updates in place.
      const toOwner = h.sent.notifications.find(n =>
        [n.recipients.entityRef].flat().includes('user:default/owner-7'),
      );
      expect(toOwner.payload.title).toBe(
        `Access request from ${ALICE} needs your approval`,
      );
      expect(toOwner.payload.scope).toMatch(
        /^access-request:[0-9a-f-]+:approvers$/,
      );
    });
  },
);
