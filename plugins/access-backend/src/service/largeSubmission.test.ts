import {
  AccessRequest,
  MAX_REQUEST_ITEMS as MAX_ITEMS,
} from '@jit-access/plugin-access-common';
import {
  BUNDLES,
  createTestDatabases,
  ENTITIES,
  FLOWS,
  resource,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(120_000);

const databases = createTestDatabases();

const range = (n: number, name: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => name(i));
/** 1,000 resources that four (flow, approver set) pairs decide. */
const STAGING = range(400, i => `stg-db-${i}`);
const PROD_DBA = range(150, i => `prod-db-dba-${i}`);
const PROD_PAYMENTS = range(150, i => `prod-db-pay-${i}`);
const SANDBOXES = range(300, i => `sandbox-${i}`);
const CATALOG = [
  ...ENTITIES,
  ...STAGING.map(n => resource(n, 'database', 'staging', 'payments')),
  ...PROD_DBA.map(n => resource(n, 'database', 'prod', 'dba')),
  ...PROD_PAYMENTS.map(n => resource(n, 'database', 'prod', 'payments')),
  ...SANDBOXES.map(n => resource(n, 'cloud-account', 'dev', 'payments')),
];
const ref = (name: string) => `resource:default/${name}`;

describe.each(databases.eachSupportedId())(
  'a submission of the most items on %s',
  databaseId => {
    let h: Awaited<ReturnType<typeof startAccessBackend>>;

    beforeAll(async () => {
      h = await startAccessBackend({
        knex: await databases.init(databaseId),
        entities: CATALOG,
        // The default per-user limits (access.limits) let a full submission through.
        access: { flows: FLOWS, bundles: BUNDLES, limits: {} },
      });
    });
    afterAll(async () => {
      await h.backend.stop();
    });

    it('accepts exactly 1,000 items across several flows as one group', async () => {
      // Interleaved, so the grouping (not the input order) makes the split.
      const names = [...STAGING, ...PROD_DBA, ...PROD_PAYMENTS, ...SANDBOXES]
        .map((n, i) => ({ n, k: (i * 7919) % 1000 }))
        .sort((a, b) => a.k - b.k)
        .map(x => x.n);
      expect(names).toHaveLength(MAX_ITEMS);
      expect(new Set(names).size).toBe(MAX_ITEMS);

      const res = await h.api.post('/requests', {
        resources: names.map(n => ({
          entityRef: ref(n),
          permissions: ['read'],
        })),
        justification: 'migration rehearsal',
      });
      expect(res.status).toBe(201);
      const items: AccessRequest[] = res.body.items;

      expect(new Set(items.map(i => i.groupId)).size).toBe(1);
      const refsOf = (list: AccessRequest[]) =>
        list.flatMap(i => i.resources.map(r => r.entityRef)).sort();
      expect(refsOf(items)).toEqual(names.map(ref).sort());
      expect(
        items.every(i =>
          i.resources.every(r => r.permissions.join() === 'read'),
        ),
      ).toBe(true);

      // One request per flow and approver set.
      const split = items
        .map(i => ({
          flowId: i.flowId,
          approvers: i.approvers,
          status: i.status,
          count: i.resources.length,
        }))
        .sort((a, b) =>
          `${a.flowId}${a.approvers}`.localeCompare(
            `${b.flowId}${b.approvers}`,
          ),
        );
      expect(split).toEqual([
        {
          flowId: 'any-resource',
          approvers: ['user:default/olivia'],
          status: 'pending',
          count: 300,
        },
        {
          flowId: 'prod-db',
          approvers: ['user:default/dana', 'user:default/erin'],
          status: 'pending',
          count: 150,
        },
        {
          flowId: 'prod-db',
          approvers: [
            'user:default/dana',
            'user:default/erin',
            'user:default/olivia',
          ],
          status: 'pending',
          count: 150,
        },
        { flowId: 'staging-db', approvers: [], status: 'granted', count: 400 },
      ]);
      const byFlow = (id: string) => refsOf(items.filter(i => i.flowId === id));
      expect(byFlow('staging-db')).toEqual(STAGING.map(ref).sort());
      expect(byFlow('prod-db')).toEqual(
        [...PROD_DBA, ...PROD_PAYMENTS].map(ref).sort(),
      );
      expect(byFlow('any-resource')).toEqual(SANDBOXES.map(ref).sort());

      // What was stored is what was answered.
      const mine = await h.api.get('/requests?view=mine&limit=200');
      expect(
        mine.body.items
          .filter((i: AccessRequest) => i.groupId === items[0].groupId)
          .map((i: AccessRequest) => i.id)
          .sort(),
      ).toEqual(items.map(i => i.id).sort());
    });
  },
);
