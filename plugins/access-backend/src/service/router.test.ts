import { mockCredentials } from '@backstage/backend-test-utils';
import { AddressInfo, connect } from 'net';
import request from 'supertest';
import {
  BUNDLES,
  createTestDatabases,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ORDERS = 'resource:default/orders-db';
const STAGING = 'resource:default/orders-db-staging';

describe.each(databases.eachSupportedId())('HTTP API on %s', databaseId => {
  let h: Awaited<ReturnType<typeof startAccessBackend>>;

  beforeAll(async () => {
    h = await startAccessBackend({
      knex: await databases.init(databaseId),
      // mockCredentials.service() is the subject acting on behalf of users below
      access: {
        flows: FLOWS,
        bundles: BUNDLES,
        onBehalfOf: { allowedServices: ['external:test-service'] },
      },
    });
  });
  afterAll(async () => {
    await h.backend.stop();
  });

  const service = () => mockCredentials.service.header();

  describe('bad input is a 400 that names the field', () => {
    it.each([
      [
        'an unknown body key',
        { resources: [], foo: 1 },
        "Unrecognized key(s) in object: 'foo'",
      ],
      [
        'a wrong type',
        { resources: 'orders-db' },
        'resources: Expected array, received string',
      ],
      [
        'a bad entity ref',
        {
          resources: [{ entityRef: 'a:b:c:d', permissions: ['read'] }],
          justification: 'x',
        },
        'resources[0].entityRef',
      ],
      [
        'an unknown entity',
        {
          resources: [
            { entityRef: 'resource:default/nope', permissions: ['read'] },
          ],
          justification: 'x',
        },
        'resources[0].entityRef: no entity "resource:default/nope"',
      ],
      [
        'no permissions',
        { resources: [{ entityRef: ORDERS, permissions: [] }] },
        'resources[0].permissions',
      ],
      [
        'a negative duration',
        {
          resources: [{ entityRef: ORDERS, permissions: ['read'] }],
          durationSeconds: -5,
        },
        'durationSeconds',
      ],
      [
        'a fractional duration',
        {
          resources: [{ entityRef: ORDERS, permissions: ['read'] }],
          durationSeconds: 1.5,
        },
        'durationSeconds: must be whole seconds',
      ],
      [
        'a duration above the flow max',
        {
          resources: [{ entityRef: ORDERS, permissions: ['read'] }],
          durationSeconds: 9 * 3600,
          justification: 'x',
        },
        'durationSeconds: 32400s is longer than flow "prod-db" allows (max 8h',
      ],
      [
        'a missing justification',
        { resources: [{ entityRef: ORDERS, permissions: ['read'] }] },
        'justification: flow "prod-db"',
      ],
      [
        'nothing to request',
        {},
        'resources: name at least one resource or a bundleId',
      ],
      ['an unknown bundle', { bundleId: 'nope' }, 'bundleId: no bundle "nope"'],
      [
        'too many items',
        {
          resources: Array.from({ length: 1001 }, () => ({
            entityRef: ORDERS,
            permissions: ['read'],
          })),
        },
        'resources: at most 1000 items',
      ],
      [
        'a body that is not an object',
        [1, 2],
        'Expected object, received array',
      ],
    ])('%s', async (_name, body, message) => {
      const res = await h.api.post('/requests', body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(message);
    });

    it('refuses malformed JSON with 400', async () => {
      const res = await request(h.server)
        .post('/api/access/requests')
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
        .set('Content-Type', 'application/json')
        .send('{"resources": [');
      expect(res.status).toBe(400);
    });

    it('refuses a body over the size limit with 413', async () => {
      const res = await h.api.post('/requests', {
        justification: 'x'.repeat(1100 * 1024),
      });
      expect(res.status).toBe(413);
    });

    it('takes an empty q, type or cursor as none, as before the spec validated them', async () => {
      expect((await h.api.get('/requests?view=mine&cursor=')).status).toBe(200);
      expect((await h.api.get('/resources?q=&type=&cursor=')).status).toBe(200);
      expect(
        (
          await h.api.get(
            `/entity-access/history?entityRef=${ORDERS}&cursor=`,
            'pat',
          )
        ).status,
      ).toBe(200);
    });

    it.each([
      [
        '/resources?permission=',
        'Invalid query: permission: must not be empty',
      ],
      [
        '/audit?requestId=urn:uuid:00000000-0000-4000-8000-000000000000',
        'Invalid query: requestId: must be a request id (a UUID)',
      ],
    ])('GET %s as an admin', async (path, message) => {
      const res = await h.api.get(path, 'pat');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(message);
    });

    it.each([
      ['/requests?view=everything', 'view'],
      ['/requests?status=granted,happy', 'unknown status happy'],
      ['/requests?limit=0', 'limit'],
      ['/requests?cursor=garbage', 'cursor'],
      ['/resources?limit=abc', 'limit'],
    ])('GET %s', async (path, message) => {
      const res = await h.api.get(path);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(message);
    });
  });

  it('answers 404 for an unknown request id', async () => {
    const res = await h.api.get(
      '/requests/00000000-0000-4000-8000-000000000000',
    );
    expect(res.status).toBe(404);
    expect(
      (
        await h.api.post(
          '/requests/00000000-0000-4000-8000-000000000000/approve',
          {},
          'dana',
        )
      ).status,
    ).toBe(404);
  });

  describe('a call the spec does not describe never reaches a handler', () => {
    /** Sends a request line as written (clients would drop a `#…` part first). */
    function raw(target: string, body: string, who = 'alice') {
      const { port } = h.server.address() as AddressInfo;
      return new Promise<{ status: number; text: string }>(
        (resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.write(
              [
                `POST ${target} HTTP/1.1`,
                'Host: localhost',
                `Authorization: ${mockCredentials.user.header(
                  `user:default/${who}`,
                )}`,
                'Content-Type: application/json',
                `Content-Length: ${Buffer.byteLength(body)}`,
                'Connection: close',
                '',
                body,
              ].join('\r\n'),
            );
          });
          let answer = '';
          socket.on('data', chunk => {
            answer += chunk;
          });
          socket.on('end', () =>
            resolve({
              status: Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1]),
              text: answer,
            }),
          );
          socket.on('error', reject);
        },
      );
    }

    it('refuses HEAD on a listing (the validator knows no HEAD operation)', async () => {
      const res = await request(h.server)
        .head('/api/access/requests?view=everyone&limit=5000&status=granted')
        .set('Authorization', mockCredentials.user.header('user:default/bob'));
      expect(res.status).toBe(404);
    });

    it('refuses a path with a fragment, which the validator would not match', async () => {
      const before = (await h.api.get('/requests?view=mine')).body.items.length;
      const res = await raw(
        '/api/access/requests#x',
        JSON.stringify({
          resources: [{ entityRef: STAGING, permissions: ['read'] }],
          justification: 'a\u0000b',
          junk: 1,
        }),
      );
      expect(res.status).toBe(404);
      const rejected = await raw(
        `/api/access/requests/00000000-0000-4000-8000-000000000000/reject#`,
        '{}',
        'dana',
      );
      expect(rejected.status).toBe(404);
      expect((await h.api.get('/requests?view=mine')).body.items).toHaveLength(
        before,
      );
    });
  });

  describe('a malformed request id is a 404, like an unknown one', () => {
    const ROUTES = [
      ['get', '', undefined, 'alice'],
      ['post', '/approve', {}, 'dana'],
      ['post', '/reject', { reason: 'no' }, 'dana'],
      ['post', '/cancel', {}, 'alice'],
      ['post', '/revoke', {}, 'alice'],
      ['post', '/again', {}, 'alice'],
      ['post', '/extend', { durationSeconds: 60 }, 'alice'],
      ['put', '/favorite', undefined, 'alice'],
      ['delete', '/favorite', undefined, 'alice'],
    ] as const;
    const call = (
      method: (typeof ROUTES)[number][0],
      path: string,
      body: object | undefined,
      who: string,
    ) => {
      const req = request(h.server)
        [method](`/api/access${path}`)
        .set(
          'Authorization',
          mockCredentials.user.header(`user:default/${who}`),
        );
      return body === undefined ? req : req.send(body);
    };

    it.each(ROUTES)(
      '%s /requests/{id}%s',
      async (method, suffix, body, who) => {
        const unknown = await call(
          method,
          `/requests/00000000-0000-4000-8000-000000000000${suffix}`,
          body,
          who,
        );
        expect(unknown.status).toBe(404);
        for (const bad of [
          'not-a-uuid',
          '00000000-0000-4000-8000-00000000000',
          encodeURIComponent("' OR 1=1 --"),
        ]) {
          const res = await call(
            method,
            `/requests/${bad}${suffix}`,
            body,
            who,
          );
          expect(res.status).toBe(404);
          expect(res.body.error.name).toBe(unknown.body.error.name);
          expect(res.body.error.message).toBe(
            `No access request ${decodeURIComponent(bad)}`,
          );
        }
      },
    );

    it('does not echo a long id in full', async () => {
      const res = await h.api.get(`/requests/${'x'.repeat(2000)}`);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(
        `No access request ${'x'.repeat(40)}…`,
      );
    });
  });

  it('serves the spec it validates against at /openapi.json', async () => {
    const res = await h.api.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.info.title).toBe('JIT Access backend');
    // Paths as a client calls them, below where the plugin is mounted.
    expect(Object.keys(res.body.paths)).toContain(
      '/api/access/requests/{id}/approve',
    );
  });

  it('answers 401 without credentials', async () => {
    const none = mockCredentials.none.header();
    expect(
      (
        await request(h.server)
          .get('/api/access/requests')
          .set('Authorization', none)
      ).status,
    ).toBe(401);
    expect(
      (
        await request(h.server)
          .post('/api/access/requests')
          .set('Authorization', none)
          .send({})
      ).status,
    ).toBe(401);
    const bad = mockCredentials.user.invalidHeader();
    expect(
      (
        await request(h.server)
          .get('/api/access/flows')
          .set('Authorization', bad)
      ).status,
    ).toBe(401);
  });

  it('answers 403 when no flow lets the requester ask, naming the item', async () => {
    const res = await h.api.post('/requests', {
      resources: [{ entityRef: ORDERS, permissions: ['drop-tables'] }],
      justification: 'x',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      'resources[0]: no access flow lets user:default/alice request "drop-tables" on resource:default/orders-db',
    );
  });

  it('keeps requests private to the requester, approvers and admins', async () => {
    const [r] = (
      await h.api.post('/requests', {
        resources: [{ entityRef: ORDERS, permissions: ['read'] }],
        justification: 'x',
      })
    ).body.items;
    expect((await h.api.get(`/requests/${r.id}`, 'bob')).status).toBe(403);
    expect((await h.api.get(`/requests/${r.id}`, 'olivia')).status).toBe(200);
    expect((await h.api.get(`/requests/${r.id}`, 'pat')).status).toBe(200);
    expect((await h.api.get('/requests?view=all', 'alice')).status).toBe(403);
    const all = await h.api.get('/requests?view=all', 'pat');
    expect(all.body.items.map((i: any) => i.id)).toContain(r.id);
    expect((await h.api.get('/audit', 'alice')).status).toBe(403);
  });

  it('refuses on-behalf-of requests from users', async () => {
    const res = await h.api.post('/requests', {
      resources: [{ entityRef: STAGING, permissions: ['read'] }],
      requester: 'user:default/bob',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      'requester: users can only request access for themselves',
    );
    // naming oneself is fine
    const self = await h.api.post('/requests', {
      resources: [{ entityRef: STAGING, permissions: ['read'] }],
      requester: 'alice@example.com',
    });
    expect(self.status).toBe(201);
  });

  it('lets a service submit on behalf of a user found by e-mail, and requires a requester', async () => {
    const res = await request(h.server)
      .post('/api/access/requests')
      .set('Authorization', service())
      .send({
        resources: [{ entityRef: ORDERS, permissions: ['read'] }],
        justification: 'CHG-1234',
        requester: 'bob@example.com',
      });
    expect(res.status).toBe(201);
    expect(res.body.items[0]).toMatchObject({
      requester: 'user:default/bob',
      createdBy: 'service:external:test-service',
      status: 'pending',
    });
    const missing = await request(h.server)
      .post('/api/access/requests')
      .set('Authorization', service())
      .send({
        resources: [{ entityRef: ORDERS, permissions: ['read'] }],
        justification: 'CHG-1234',
      });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('requester');
    const unknown = await request(h.server)
      .post('/api/access/requests')
      .set('Authorization', service())
      .send({
        resources: [{ entityRef: ORDERS, permissions: ['read'] }],
        justification: 'x',
        requester: 'nobody@example.com',
      });
    expect(unknown.status).toBe(400);
    // the service can follow what it created
    const got = await request(h.server)
      .get(`/api/access/requests/${res.body.items[0].id}`)
      .set('Authorization', service());
    expect(got.status).toBe(200);
  });

  it('creates nothing twice for a retried POST with the same Idempotency-Key', async () => {
    const body = {
      resources: [{ entityRef: ORDERS, permissions: ['write'] }],
      justification: 'retry me',
    };
    const send = (b: object) =>
      request(h.server)
        .post('/api/access/requests')
        .set('Authorization', mockCredentials.user.header('user:default/bob'))
        .set('Idempotency-Key', 'chg-777')
        .send(b);
    const [a, b] = await Promise.all([send(body), send(body)]);
    // A replay answers as the original did (201), marked as a replay.
    expect([a.status, b.status]).toEqual([201, 201]);
    expect([a, b].map(r => r.headers['idempotent-replayed']).sort()).toEqual([
      'true',
      undefined,
    ]);
    expect(a.body.items[0].id).toBe(b.body.items[0].id);
    const again = await send(body);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(a.body);
    const mine = await h.api.get('/requests?view=mine', 'bob');
    expect(
      mine.body.items.filter((i: any) => i.justification === 'retry me'),
    ).toHaveLength(1);
    const other = await send({ ...body, justification: 'different' });
    expect(other.status).toBe(409);
  });

  it('creates nothing twice for a retried "request again" with the same Idempotency-Key', async () => {
    const ended = async () => {
      const [r] = (
        await h.api.post('/requests', {
          resources: [{ entityRef: ORDERS, permissions: ['read'] }],
          justification: 'to end',
        })
      ).body.items;
      expect(
        (await h.api.post(`/requests/${r.id}/cancel`, {})).body.status,
      ).toBe('cancelled');
      return r.id as string;
    };
    const first = await ended();
    const again = (id: string, key: string, justification = 'once more') =>
      request(h.server)
        .post(`/api/access/requests/${id}/again`)
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
        .set('Idempotency-Key', key)
        .send({ justification });
    const a = await again(first, 'again-1');
    expect(a.status).toBe(201);
    expect(a.headers['idempotent-replayed']).toBeUndefined();
    const b = await again(first, 'again-1');
    expect(b.status).toBe(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.body).toEqual(a.body);
    const made = (
      await h.api.get('/requests?view=mine&limit=200')
    ).body.items.filter((i: any) => i.againOf === first);
    expect(made.map((i: any) => i.id)).toEqual([a.body.items[0].id]);
    // Concurrent retries: still one request.
    const [c, d] = await Promise.all([
      again(first, 'again-2'),
      again(first, 'again-2'),
    ]);
    expect([c.status, d.status]).toEqual([201, 201]);
    expect(c.body.items[0].id).toBe(d.body.items[0].id);
    // The key is bound to what it was used for: another body or another source is a 409.
    expect((await again(first, 'again-1', 'other')).status).toBe(409);
    expect((await again(await ended(), 'again-1')).status).toBe(409);
    expect((await again(first, 'x'.repeat(256))).status).toBe(400);
    // Without a key each call is a new request.
    const [e, f] = await Promise.all([
      h.api.post(`/requests/${first}/again`, { justification: 'no key' }),
      h.api.post(`/requests/${first}/again`, { justification: 'no key' }),
    ]);
    expect(e.body.items[0].id).not.toBe(f.body.items[0].id);
  });

  it('lists flows, bundles and the resources a caller may request', async () => {
    const flows = await h.api.get('/flows');
    expect(flows.body.items.map((f: any) => f.id)).toEqual([
      'staging-db',
      'prod-db',
      'prod-db-admin',
      'cluster-breakglass',
      'any-resource',
    ]);
    expect((await h.api.get('/bundles')).body.items[0].id).toBe('incident-kit');
    const all = await h.api.get('/resources');
    const orders = all.body.items.find((r: any) => r.entityRef === ORDERS);
    expect(orders.permissions).toEqual([
      {
        permission: 'read',
        flowId: 'prod-db',
        flowTitle: 'Production databases',
      },
      {
        permission: 'write',
        flowId: 'prod-db',
        flowTitle: 'Production databases',
      },
      {
        permission: 'admin',
        flowId: 'prod-db-admin',
        flowTitle: 'Production database admin',
      },
    ]);
    const clusters = await h.api.get(
      '/resources?type=kubernetes-cluster',
      'sam',
    );
    expect(clusters.body.items.map((r: any) => r.entityRef)).toEqual([
      'resource:default/prod-eks',
    ]);
    expect(
      clusters.body.items[0].permissions.map((p: any) => p.permission),
    ).toEqual(['cluster-admin', 'read', 'write']);
    const admin = await h.api.get('/resources?permission=admin');
    expect(admin.body.items.map((r: any) => r.entityRef).sort()).toEqual([
      'resource:default/analytics-db',
      ORDERS,
    ]);
  });

  it('exports the audit log as CSV for admins', async () => {
    const res = await h.api.get('/audit?format=csv', 'pat');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe(
      'id,at,actor,action,requestId,severity,fromStatus,toStatus,details',
    );
    expect(lines.length).toBeGreaterThan(1);
  });
});
