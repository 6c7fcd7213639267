import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { Knex } from 'knex';
import {
  BUNDLES,
  createTestDatabases,
  EKS,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';
import {
  createOtherPlugin,
  staticPluginKeyStore,
} from '../__testUtils__/otherPlugin';

jest.setTimeout(60_000);

const databases = createTestDatabases();

/** Sam is an SRE: cluster-admin on prod-eks is a break-glass flow, granted at once. */
const BREAK_GLASS_FOR_SAM = {
  resources: [{ entityRef: EKS, permissions: ['cluster-admin'] }],
  justification: 'incident INC-1',
  requester: 'user:default/sam',
};

describe.each(databases.eachSupportedId())(
  'acting on behalf of users on %s',
  databaseId => {
    let knex: Knex;
    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    /** The access plugin with Backstage's real auth and permissions, and a second plugin. */
    async function start(access: Record<string, unknown> = {}) {
      const ticketing = createOtherPlugin('ticketing');
      const h = await startAccessBackend({
        knex,
        access: { flows: FLOWS, bundles: BUNDLES, ...access },
        services: [
          authServiceFactory,
          httpAuthServiceFactory,
          permissionsServiceFactory,
        ],
        extraFeatures: [ticketing.plugin],
        extraConfig: {
          permission: { enabled: true },
          backend: { auth: { pluginKeyStore: staticPluginKeyStore() } },
        },
      });
      return { h, ticketing };
    }

    it('refuses another plugin filing a break-glass request for a user (403, nothing stored)', async () => {
      const { h, ticketing } = await start();
      try {
        const before = await knex('access_requests').count({ n: '*' });
        const res = await ticketing.post('/requests', BREAK_GLASS_FOR_SAM);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain('plugin:ticketing');
        expect(res.body.error.message).toContain(
          'access.onBehalfOf.allowedServices',
        );
        const preview = await ticketing.post(
          '/requests/preview',
          BREAK_GLASS_FOR_SAM,
        );
        expect(preview.status).toBe(403);
        expect(await knex('access_requests').count({ n: '*' })).toEqual(before);
      } finally {
        await h.backend.stop();
      }
    });

    it('lets a plugin the config names explicitly act on behalf of users', async () => {
      const { h, ticketing } = await start({
        onBehalfOf: { allowedServices: ['plugin:ticketing'] },
      });
      try {
        const res = await ticketing.post('/requests', BREAK_GLASS_FOR_SAM);
        expect(res.status).toBe(201);
        expect(res.body.items[0]).toMatchObject({
          requester: 'user:default/sam',
          createdBy: 'service:plugin:ticketing',
          status: 'granted',
        });
      } finally {
        await h.backend.stop();
      }
    });
  },
);
