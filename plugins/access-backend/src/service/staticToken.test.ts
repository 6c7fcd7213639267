import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import request from 'supertest';
import {
  BUNDLES,
  createTestDatabases,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ITSM_TOKEN = 'itsm-static-token-for-tests-0123456789';
const READ_ONLY_TOKEN = 'readonly-static-token-for-tests-0123456';
const UNLISTED_TOKEN = 'unlisted-static-token-for-tests-01234567';

/**
 * Backstage's real auth: static tokens from `backend.auth.externalAccess`, as an ITSM
 * workflow (Freshservice, Jira) would call us.
 */
describe.each(databases.eachSupportedId())(
  'static-token services on %s',
  databaseId => {
    let h: Awaited<ReturnType<typeof startAccessBackend>>;

    beforeAll(async () => {
      h = await startAccessBackend({
        knex: await databases.init(databaseId),
        access: {
          flows: FLOWS,
          bundles: BUNDLES,
          onBehalfOf: { allowedServices: ['itsm-workflow', 'reporting'] },
        },
        services: [
          authServiceFactory,
          httpAuthServiceFactory,
          permissionsServiceFactory,
        ],
        extraConfig: {
          permission: { enabled: false },
          backend: {
            baseUrl: 'http://localhost:7007',
            auth: {
              externalAccess: [
                {
                  type: 'static',
                  options: { token: ITSM_TOKEN, subject: 'itsm-workflow' },
                  accessRestrictions: [{ plugin: 'access' }],
                },
                {
                  type: 'static',
                  options: { token: READ_ONLY_TOKEN, subject: 'reporting' },
                  accessRestrictions: [
                    { plugin: 'access', permission: ['access.request.create'] },
                  ],
                },
                {
                  type: 'static',
                  options: { token: UNLISTED_TOKEN, subject: 'chat-bot' },
                  accessRestrictions: [{ plugin: 'access' }],
                },
                {
                  type: 'static',
                  options: {
                    token: 'catalog-only-static-token-0123456789',
                    subject: 'catalog-bot',
                  },
                  accessRestrictions: [{ plugin: 'catalog' }],
                },
              ],
            },
          },
        },
      });
    });
    afterAll(async () => {
      await h.backend.stop();
    });

    const post = (token: string, body: object) =>
      request(h.server)
        .post('/api/access/requests')
        .set('Authorization', `Bearer ${token}`)
        .send(body);

    it('creates a request on behalf of a user named by e-mail', async () => {
      const res = await post(ITSM_TOKEN, {
        resources: [
          { entityRef: 'resource:default/orders-db', permissions: ['read'] },
        ],
        justification: 'FS-4711 approved change',
        requester: 'alice@example.com',
      });
      expect(res.status).toBe(201);
      expect(res.body.items[0]).toMatchObject({
        requester: 'user:default/alice',
        createdBy: 'service:itsm-workflow',
        status: 'pending',
      });
    });

    /** Orders-db read for alice, as any of the tokens below would ask. */
    const forAlice = {
      resources: [
        { entityRef: 'resource:default/orders-db', permissions: ['read'] },
      ],
      justification: 'x',
      requester: 'alice@example.com',
    };

    it('refuses a token without the on-behalf-of permission', async () => {
      const res = await post(READ_ONLY_TOKEN, forAlice);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain(
        'access.request.create.onbehalf',
      );
    });

    it('refuses a token whose subject access.onBehalfOf.allowedServices does not list', async () => {
      const res = await post(UNLISTED_TOKEN, forAlice);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('chat-bot');
      expect(res.body.error.message).toContain(
        'access.onBehalfOf.allowedServices',
      );
    });

    it('refuses a token restricted to another plugin, and an unknown token', async () => {
      const body = forAlice;
      expect(
        (await post('catalog-only-static-token-0123456789', body)).status,
      ).toBe(403);
      expect(
        (await post('not-a-configured-token-0123456789', body)).status,
      ).toBe(401);
    });
  },
);
