import path from 'node:path';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { rootConfigServiceFactory } from '@backstage/backend-defaults/rootConfig';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import Router from 'express-promise-router';
import { knex as createKnex } from 'knex';
import request from 'supertest';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../../..');
/** The public demo token of the example ITSM workflow. */
const DEMO_TOKEN = 'dev-only-itsm-token-change-me-0001';

/**
 * Answers who called, for any service token Backstage's real auth accepts, and (to anyone)
 * how many static tokens the loaded config holds.
 */
const probePlugin = createBackendPlugin({
  pluginId: 'access',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        config: coreServices.rootConfig,
      },
      async init({ httpRouter, httpAuth, config }) {
        const router = Router();
        httpRouter.addAuthPolicy({
          path: '/static-tokens',
          allow: 'unauthenticated',
        });
        router.get('/static-tokens', (_req, res) => {
          const external =
            config.getOptionalConfigArray('backend.auth.externalAccess') ?? [];
          res.json({
            count: external.filter(e => e.getString('type') === 'static')
              .length,
          });
        });
        router.get('/whoami', async (req, res) => {
          const { principal } = await httpAuth.credentials(req, {
            allow: ['service'],
          });
          res.json({
            subject: principal.subject,
            onBehalfOf: config.getOptionalStringArray(
              'access.onBehalfOf.allowedServices',
            ),
          });
        });
        httpRouter.use(router);
      },
    });
  },
});

/** Starts Backstage's real auth on the config Backstage's real loader reads from `argv`. */
async function startWith(argv: string[]) {
  const knex = createKnex({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const backend = await startTestBackend({
    features: [
      rootConfigServiceFactory({ argv, watch: false }),
      authServiceFactory,
      httpAuthServiceFactory,
      // Not the configured database: production's PostgreSQL is not there.
      mockServices.database.factory({ knex }),
      probePlugin,
    ],
  });
  const whoami = (token: string) =>
    request(backend.server)
      .get('/api/access/whoami')
      .set('Authorization', `Bearer ${token}`);
  const staticTokens = async () =>
    (await request(backend.server).get('/api/access/static-tokens')).body.count;
  const stop = async () => {
    await backend.stop();
    await knex.destroy();
  };
  return { stop, whoami, staticTokens };
}

describe('the example config sets', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    // What app-config.production.yaml substitutes; no ACCESS_ITSM_TOKEN.
    Object.assign(process.env, {
      POSTGRES_HOST: 'db.invalid',
      POSTGRES_PORT: '5432',
      POSTGRES_USER: 'backstage',
      POSTGRES_PASSWORD: 'secret',
      PAGERDUTY_TOKEN: 'pd-token',
    });
    delete process.env.ACCESS_ITSM_TOKEN;
    delete process.env.BACKSTAGE_ENV;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('production (app-config.yaml + app-config.production.yaml) accepts no static token', async () => {
    const { stop, whoami, staticTokens } = await startWith([
      '--config',
      path.join(ROOT, 'app-config.yaml'),
      '--config',
      path.join(ROOT, 'app-config.production.yaml'),
    ]);
    try {
      expect(await staticTokens()).toBe(0);
      const res = await whoami(DEMO_TOKEN);
      expect(res.status).toBe(401);
    } finally {
      await stop();
    }
  });

  it('development (BACKSTAGE_ENV=development, as scripts/dev.sh) accepts the demo token and lets it act for users', async () => {
    process.env.BACKSTAGE_ENV = 'development';
    const { stop, whoami, staticTokens } = await startWith([]);
    try {
      expect(await staticTokens()).toBe(1);
      const res = await whoami(DEMO_TOKEN);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        subject: 'itsm-workflow',
        onBehalfOf: ['itsm-workflow'],
      });
    } finally {
      await stop();
    }
  });
});
