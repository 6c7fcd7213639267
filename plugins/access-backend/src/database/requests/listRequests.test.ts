import { Knex } from 'knex';
import { resolve } from 'path';
import { createTestDatabases } from '../../__testUtils__/harness';
import { requestRecord } from '../../__testUtils__/requestRecord';
import { AccessStore } from '../AccessStore';
import { NewRequestRecord, RequestQuery } from '../types';

// The listing's views are the only thing between a caller and other people's requests.

jest.setTimeout(60_000);

const databases = createTestDatabases();
const T0 = Date.parse('2026-12-01T08:00:00Z');

function request(id: string, requester: string): NewRequestRecord {
  return requestRecord(id, {
    requester,
    provisioner: 'test',
    justification: 'x',
    createdAt: T0,
  });
}

describe.each(databases.eachSupportedId())('listRequests on %s', databaseId => {
  let knex: Knex;
  let store: AccessStore;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    await knex.migrate.latest({
      directory: resolve(__dirname, '../../../migrations'),
    });
    store = new AccessStore(knex);
    await store.requests.insertRequest(
      knex,
      request('a', 'user:default/alice'),
    );
    await store.requests.insertRequest(knex, request('b', 'user:default/bob'));
  });

  const list = (query: RequestQuery) =>
    store.requests.listRequests(query, { limit: 10 });

  it('lists only the caller’s own requests in view mine', async () => {
    const mine = await list({ view: 'mine', user: 'user:default/alice' });
    expect(mine.map(r => r.id)).toEqual(['a']);
  });

  it('refuses a view it does not know instead of listing everything', async () => {
    await expect(
      list({ view: 'everyone', user: 'user:default/alice' } as any),
    ).rejects.toThrow('Unknown request view');
  });
});
