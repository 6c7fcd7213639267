import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { knex as createKnex } from 'knex';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { FakePagerDuty, startFakePagerDuty } from '@jit-access/fake-pagerduty';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import accessPlugin from '@jit-access/plugin-access-backend';
import accessModulePagerDuty from '@jit-access/plugin-access-backend-module-pagerduty';
import accessModulePostgres from '@jit-access/plugin-access-backend-module-postgres';
import request from 'supertest';
import { parse } from 'yaml';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../../..');
const appConfig = parse(
  readFileSync(path.join(ROOT, 'app-config.yaml'), 'utf8'),
);
const PG = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const PREFIX = `jit_it_${process.pid}_`;
// Every plugin gets its own database, as in production: the real database service.
const engines: [string, object][] = [
  ['SQLITE_3', { client: 'better-sqlite3', connection: ':memory:' }],
  ...(PG
    ? [
        ['POSTGRES_15', { client: 'pg', connection: PG, prefix: PREFIX }] as [
          string,
          object,
        ],
      ]
    : []),
];

async function dropTestDatabases() {
  if (!PG) return;
  const db = createKnex({ client: 'pg', connection: `${PG}/postgres` });
  try {
    const { rows } = await db.raw(
      'SELECT datname FROM pg_database WHERE datname LIKE ?',
      [`${PREFIX}%`],
    );
    for (const { datname } of rows) {
      await db.raw(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?',
        [datname],
      );
      await db.raw(`DROP DATABASE IF EXISTS "${datname}"`);
    }
  } finally {
    await db.destroy();
  }
}

/**
 * The demo as a person would try it, end to end: the real catalog reading examples/, the
 * access plugin with the flows and checks of app-config.yaml, the PagerDuty module talking
 * HTTP to the fake PagerDuty server with examples/pagerduty.yaml, the real scheduler.
 */
describe.each(engines)('on-call auto-approval on %s', (_engine, database) => {
  let fake: FakePagerDuty;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    fake = await startFakePagerDuty({
      dataFile: path.join(ROOT, 'examples/pagerduty.yaml'),
    });
    await dropTestDatabases();
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        accessPlugin,
        accessModulePagerDuty,
        accessModulePostgres,
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: { baseUrl: 'http://localhost:7007', database },
            catalog: {
              rules: [
                {
                  allow: [
                    'User',
                    'Group',
                    'Resource',
                    'Component',
                    'System',
                    'Location',
                  ],
                },
              ],
              locations: [
                {
                  type: 'file',
                  target: path.join(ROOT, 'examples/entities.yaml'),
                },
              ],
            },
            access: { ...appConfig.access, reverify: { frequency: '1s' } },
            pagerDuty: { apiBaseUrl: fake.url, apiToken: 'test-token' },
          },
        }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => {} }),
        }),
      ],
    });
    // The catalog ingests examples/ in the background; wait until the users are there.
    const deadline = Date.now() + 60_000;
    const ingested = async (name: string) => {
      const res = await request(backend.server)
        .get(`/api/catalog/entities/by-name/user/default/${name}`)
        .set('Authorization', mockCredentials.user.header('user:default/sam'));
      const groups = (res.body.relations ?? []).filter(
        (r: any) => r.type === 'memberOf',
      );
      return res.status === 200 && groups.length > 0;
    };
    for (;;) {
      if ((await ingested('sam')) && (await ingested('nina'))) break;
      if (Date.now() > deadline)
        throw new Error('the catalog never ingested examples/');
      await new Promise(resolve => setTimeout(resolve, 500));
    }
  });

  afterAll(async () => {
    await backend?.stop();
    await fake?.close();
    await dropTestDatabases();
  });

  const ask = (who: string, entityRef: string) =>
    request(backend.server)
      .post('/api/access/requests')
      .set('Authorization', mockCredentials.user.header(`user:default/${who}`))
      .send({
        resources: [{ entityRef, permissions: ['read'] }],
        justification: 'INC-1042 checkout failing',
        durationSeconds: 8 * 3600,
      });

  const get = (id: string, who = 'sam') =>
    request(backend.server)
      .get(`/api/access/requests/${id}`)
      .set('Authorization', mockCredentials.user.header(`user:default/${who}`));

  it('grants the on-call SRE at once for at most 3h, makes others wait, and revokes once off call', async () => {
    const sam = await ask('sam', 'resource:default/orders-db');
    expect(sam.status).toBe(201);
    const granted = sam.body.items[0];
    expect(granted).toMatchObject({
      status: 'granted',
      flowId: 'prod-db',
      durationSeconds: 3 * 3600,
      checks: [{ checkId: 'oncall', outcome: 'passed' }],
    });
    expect(granted.checks[0].detail).toMatch(
      /^on call: schedule "SRE Primary" level 1/,
    );
    expect(Date.parse(granted.expiresAt) - Date.parse(granted.grantedAt)).toBe(
      3 * 3600 * 1000,
    );

    const alice = await ask('alice', 'resource:default/orders-db');
    expect(alice.body.items[0]).toMatchObject({
      status: 'pending',
      checks: [
        {
          checkId: 'oncall',
          outcome: 'failed',
          detail: 'not on call for schedules SRE Primary, DBA',
        },
      ],
    });

    // PagerDuty hands the pager on: sam is no longer on call.
    await fetch(`${fake.url}/__admin/oncalls`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: '[]',
    });
    const deadline = Date.now() + 30_000;
    let now = granted;
    while (now.status === 'granted' && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 500));
      now = (await get(granted.id)).body;
    }
    expect(now).toMatchObject({ status: 'revoked' });
    expect(now.endReason).toMatch(
      /^No longer passes check "oncall": not on call/,
    );
    // alice's request still waits for a person
    expect((await get(alice.body.items[0].id, 'alice')).body.status).toBe(
      'pending',
    );
  });

  it('lets people decide for someone PagerDuty does not know (examples/org.yaml: nina)', async () => {
    const nina = await ask('nina', 'resource:default/orders-db');
    expect(nina.status).toBe(201);
    expect(nina.body.items[0]).toMatchObject({
      status: 'pending',
      checks: [
        {
          checkId: 'oncall',
          outcome: 'error',
          detail: 'no PagerDuty user with e-mail nina@acme.example',
        },
      ],
    });
    // the owners or a DBA see it in their queue
    const queue = await request(backend.server)
      .get('/api/access/requests?view=approvals')
      .set('Authorization', mockCredentials.user.header('user:default/dana'));
    expect(queue.body.items.map((i: any) => i.id)).toContain(
      nina.body.items[0].id,
    );
  });
});
