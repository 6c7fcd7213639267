import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { randomBytes } from 'crypto';
import {
  detailsProvisioner,
  PASSWORD,
} from '../__testUtils__/detailsProvisioner';
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

    it('says at start-up in production that keys generated in the database must move to config, and deletes them once they did', async () => {
      const knex = await databases.init(databaseId);
      const errors: string[] = [];
      const logger: LoggerService = {
        error: message => void errors.push(message),
        warn: () => {},
        info: () => {},
        debug: () => {},
        child: () => logger,
      };
      const run = (keys: Record<string, unknown>) =>
        startAccessBackend({
          knex,
          access: {
            flows: [{ ...FLOWS[0], provisioner: 'db' }],
            provisioners: { db: { type: 'details' } },
            ...keys,
          },
          extraFeatures: [
            detailsProvisioner,
            createServiceFactory({
              service: coreServices.logger,
              deps: {},
              factory: () => logger,
            }),
          ],
        });
      const STAGING = {
        resources: [
          {
            entityRef: 'resource:default/orders-db-staging',
            permissions: ['read'],
          },
        ],
      };
      // The installation ran without keys (as production could before), generating both.
      let h = await run({});
      const granted = (await h.api.post('/requests', STAGING).expect(201)).body
        .items[0];
      await h.api.get('/audit/verify', 'pat').expect(200);
      await h.backend.stop();
      const setting = async (name: string) =>
        (await knex('access_settings').where({ key: name }).first())?.value;
      const devDetails = await setting('dev-details-key');
      const devAudit = await setting('dev-audit-key');

      process.env.NODE_ENV = 'production';
      const fresh = { encryption: { key: key() }, audit: { key: key() } };
      h = await run(fresh);
      await h.backend.stop();
      const named = (name: string, path: string) =>
        expect(errors).toContainEqual(
          expect.stringMatching(
            new RegExp(
              `access: the database holds ${name}, .*${path.replace(
                /\./g,
                '\\.',
              )}.*docs/provisioners\.md#upgrading-from-generated-keys`,
            ),
          ),
        );
      named('dev-details-key', 'access.encryption.keys');
      named('dev-audit-key', 'access.audit.keys');
      expect(await setting('dev-details-key')).toBe(devDetails);

      // Moved into config as previous keys: read, verified, and gone from the database.
      errors.length = 0;
      h = await run({
        encryption: {
          keys: [
            { id: 'new', key: fresh.encryption.key },
            { id: 'generated', key: devDetails },
          ],
        },
        audit: {
          keys: [
            { id: 'new', key: fresh.audit.key },
            { id: 'generated', key: devAudit },
          ],
        },
      });
      try {
        const got = (await h.api.get(`/requests/${granted.id}`).expect(200))
          .body;
        expect(got.accessDetails.password).toBe(PASSWORD);
        expect((await h.api.get('/audit/verify', 'pat')).body).toMatchObject({
          ok: true,
        });
        expect(errors.filter(e => e.includes('dev-'))).toEqual([]);
        expect(await setting('dev-details-key')).toBeUndefined();
        expect(await setting('dev-audit-key')).toBeUndefined();
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
