import { Knex } from 'knex';
import { resolve } from 'path';
import { createTestDatabases } from '../__testUtils__/harness';
import { requestRecord } from '../__testUtils__/requestRecord';
import { AccessStore } from './AccessStore';
import { NewRequestRecord } from './types';

// The `extension_round` column: a request stored before it existed keeps the round its
// pending extension's votes carry (`extensions_used`), so an upgrade neither drops nor
// double-counts them.

jest.setTimeout(60_000);

const databases = createTestDatabases();
const MIGRATIONS = resolve(__dirname, '../../migrations');
const MIGRATION = '20261206000200_extension_round.js';
const T0 = Date.parse('2026-12-06T08:00:00Z');

function request(id: string, extensionsUsed: number): NewRequestRecord {
  return requestRecord(id, {
    status: 'granted',
    approvers: ['user:default/dana'],
    extensionsUsed,
    extensionsAllowed: 3,
    createdAt: T0,
    grantedAt: T0,
    expiresAt: T0 + 3600_000,
  });
}

describe.each(databases.eachSupportedId())(
  'extension_round on %s',
  databaseId => {
    it('starts existing requests at extensions_used, new ones at 0, and goes away on down', async () => {
      const knex: Knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: MIGRATIONS });
      const store = new AccessStore(knex);
      await knex.migrate.down({ directory: MIGRATIONS, name: MIGRATION });
      expect(
        await knex.schema.hasColumn('access_requests', 'extension_round'),
      ).toBe(false);
      await store.requests.insertRequest(knex, request('old', 2));

      await knex.migrate.up({ directory: MIGRATIONS, name: MIGRATION });
      await store.requests.insertRequest(knex, request('new', 0));
      expect((await store.requests.getRequest('old'))!.extensionRound).toBe(2);
      expect((await store.requests.getRequest('new'))!.extensionRound).toBe(0);
      expect(
        await store.requests.updateRequest(
          knex,
          'new',
          { status: 'granted' },
          { extensionRound: 1 },
          T0,
        ),
      ).toBe(true);
      expect((await store.requests.getRequest('new'))!.extensionRound).toBe(1);
    });
  },
);
