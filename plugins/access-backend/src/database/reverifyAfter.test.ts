import { Knex } from 'knex';
import { resolve } from 'path';
import { createTestDatabases } from '../__testUtils__/harness';
import { requestRecord } from '../__testUtils__/requestRecord';
import { AccessStore } from './AccessStore';
import { NewRequestRecord } from './types';

// The `reverify_after` column: what the re-verification task reads (grants a re-verifying
// check holds up, from when it does) and the migration that adds it, on every engine.

jest.setTimeout(60_000);

const databases = createTestDatabases();
const MIGRATIONS = resolve(__dirname, '../../migrations');
const MIGRATION = '20261129000600_reverify_after.js';
const T0 = Date.parse('2026-12-01T08:00:00Z');
const HOUR = 3600_000;

function request(id: string): NewRequestRecord {
  return requestRecord(id, {
    flowId: 'oncall-or-human',
    flowTitle: 'oncall-or-human',
    provisioner: 'test',
    durationSeconds: 8 * 3600,
    status: 'granted',
    extensionsAllowed: 1,
    createdAt: T0,
    grantedAt: T0,
    expiresAt: T0 + 8 * HOUR,
  });
}

describe.each(databases.eachSupportedId())(
  'reverify_after on %s',
  databaseId => {
    let knex: Knex;
    let store: AccessStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: MIGRATIONS });
      store = new AccessStore(knex);
      // a: the check approved it (re-verified from the start); b: a person approved the
      // first eight hours, the check the rest; c: a person approved it, no check involved
      for (const id of ['a', 'b', 'c'])
        await store.requests.insertRequest(knex, request(id));
      const update = (
        id: string,
        patch: Parameters<AccessStore['requests']['updateRequest']>[3],
      ) =>
        store.requests.updateRequest(
          knex,
          id,
          { status: 'granted' },
          patch,
          T0,
        );
      await update('a', { approvedByCheck: 'oncall' });
      await update('b', {
        approvedByCheck: 'oncall',
        reverifyAfter: T0 + 8 * HOUR,
        expiresAt: T0 + 11 * HOUR,
      });
    });

    const found = async (now: number, afterId?: string, limit = 100) =>
      (
        await store.requests.findGrantsApprovedBy(
          ['oncall'],
          afterId,
          limit,
          now,
        )
      ).map(r => r.id);

    it('maps the column', async () => {
      expect(await store.requests.getRequest('b')).toMatchObject({
        approvedByCheck: 'oncall',
        reverifyAfter: T0 + 8 * HOUR,
      });
      expect(
        (await store.requests.getRequest('a'))!.reverifyAfter,
      ).toBeUndefined();
    });

    it('leaves out grants that stand on a person until reverify_after', async () => {
      expect(await found(T0 + HOUR)).toEqual(['a']);
      expect(await found(T0 + 8 * HOUR - 1)).toEqual(['a']);
      expect(await found(T0 + 8 * HOUR)).toEqual(['a', 'b']);
      // paging goes on past a grant left out
      expect(await found(T0 + 9 * HOUR, undefined, 1)).toEqual(['a']);
      expect(await found(T0 + 9 * HOUR, 'a', 1)).toEqual(['b']);
      expect(await found(T0 + 9 * HOUR, 'b', 1)).toEqual([]);
    });

    it('adds the column, and takes it away again', async () => {
      expect(
        await knex.schema.hasColumn('access_requests', 'reverify_after'),
      ).toBe(true);
      await knex.migrate.down({ directory: MIGRATIONS, name: MIGRATION });
      expect(
        await knex.schema.hasColumn('access_requests', 'reverify_after'),
      ).toBe(false);
      // the rows stay, and the check index still finds them
      expect(
        await knex('access_requests')
          .where({ status: 'granted', approved_by_check: 'oncall' })
          .orderBy('id')
          .pluck('id'),
      ).toEqual(['a', 'b']);
      await knex.migrate.up({ directory: MIGRATIONS, name: MIGRATION });
      expect(
        await knex.schema.hasColumn('access_requests', 'reverify_after'),
      ).toBe(true);
      expect(
        (await store.requests.getRequest('b'))!.reverifyAfter,
      ).toBeUndefined();
    });
  },
);
