import {
  BUNDLES,
  createTestDatabases,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'starting with a bad access config on %s',
  databaseId => {
    it('fails the backend start, naming the key, before touching the database', async () => {
      const knex = await databases.init(databaseId);
      const start = startAccessBackend({
        knex,
        access: {
          flows: [FLOWS[0], { ...FLOWS[1], id: FLOWS[0].id }],
          bundles: BUNDLES,
        },
      });
      await expect(start).rejects.toThrow(
        /access\.flows\[1\]\.id: duplicate flow id "staging-db" \(also access\.flows\[0\]\)/,
      );
      // The config is read before the migrations run.
      expect(await knex.schema.hasTable('access_requests')).toBe(false);
    });

    it('starts with the same flows once the ids differ', async () => {
      const knex = await databases.init(databaseId);
      const h = await startAccessBackend({
        knex,
        access: { flows: [FLOWS[0], FLOWS[1]], bundles: BUNDLES },
      });
      try {
        expect(
          (await h.api.get('/flows')).body.items.map((f: any) => f.id),
        ).toEqual(['staging-db', 'prod-db']);
        expect(await knex.schema.hasTable('access_requests')).toBe(true);
      } finally {
        await h.backend.stop();
      }
    });
  },
);
