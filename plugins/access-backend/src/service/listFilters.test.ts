import { AccessRequest } from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import { resolve } from 'path';
import {
  AccessTestBackend,
  createTestDatabases,
  startAccessBackend,
} from '../__testUtils__/harness';
import { indexesOf } from '../__testUtils__/indexes';

// GET /requests with the requester, entityRef and flowId filters, on every engine: what
// each filter returns is checked against the unfiltered listing, and paging with a filter
// against the same listing read in one page.

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ORDERS = 'resource:default/orders-db';
const STAGING = 'resource:default/orders-db-staging';
const ANALYTICS = 'resource:default/analytics-db';
const EKS = 'resource:default/prod-eks';
const MIGRATIONS = resolve(__dirname, '../../migrations');
const FLOW_MIGRATION = '20261129000500_flow_index.js';

type Item = Pick<
  AccessRequest,
  'id' | 'requester' | 'flowId' | 'status' | 'resources' | 'createdAt'
>;

describe.each(databases.eachSupportedId())(
  'GET /requests filters on %s',
  databaseId => {
    let h: AccessTestBackend;
    /** Every request, newest first, as the admin's unfiltered listing returns them. */
    let all: Item[] = [];

    async function submit(
      who: string,
      resources: { entityRef: string; permissions: string[] }[],
    ) {
      const res = await h.api.post(
        '/requests',
        { resources, justification: 'filters' },
        who,
      );
      expect(res.status).toBe(201);
    }

    beforeAll(async () => {
      h = await startAccessBackend({ knex: await databases.init(databaseId) });
      // Several submissions share a millisecond (the clock only moves when told), so
      // pages also break inside runs of equal creation times.
      await submit('alice', [{ entityRef: ORDERS, permissions: ['read'] }]);
      await submit('alice', [{ entityRef: STAGING, permissions: ['read'] }]);
      h.clock.advance(1);
      // One submission, two flows: two requests with the same creation time.
      await submit('alice', [
        { entityRef: ANALYTICS, permissions: ['read'] },
        { entityRef: EKS, permissions: ['read'] },
      ]);
      await submit('bob', [
        { entityRef: ORDERS, permissions: ['write'] },
        { entityRef: ANALYTICS, permissions: ['write'] },
      ]);
      for (let i = 0; i < 5; i++) {
        if (i % 2) h.clock.advance(1);
        await submit('bob', [{ entityRef: ORDERS, permissions: ['read'] }]);
      }
      await submit('bob', [{ entityRef: STAGING, permissions: ['write'] }]);
      h.clock.advance(1);
      await submit('sam', [{ entityRef: EKS, permissions: ['cluster-admin'] }]);
      await submit('sam', [{ entityRef: ORDERS, permissions: ['read'] }]);
      await submit('olivia', [{ entityRef: ANALYTICS, permissions: ['read'] }]);
      const res = await h.api.get('/requests?view=all&limit=200', 'pat');
      all = res.body.items ?? [];
      if (res.status !== 200 || all.length !== 15)
        throw new Error(`fixtures: ${res.status}, ${all.length} requests`);
    });
    afterAll(async () => {
      await h.backend.stop();
    });

    const ids = (items: Item[]) => items.map(i => i.id);
    const names = (r: Item) => r.resources.map(x => x.entityRef);

    /** The filtered listing, one page. */
    async function list(query: string, who = 'pat'): Promise<Item[]> {
      const res = await h.api.get(`/requests?${query}&limit=200`, who);
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeUndefined();
      return res.body.items;
    }

    /** Follows nextCursor to the end with small pages; returns every item in order. */
    async function pages(query: string, limit: number, who = 'pat') {
      const seen: Item[] = [];
      let cursor: string | undefined;
      let count = 0;
      do {
        const res = await h.api.get(
          `/requests?${query}&limit=${limit}${
            cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
          }`,
          who,
        );
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(limit);
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
        count++;
        expect(count).toBeLessThan(50);
      } while (cursor);
      return { items: seen, count };
    }

    it.each([
      [
        'requester=user:default/bob',
        (r: Item) => r.requester === 'user:default/bob',
        8,
      ],
      // A bare name or another case names the same user.
      ['requester=Bob', (r: Item) => r.requester === 'user:default/bob', 8],
      [
        'requester=default%2Fsam',
        (r: Item) => r.requester === 'user:default/sam',
        2,
      ],
      [`entityRef=${ORDERS}`, (r: Item) => names(r).includes(ORDERS), 8],
      // Case and a missing namespace do not matter, as everywhere entity refs are compared.
      [
        'entityRef=Resource:Default/Orders-DB',
        (r: Item) => names(r).includes(ORDERS),
        8,
      ],
      [
        'entityRef=resource:analytics-db',
        (r: Item) => names(r).includes(ANALYTICS),
        3,
      ],
      ['flowId=prod-db', (r: Item) => r.flowId === 'prod-db', 9],
      ['flowId=staging-db', (r: Item) => r.flowId === 'staging-db', 2],
    ])('view=all&%s', async (query, wanted, n) => {
      const items = await list(`view=all&${query}`);
      const expected = all.filter(wanted);
      expect(expected).toHaveLength(n);
      expect(ids(items)).toEqual(ids(expected));
    });

    it.each([
      [
        'requester=alice&status=granted',
        (r: Item) =>
          r.requester === 'user:default/alice' && r.status === 'granted',
        1,
      ],
      [
        `entityRef=${ORDERS}&status=pending`,
        (r: Item) => names(r).includes(ORDERS) && r.status === 'pending',
        8,
      ],
      [
        'flowId=staging-db&status=pending,granted',
        (r: Item) => r.flowId === 'staging-db',
        2,
      ],
      [
        'flowId=prod-db&status=granted',
        (r: Item) => r.flowId === 'prod-db' && r.status === 'granted',
        0,
      ],
      [
        `requester=bob&entityRef=${ANALYTICS}&flowId=prod-db&status=pending`,
        (r: Item) =>
          r.requester === 'user:default/bob' &&
          names(r).includes(ANALYTICS) &&
          r.flowId === 'prod-db' &&
          r.status === 'pending',
        1,
      ],
      [
        `requester=sam&entityRef=${EKS}`,
        (r: Item) =>
          r.requester === 'user:default/sam' && names(r).includes(EKS),
        1,
      ],
    ])('view=all&%s (combined)', async (query, wanted, n) => {
      const items = await list(`view=all&${query}`);
      const expected = all.filter(wanted);
      expect(expected).toHaveLength(n);
      expect(ids(items)).toEqual(ids(expected));
    });

    it('answers unknown but well-formed values with no requests', async () => {
      expect(await list('view=all&flowId=no-such-flow')).toEqual([]);
      expect(await list('view=all&requester=user:default/nobody')).toEqual([]);
      expect(await list('view=all&entityRef=resource:default/nope')).toEqual(
        [],
      );
    });

    it('treats an empty filter as none, like status', async () => {
      expect(ids(await list('view=all&requester=&entityRef=&flowId='))).toEqual(
        ids(all),
      );
    });

    it.each([
      ['requester=bob', (r: Item) => r.requester === 'user:default/bob'],
      [`entityRef=${ORDERS}`, (r: Item) => names(r).includes(ORDERS)],
      ['flowId=prod-db', (r: Item) => r.flowId === 'prod-db'],
      [
        `entityRef=${ORDERS}&requester=bob&status=pending`,
        (r: Item) =>
          names(r).includes(ORDERS) &&
          r.requester === 'user:default/bob' &&
          r.status === 'pending',
      ],
    ])('pages view=all&%s without gaps or repeats', async (query, wanted) => {
      const expected = ids(all.filter(wanted));
      expect(expected.length).toBeGreaterThan(4);
      for (const limit of [1, 2, 3]) {
        const { items, count } = await pages(`view=all&${query}`, limit);
        expect(ids(items)).toEqual(expected);
        expect(count).toBe(Math.ceil(expected.length / limit));
      }
    });

    describe('bad filters are a 400 that names the field', () => {
      it.each([
        [
          'requester=group:default/dba',
          'requester: "group:default/dba" is not a user entity ref',
        ],
        ['requester=a:b:c:d', 'requester: "a:b:c:d" is not a user entity ref'],
        ['requester=user:default/', 'requester:'],
        ['requester=%00', 'requester: must not contain null characters'],
        ['requester=alice&requester=bob', 'requester: Expected string'],
        [
          'entityRef=orders-db',
          'entityRef: "orders-db" is not an entity ref like resource:default/orders-db',
        ],
        ['entityRef=resource:default/a%20b', 'entityRef:'],
        ['flowId=Prod%20DB', 'flowId: must be a flow id, like prod-db'],
        ['flowId=prod-db%27%20OR%201%3D1', 'flowId: must be a flow id'],
      ])('view=all&%s', async (query, message) => {
        const res = await h.api.get(`/requests?view=all&${query}`, 'pat');
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(message);
      });

      it('refuses a ref longer than 400 characters', async () => {
        const res = await h.api.get(
          `/requests?view=all&entityRef=resource:default/${'x'.repeat(401)}`,
          'pat',
        );
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(
          'entityRef: at most 400 characters',
        );
      });

      it('refuses filters on view=favorites (a list of stars, not a search)', async () => {
        const res = await h.api.get('/requests?view=favorites&flowId=prod-db');
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(
          'flowId: filters do not apply to view=favorites',
        );
      });
    });

    it('still refuses view=all to non-admins, filtered or not', async () => {
      for (const who of ['alice', 'dana', 'olivia']) {
        for (const query of [
          'view=all',
          `view=all&requester=user:default/${who}`,
          `view=all&entityRef=${ORDERS}&flowId=prod-db&status=pending`,
        ]) {
          const res = await h.api.get(`/requests?${query}`, who);
          expect(res.status).toBe(403);
          expect(res.body.error.message).toContain('access.admin');
        }
      }
    });

    it('narrows the other views without widening them', async () => {
      // mine: only one's own, whatever requester is asked for.
      expect(await list('view=mine&requester=bob', 'alice')).toEqual([]);
      const mine = await list('view=mine&flowId=staging-db', 'alice');
      expect(mine.map(r => [r.requester, r.flowId])).toEqual([
        ['user:default/alice', 'staging-db'],
      ]);
      const aliceAll = all.filter(r => r.requester === 'user:default/alice');
      expect(ids(await list(`view=mine&entityRef=${EKS}`, 'alice'))).toEqual(
        ids(aliceAll.filter(r => names(r).includes(EKS))),
      );

      // approvals: the queue (no status) and the listing (with status) alike.
      const queue = await list('view=approvals', 'dana');
      expect(queue.length).toBeGreaterThan(5);
      for (const query of [
        'view=approvals&requester=alice',
        'view=approvals&requester=alice&status=pending',
      ]) {
        const got = await list(query, 'dana');
        expect(ids(got)).toEqual(
          ids(queue.filter(r => r.requester === 'user:default/alice')),
        );
        expect(got.length).toBeGreaterThan(0);
      }
      const analytics = await list(
        `view=approvals&entityRef=${ANALYTICS}&flowId=prod-db`,
        'dana',
      );
      expect(ids(analytics)).toEqual(
        ids(
          queue.filter(
            r => names(r).includes(ANALYTICS) && r.flowId === 'prod-db',
          ),
        ),
      );
      expect(analytics.length).toBe(2);
      // The queue pages with a filter too.
      const paged = await pages('view=approvals&requester=bob', 2, 'dana');
      expect(ids(paged.items)).toEqual(
        ids(queue.filter(r => r.requester === 'user:default/bob')),
      );
      expect(paged.count).toBeGreaterThan(1);
      // Not an approver of these: a filter does not add anything.
      expect(await list(`view=approvals&requester=sam`, 'alice')).toEqual([]);
    });

    it('narrows view=decided', async () => {
      const [target] = all.filter(
        r => r.requester === 'user:default/bob' && r.flowId === 'prod-db',
      );
      const res = await h.api.post(
        `/requests/${target.id}/approve`,
        {},
        'dana',
      );
      expect(res.status).toBe(200);
      expect(ids(await list('view=decided&requester=bob', 'dana'))).toEqual([
        target.id,
      ]);
      expect(await list('view=decided&requester=alice', 'dana')).toEqual([]);
      expect(
        ids(await list(`view=decided&entityRef=${STAGING}`, 'dana')),
      ).toEqual([]);
    });
  },
);

describe.each(databases.eachSupportedId())(
  'the flow index migration on %s',
  databaseId => {
    let knex: Knex;
    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: MIGRATIONS });
    });

    const indexes = () => indexesOf(knex, 'access_requests');

    it('adds access_requests_flow_idx, and takes it away again', async () => {
      expect(await indexes()).toContain('access_requests_flow_idx');
      // by name: later migrations stay where they are
      await knex.migrate.down({ directory: MIGRATIONS, name: FLOW_MIGRATION });
      expect(await indexes()).not.toContain('access_requests_flow_idx');
      await knex.migrate.up({ directory: MIGRATIONS, name: FLOW_MIGRATION });
      expect(await indexes()).toContain('access_requests_flow_idx');
    });
  },
);
