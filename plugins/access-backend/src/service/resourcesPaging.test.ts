import { RequestableResource } from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import {
  createTestDatabases,
  ENTITIES,
  resource,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const pad = (i: number) => String(i).padStart(2, '0');
/** 30 replicas; every third one's title (not its name) says "Billing". */
const REPLICAS = Array.from({ length: 30 }, (_, i) =>
  resource(
    `replica-${pad(i)}`,
    'database',
    'dev',
    'engineering',
    i % 3 === 0 ? `Billing replica ${i}` : `Ledger replica ${i}`,
  ),
);
/** "billing" in the name only. */
const BILLING_CACHE = resource(
  'billing-cache',
  'cache',
  'dev',
  'engineering',
  'Cache',
);
const CATALOG = [...ENTITIES, ...REPLICAS, BILLING_CACHE];
const ALL_RESOURCES = CATALOG.filter(e => e.kind === 'Resource')
  .map(e => `resource:default/${e.metadata.name}`)
  .sort();

describe.each(databases.eachSupportedId())(
  'GET /resources on %s',
  databaseId => {
    let h: Awaited<ReturnType<typeof startAccessBackend>>;

    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      h = await startAccessBackend({ knex, entities: CATALOG });
    });
    afterAll(async () => {
      await h.backend.stop();
    });

    /** Follows nextCursor to the end; returns the pages' entity refs. */
    async function allPages(query: string, limit: number) {
      const pages: string[][] = [];
      let next = `/resources?${query}${query ? '&' : ''}limit=${limit}`;
      for (;;) {
        const res = await h.api.get(next);
        expect(res.status).toBe(200);
        const items: RequestableResource[] = res.body.items;
        expect(items.length).toBeLessThanOrEqual(limit);
        pages.push(items.map(i => i.entityRef));
        if (!res.body.nextCursor) break;
        expect(pages.length).toBeLessThan(100);
        next = `/resources?cursor=${encodeURIComponent(
          res.body.nextCursor,
        )}&limit=${limit}`;
      }
      return pages;
    }

    it('narrows by name or title with q, whatever the case', async () => {
      const expected = [
        'resource:default/billing-cache',
        ...REPLICAS.filter(r => r.metadata.title!.startsWith('Billing')).map(
          r => `resource:default/${r.metadata.name}`,
        ),
      ].sort();
      expect(expected).toHaveLength(11);
      for (const q of ['billing', 'BILLING', ' Billing ']) {
        const res = await h.api.get(`/resources?q=${encodeURIComponent(q)}`);
        expect(res.status).toBe(200);
        expect(res.body.nextCursor).toBeUndefined();
        expect(
          res.body.items.map((i: RequestableResource) => i.entityRef).sort(),
        ).toEqual(expected);
      }
      const one = await h.api.get('/resources?q=orders-db-stag');
      expect(
        one.body.items.map((i: RequestableResource) => i.entityRef),
      ).toEqual(['resource:default/orders-db-staging']);
      expect(
        (await h.api.get('/resources?q=no-such-thing')).body.items,
      ).toEqual([]);
    });

    it('pages through every result once with cursor and limit', async () => {
      const pages = await allPages('', 4);
      expect(pages).toHaveLength(Math.ceil(ALL_RESOURCES.length / 4));
      expect(pages.slice(0, -1).every(p => p.length === 4)).toBe(true);
      const seen = pages.flat();
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(ALL_RESOURCES);
      // In name order across pages.
      expect(seen).toEqual(
        [...seen].sort((a, b) =>
          a.split('/')[1].localeCompare(b.split('/')[1]),
        ),
      );
    });

    it('keeps the search term across pages', async () => {
      const pages = await allPages('q=replica', 7);
      expect(pages.map(p => p.length)).toEqual([7, 7, 7, 7, 2]);
      expect(pages.flat()).toEqual(
        REPLICAS.map(r => `resource:default/${r.metadata.name}`),
      );
    });

    const withCursor = (cursor: string, rest = '', who = 'alice') =>
      h.api.get(
        `/resources?limit=4&cursor=${encodeURIComponent(cursor)}${rest}`,
        who,
      );

    async function firstCursor(query = '') {
      const res = await h.api.get(`/resources?limit=4${query}`);
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toEqual(expect.any(String));
      return res.body.nextCursor as string;
    }

    it('refuses a catalog cursor made by the client (a query of its own choosing)', async () => {
      // The in-memory catalog's cursor format: users, in e-mail order.
      const crafted = Buffer.from(
        JSON.stringify({
          filter: { kind: 'user' },
          orderFields: [{ field: 'spec.profile.email', order: 'asc' }],
          offset: 0,
          totalItems: 7,
        }),
      ).toString('base64');
      const res = await withCursor(crafted);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        'Invalid query: cursor: not a cursor this API returned to you; start again without a cursor',
      );
    });

    it('refuses a cursor that was changed, or issued to someone else', async () => {
      const cursor = await firstCursor();
      expect((await withCursor(cursor)).status).toBe(200);

      const [body, mac] = cursor.split('.');
      const position = JSON.parse(Buffer.from(body, 'base64url').toString());
      const moved = Buffer.from(
        JSON.stringify({ ...position, offset: 0, type: 'cache' }),
      ).toString('base64url');
      expect((await withCursor(`${moved}.${mac}`)).status).toBe(400);
      expect((await withCursor(`${body}.${mac.slice(1)}A`)).status).toBe(400);
      expect((await withCursor(body)).status).toBe(400);

      const asBob = await withCursor(cursor, '', 'bob');
      expect(asBob.status).toBe(400);
      expect(asBob.body.error.message).toMatch(/^Invalid query: cursor: /);
    });

    it('takes the search from the cursor: repeated is fine, changed is a 400', async () => {
      const cursor = await firstCursor('&q=replica');
      const same = await withCursor(cursor, '&q=replica');
      expect(same.status).toBe(200);
      expect(
        same.body.items.map((i: RequestableResource) => i.entityRef),
      ).toEqual(
        REPLICAS.slice(4, 8).map(r => `resource:default/${r.metadata.name}`),
      );
      const other = await withCursor(cursor, '&q=billing');
      expect(other.status).toBe(400);
      expect(other.body.error.message).toBe(
        'Invalid query: cursor: belongs to another search (q differs); start again without a cursor',
      );
    });

    it('accepts a cursor on another replica of the same database', async () => {
      const cursor = await firstCursor();
      const other = await startAccessBackend({ knex, entities: CATALOG });
      try {
        const res = await other.api.get(
          `/resources?limit=4&cursor=${encodeURIComponent(cursor)}`,
        );
        expect(res.status).toBe(200);
        expect(
          res.body.items.map((i: RequestableResource) => i.entityRef),
        ).toEqual(ALL_RESOURCES.slice(4, 8));
      } finally {
        await other.backend.stop();
      }
    });
  },
);
