import { randomBytes } from 'crypto';
import {
  BUNDLES,
  createTestDatabases,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const key = () => randomBytes(32).toString('base64');

describe.each(databases.eachSupportedId())(
  'encryption and audit keys in production on %s',
  databaseId => {
    const nodeEnv = process.env.NODE_ENV;
    afterEach(() => {
      process.env.NODE_ENV = nodeEnv;
    });

    const start = (
      knex: any,
      keys: Record<string, unknown>,
      extraConfig?: Record<string, unknown>,
    ) =>
      startAccessBackend({
        knex,
        access: { flows: FLOWS, bundles: BUNDLES, ...keys },
        extraConfig,
      });

    it('refuses to start under NODE_ENV=production without keys, naming them, and stores none', async () => {
      const knex = await databases.init(databaseId);
      process.env.NODE_ENV = 'production';
      const started = start(knex, {});
      await expect(started).rejects.toThrow(
        /access\.encryption\.key: required in production/,
      );
      await expect(started).rejects.toThrow(
        /access\.audit\.key: required in production/,
      );
      const stored = (await knex.schema.hasTable('access_settings'))
        ? await knex('access_settings').select('key')
        : [];
      expect(stored.map((r: any) => r.key)).not.toContain('dev-details-key');
    });

    it('refuses to start with auth.environment production and only one of the keys', async () => {
      const knex = await databases.init(databaseId);
      const started = start(
        knex,
        { encryption: { key: key() } },
        { auth: { environment: 'production' } },
      );
      await expect(started).rejects.toThrow(
        /access\.audit\.key: required in production/,
      );
      await expect(started).rejects.not.toThrow(/access\.encryption\.key/);
    });

    it('starts in production with both keys configured, keeping no key in the database', async () => {
      const knex = await databases.init(databaseId);
      process.env.NODE_ENV = 'production';
      const h = await start(knex, {
        encryption: { key: key() },
        audit: { key: key() },
      });
      try {
        await h.api
          .post('/requests', {
            resources: [
              {
                entityRef: 'resource:default/orders-db-staging',
                permissions: ['read'],
              },
            ],
          })
          .expect(201);
        expect((await h.api.get('/audit/verify', 'pat')).body).toMatchObject({
          ok: true,
          checked: 2,
        });
        const stored = (await knex('access_settings').select('key')).map(
          (r: any) => r.key,
        );
        expect(stored).not.toContain('dev-details-key');
        expect(stored).not.toContain('dev-audit-key');
      } finally {
        await h.backend.stop();
      }
    });

    it('generates development keys in the database outside production', async () => {
      const knex = await databases.init(databaseId);
      const h = await start(knex, {});
      try {
        const stored = (await knex('access_settings').select('key')).map(
          (r: any) => r.key,
        );
        expect(stored).toEqual(
          expect.arrayContaining(['dev-details-key', 'dev-audit-key']),
        );
      } finally {
        await h.backend.stop();
      }
    });
  },
);
