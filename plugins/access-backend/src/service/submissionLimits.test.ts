import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import request from 'supertest';
import { JsonValue } from '@backstage/types';
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

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'per-user submission limits on %s',
  databaseId => {
    let h: Awaited<ReturnType<typeof startAccessBackend>>;

    const start = async (
      limits: Record<string, number>,
      more: Record<string, unknown> = {},
    ) => {
      h = await startAccessBackend({
        knex: await databases.init(databaseId),
        access: { flows: FLOWS, bundles: BUNDLES, limits, ...more },
      });
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

    it('answers 429 naming the limit while the requester has openPendingPerUser pending requests', async () => {
      await start({ openPendingPerUser: 2 });
      // One submission may take the requester past the limit: three requests, three
      // approver sets.
      const first = await submit([ORDERS, ANALYTICS, SANDBOX]);
      expect(first.status).toBe(201);
      expect(first.body.items.map((i: any) => i.status)).toEqual([
        'pending',
        'pending',
        'pending',
      ]);

      const refused = await submit([STAGING]);
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toMatch(
        /access\.limits\.openPendingPerUser/,
      );
      expect(refused.body.error.message).toMatch(/3 pending requests/);
      expect(refused.headers['retry-after']).toBeUndefined();
      // Bob has none pending.
      expect((await submit([STAGING], 'bob')).status).toBe(201);

      // Decided requests no longer count.
      for (const r of first.body.items.slice(0, 2)) {
        const res = await h.api.post(`/requests/${r.id}/cancel`, {});
        expect(res.status).toBe(200);
      }
      expect((await submit([STAGING])).status).toBe(201);
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
      openPendingPerUser: 200,
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
