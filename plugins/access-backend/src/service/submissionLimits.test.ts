import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import request from 'supertest';
import { JsonValue } from '@backstage/types';
import { Knex } from 'knex';
import { http, HttpResponse } from 'msw';
import {
  ANALYTICS,
  BUNDLES,
  createTestDatabases,
  FLOWS,
  ORDERS,
  SANDBOX,
  STAGING,
  startAccessBackend,
} from '../__testUtils__/harness';
import { readAccessConfig } from '../config/readAccessConfig';
import { indexesOf, MIGRATIONS } from '../__testUtils__/indexes';
import { prodDbFlow, setupCheckServer } from '../__testUtils__/checkFixtures';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const server = setupCheckServer();
const ITSM = 'https://itsm.example.com/check';

describe.each(databases.eachSupportedId())(
  'per-user submission limits on %s',
  databaseId => {
    let h: Awaited<ReturnType<typeof startAccessBackend>>;
    let knex: Knex;

    const start = async (
      limits: Record<string, number>,
      more: Record<string, unknown> = {},
    ) => {
      knex = await databases.init(databaseId);
      h = await startAccessBackend({
        knex,
        access: { flows: FLOWS, bundles: BUNDLES, limits, ...more },
      });
    };
    const pendingOf = async (requester: string) => {
      const [row] = await knex('access_requests')
        .where({ requester, status: 'pending' })
        .count({ n: '*' });
      return Number(row.n);
    };
    afterEach(async () => {
      await h.backend.stop();
    });

    const submit = (refs: string[], who = 'alice', key?: string) => {
      const call = h.api.post(
        '/requests',
        {
          resources: refs.map(entityRef => ({
            entityRef,
            permissions: ['read'],
          })),
          justification: 'ticket 7',
        },
        who,
      );
      return key ? call.set('Idempotency-Key', key) : call;
    };

    it('answers 429 naming the limit, with Retry-After, to the submission after submissionsPerMinute', async () => {
      await start({ submissionsPerMinute: 3 });
      for (let i = 0; i < 3; i++) {
        // Many items count as one submission.
        expect((await submit([STAGING, ORDERS], 'alice', `k${i}`)).status).toBe(
          201,
        );
      }
      const refused = await submit([STAGING]);
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toMatch(
        /access\.limits\.submissionsPerMinute/,
      );
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);

      // A retry of an earlier submission is answered, and is no new submission.
      const replay = await submit([STAGING, ORDERS], 'alice', 'k0');
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      // Per user: bob is not held back by alice.
      expect((await submit([STAGING], 'bob')).status).toBe(201);

      h.clock.advance(retryAfter);
      expect((await submit([STAGING])).status).toBe(201);
    });

    it('counts what a service files against the user it names, not against the service', async () => {
      await start(
        { submissionsPerMinute: 2 },
        { onBehalfOf: { allowedServices: ['external:test-service'] } },
      );
      const asService = (requester: string) =>
        request(h.server)
          .post('/api/access/requests')
          .set('Authorization', mockCredentials.service.header())
          .send({
            resources: [{ entityRef: STAGING, permissions: ['read'] }],
            requester,
          });
      expect((await asService('bob@example.com')).status).toBe(201);
      expect((await submit([STAGING], 'bob')).status).toBe(201);
      // Bob's third, whoever files it.
      const refused = await asService('bob@example.com');
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toMatch(
        /^access\.limits\.submissionsPerMinute: user:default\/bob made 2 submissions/,
      );
      // The service may still file for others.
      expect((await asService('alice@example.com')).status).toBe(201);
    });

    it('refuses a submission that would take the requester past openPendingPerUser, saying how many are left', async () => {
      await start({ openPendingPerUser: 3 });
      expect((await submit([ORDERS, ANALYTICS])).status).toBe(201);

      // Two more would make four: refused whole, nothing of it is kept.
      const refused = await submit([ORDERS, SANDBOX]);
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toBe(
        'access.limits.openPendingPerUser: user:default/alice has 2 pending requests and this submission would add 2, but at most 3 may wait at once (1 more now); ask for fewer, or wait for decisions or cancel some',
      );
      expect(refused.headers['retry-after']).toBeUndefined();
      expect(await pendingOf('user:default/alice')).toBe(2);

      const third = await submit([SANDBOX]);
      expect(third.status).toBe(201);
      // Automatic access waits for nobody: it is no pending request.
      const automatic = await submit([STAGING]);
      expect(automatic.status).toBe(201);
      expect(automatic.body.items[0].status).toBe('granted');
      expect((await submit([ORDERS])).status).toBe(429);
      // Bob has none pending.
      expect((await submit([ORDERS], 'bob')).status).toBe(201);

      // Decided requests no longer count.
      const cancelled = await h.api.post(
        `/requests/${third.body.items[0].id}/cancel`,
        {},
      );
      expect(cancelled.status).toBe(200);
      expect((await submit([ORDERS])).status).toBe(201);
    });

    it('lets parallel submissions together add no more than openPendingPerUser', async () => {
      await start({ openPendingPerUser: 3 });
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => submit([ORDERS])),
      );
      const statuses = answers.map(a => a.status).sort();
      expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
      expect(await pendingOf('user:default/alice')).toBe(3);
    });

    it('counts extension requests in submissionsPerMinute, so a holder cannot re-run its checks without end', async () => {
      let ticketCalls = 0;
      server.use(
        http.post(ITSM, () => {
          ticketCalls++;
          // Approved for the request, closed for every extension after it.
          return HttpResponse.json({
            ticket: { state: ticketCalls === 1 ? 'approved' : 'closed' },
          });
        }),
      );
      await start(
        { submissionsPerMinute: 3 },
        {
          flows: [
            prodDbFlow(
              'ticketed',
              { type: 'manual', requiredChecks: ['change-ticket'] },
              { default: '8h', max: '8h', extensions: 1 },
            ),
          ],
          checks: {
            'change-ticket': {
              type: 'webhook',
              url: ITSM,
              validators: [
                { jsonPath: '$.ticket.state', expectedValues: ['approved'] },
              ],
              retries: 0,
            },
          },
        },
      );
      const submitted = await h.api.post('/requests', {
        resources: [{ entityRef: ORDERS, permissions: ['ticketed'] }],
        justification: 'CHG-1',
      });
      expect(submitted.status).toBe(201);
      const id = submitted.body.items[0].id;
      expect(
        (await h.api.post(`/requests/${id}/approve`, {}, 'dana')).body.status,
      ).toBe('granted');

      const extend = () =>
        h.api.post(`/requests/${id}/extend`, {
          durationSeconds: 3600,
          justification: 'more',
        });
      // A rejected extension uses up no extension, so it could be asked again at once.
      for (let i = 0; i < 2; i++) {
        const rejected = await extend();
        expect(rejected.status).toBe(200);
        expect(rejected.body.extension.status).toBe('rejected');
      }
      const refused = await extend();
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toMatch(
        /^access\.limits\.submissionsPerMinute: user:default\/alice made 3 submissions or extension requests in the last minute/,
      );
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // The refused one never reached the check.
      expect(ticketCalls).toBe(3);

      h.clock.advance(60);
      expect((await extend()).status).toBe(200);
      expect(ticketCalls).toBe(4);
    });

    it('counts "request again" as a submission', async () => {
      await start({ submissionsPerMinute: 2 });
      const first = await submit([STAGING]);
      const id = first.body.items[0].id;
      expect((await h.api.post(`/requests/${id}/revoke`, {})).status).toBe(200);
      expect(
        (await h.api.post(`/requests/${id}/again`, { justification: 'x' }))
          .status,
      ).toBe(201);
      const refused = await h.api.post(`/requests/${id}/again`, {
        justification: 'y',
      });
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toMatch(
        /^access\.limits\.submissionsPerMinute:/,
      );
    });
  },
);

describe('access.limits config', () => {
  const read = (limits: JsonValue) =>
    readAccessConfig(new ConfigReader({ access: { limits } }), {
      provisionerTypes: ['none'],
      checkTypes: [],
    });

  it('has defaults that let one full 1,000-item submission through', () => {
    expect(read({}).limits).toEqual({
      checkConcurrency: 8,
      grantConcurrency: 4,
      submissionsPerMinute: 30,
      openPendingPerUser: 1000,
    });
  });

  it('turns a per-user limit off with false', () => {
    expect(
      read({ submissionsPerMinute: false, openPendingPerUser: false }).limits,
    ).toMatchObject({
      submissionsPerMinute: Infinity,
      openPendingPerUser: Infinity,
    });
  });

  it.each([
    ['checkConcurrency', 0],
    ['checkConcurrency', false],
    ['submissionsPerMinute', true],
    ['grantConcurrency', 1.5],
    ['submissionsPerMinute', -1],
    ['openPendingPerUser', 'many'],
  ])('refuses a bad %s, naming the key', (key, value) => {
    expect(() => read({ [key]: value })).toThrow(`access.limits.${key}:`);
  });
});

describe.each(databases.eachSupportedId())(
  'the pending-per-requester index on %s',
  databaseId => {
    it('is added, and taken away again', async () => {
      const knex = await databases.init(databaseId);
      const name = 'access_requests_requester_status_idx';
      const migration = '20261206000300_pending_per_requester.js';
      await knex.migrate.latest({ directory: MIGRATIONS });
      expect(await indexesOf(knex, 'access_requests')).toContain(name);
      await knex.migrate.down({ directory: MIGRATIONS, name: migration });
      expect(await indexesOf(knex, 'access_requests')).not.toContain(name);
      await knex.migrate.up({ directory: MIGRATIONS, name: migration });
      expect(await indexesOf(knex, 'access_requests')).toContain(name);
    });
  },
);
