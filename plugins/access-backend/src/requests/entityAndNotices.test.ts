import {
  createTestDatabases,
  startAccessBackend,
} from '../__testUtils__/harness';
import { EXPIRY_TASK_ID } from '../tasks/scheduleTasks';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ORDERS = 'resource:default/orders-db';
const STAGING = 'resource:default/orders-db-staging';

describe.each(databases.eachSupportedId())(
  'entity page and notices on %s',
  databaseId => {
    let h: Awaited<ReturnType<typeof startAccessBackend>>;

    beforeEach(async () => {
      h = await startAccessBackend({ knex: await databases.init(databaseId) });
    });
    afterEach(async () => {
      await h.backend.stop();
    });

    const ask = async (who: string, entityRef: string, permission = 'read') => {
      const res = await h.api.post(
        '/requests',
        {
          resources: [{ entityRef, permissions: [permission] }],
          justification: 'x',
        },
        who,
      );
      expect(res.status).toBe(201);
      return res.body.items[0];
    };

    it('tells the entity page what the caller may request and holds, and shows holders only to owners and admins', async () => {
      const granted = await ask('alice', STAGING);
      const pending = await ask('alice', ORDERS);
      await ask('bob', STAGING);

      const alice = (await h.api.get(`/entity-access?entityRef=${STAGING}`))
        .body;
      expect(alice).toMatchObject({
        entityRef: STAGING,
        covered: true,
        canSeeHolders: false,
      });
      expect(
        alice.permissions.map((p: any) => `${p.permission}@${p.flowId}`),
      ).toEqual(['read@staging-db', 'write@staging-db']);
      expect(alice.mine.map((r: any) => r.id)).toEqual([granted.id]);
      expect(alice.holders).toBeUndefined();

      // olivia is in payments, which owns orders-db-staging
      const owner = (
        await h.api.get(`/entity-access?entityRef=${STAGING}`, 'olivia')
      ).body;
      expect(owner.canSeeHolders).toBe(true);
      expect(owner.holders.map((r: any) => r.requester).sort()).toEqual([
        'user:default/alice',
        'user:default/bob',
      ]);
      expect(owner.mine).toEqual([]);

      const ordersForAlice = (
        await h.api.get(`/entity-access?entityRef=${ORDERS}`)
      ).body;
      expect(ordersForAlice.mine.map((r: any) => r.status)).toEqual([
        'pending',
      ]);
      expect(ordersForAlice.mine[0].id).toBe(pending.id);

      // history: owners and admins only
      expect(
        (
          await h.api.get(
            `/entity-access/history?entityRef=${STAGING}`,
            'alice',
          )
        ).status,
      ).toBe(403);
      const history = await h.api.get(
        `/entity-access/history?entityRef=${STAGING}&limit=1`,
        'pat',
      );
      expect(history.body.items).toHaveLength(1);
      const next = await h.api.get(
        `/entity-access/history?entityRef=${STAGING}&limit=1&cursor=${history.body.nextCursor}`,
        'pat',
      );
      expect(next.body.items).toHaveLength(1);
      expect(next.body.nextCursor).toBeUndefined();
    });

    it('says when no flow covers an entity, and answers 404 / 400 for unknown or bad refs', async () => {
      const group = (
        await h.api.get('/entity-access?entityRef=group:default/dba')
      ).body;
      expect(group).toMatchObject({
        covered: false,
        permissions: [],
        mine: [],
      });
      expect(
        (await h.api.get('/entity-access?entityRef=resource:default/nope'))
          .status,
      ).toBe(404);
      const bad = await h.api.get('/entity-access?entityRef=resource:default/');
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('entityRef');
    });

    it('lists what an approver decided', async () => {
      const a = await ask('alice', ORDERS);
      const b = await ask('bob', ORDERS, 'write');
      await h.api.post(`/requests/${a.id}/approve`, {}, 'dana');
      await h.api.post(`/requests/${b.id}/reject`, { reason: 'no' }, 'dana');
      await ask('alice', ORDERS, 'write');
      const decided = (await h.api.get('/requests?view=decided', 'dana')).body
        .items;
      expect(
        decided
          .map((r: any) => `${r.id === a.id ? 'a' : 'b'}:${r.status}`)
          .sort(),
      ).toEqual(['a:granted', 'b:rejected']);
      expect(
        (await h.api.get('/requests?view=decided', 'erin')).body.items,
      ).toEqual([]);
    });

    it("updates the approvers' notice in place once a request is decided", async () => {
      const r = await ask('alice', ORDERS);
      await h.api.post(`/requests/${r.id}/approve`, {}, 'olivia');
      const toApprovers = h.sent.notifications.filter(
        n => n.payload.topic === 'access-approval',
      );
      expect(toApprovers.map(n => n.payload.scope)).toEqual([
        `access-request:${r.id}:approvers`,
        `access-request:${r.id}:approvers`,
      ]);
      expect(toApprovers[1].payload.title).toBe(
        'Access request from user:default/alice was approved by user:default/olivia',
      );
      expect(toApprovers[0].recipients.excludeEntityRef).toBe(
        'user:default/alice',
      );
    });

    it('tells the holder once, 15 minutes before access ends, and again after an extension', async () => {
      const r = await ask('alice', STAGING);
      const expiring = () =>
        h.sent.notifications.filter(
          n => n.payload.scope === `access-request:${r.id}:access-expiring`,
        );
      h.clock.advance(3600 - 16 * 60);
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect(expiring()).toHaveLength(0);
      h.clock.advance(2 * 60);
      await h.scheduler.run(EXPIRY_TASK_ID);
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect(expiring()).toHaveLength(1);
      expect(expiring()[0].payload.title).toBe(
        'Your access ends in 14 minutes: extend it on My Access if you still need it',
      );
      await h.api.post(`/requests/${r.id}/extend`, {
        durationSeconds: 3600,
        justification: '',
      });
      h.clock.advance(3600);
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect(expiring()).toHaveLength(2);
    });
  },
);
