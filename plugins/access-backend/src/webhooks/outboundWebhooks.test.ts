import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { Webhook } from 'standardwebhooks';
import { ConfigReader } from '@backstage/config';
import {
  AccessTestBackend,
  createTestDatabases,
  FLOWS,
  startAccessBackend,
  TestClock,
} from '../__testUtils__/harness';
import { readAccessConfig } from '../config/readAccessConfig';
import {
  useTestServers,
  waitUntil,
} from '../http/__testUtils__/hostileServers';
import { WEBHOOKS_TASK_ID } from '../tasks/scheduleTasks';

jest.setTimeout(90_000);

const databases = createTestDatabases();
const SECRET = `whsec_${Buffer.from(
  'outbound-webhook-secret-32-bytes',
).toString('base64')}`;

interface Delivery {
  id: string;
  type: string;
  requestId?: string;
  status?: string;
  verified: boolean;
  body: any;
}

/** A receiver whose behaviour the test switches: answer, fail with 500, or hang. */
class Receiver {
  mode: 'ok' | 'fail' | 'hang' | 'echo' = 'ok';
  readonly deliveries: Delivery[] = [];
  attempts = 0;
  private server!: Server;
  url = '';

  async start() {
    this.server = createServer(async (req, res) => {
      const text = await readBody(req);
      this.attempts++;
      if (this.mode === 'hang') return; // never answers; the sender times out
      if (this.mode === 'echo') {
        // A misbehaving receiver that prints what it got, credentials included.
        res.statusCode = 401;
        res.end(`bad token: ${req.headers.authorization}`);
        return;
      }
      if (this.mode === 'fail') {
        res.statusCode = 500;
        res.end('receiver is down for maintenance');
        return;
      }
      let verified = true;
      try {
        new Webhook(SECRET).verify(text, req.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      const event = JSON.parse(text);
      this.deliveries.push({
        id: String(req.headers['webhook-id']),
        type: event.type,
        requestId: event.data.request?.id,
        status: event.data.request?.status,
        verified,
        body: event,
      });
      res.statusCode = 204;
      res.end();
    });
    await new Promise<void>(resolve =>
      this.server.listen(0, '127.0.0.1', resolve),
    );
    this.url = `http://127.0.0.1:${
      (this.server.address() as AddressInfo).port
    }/events`;
  }

  stop() {
    this.server.closeAllConnections();
    return new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  typesFor(requestId: string) {
    return this.deliveries
      .filter(d => d.requestId === requestId)
      .map(d => d.type);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise(resolve => {
    let text = '';
    req.on('data', c => (text += c));
    req.on('end', () => resolve(text));
  });
}

async function eventually(check: () => void | Promise<void>, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise(r => setTimeout(r, 25));
    }
  }
}

const PROD_READ = {
  resources: [
    { entityRef: 'resource:default/orders-db', permissions: ['read'] },
  ],
  justification: 'INC-1 orders stuck',
};

describe('access.webhooks config', () => {
  const read = (webhooks: any) =>
    readAccessConfig(new ConfigReader({ access: { webhooks } }), {
      provisionerTypes: ['none', 'webhook'],
      checkTypes: [],
    });

  it('reads a webhook with defaults', () => {
    expect(
      read([{ id: 'siem', url: 'https://siem.example.com/in', secret: SECRET }])
        .webhooks,
    ).toEqual([
      {
        id: 'siem',
        url: 'https://siem.example.com/in',
        secret: SECRET,
        headers: {},
        events: ['*'],
        timeoutMs: 10_000,
        maxResponseBytes: 1024 * 1024,
      },
    ]);
  });

  it('names the key that is wrong', () => {
    expect(() =>
      read([
        { id: 'siem', url: 'https://x', secret: SECRET, events: ['oops'] },
      ]),
    ).toThrow(/access\.webhooks\[0\]\.events\[0\]: unknown event "oops"/);
    expect(() =>
      read([{ id: 'siem', url: 'https://x', secret: 'hunter2' }]),
    ).toThrow(/access\.webhooks\[0\]\.secret: must be a Standard Webhooks/);
    expect(() =>
      read([{ id: 'siem', url: 'ftp://x', secret: SECRET }]),
    ).toThrow(/access\.webhooks\[0\]\.url: must be an http\(s\) URL/);
    expect(() =>
      read([
        { id: 'a', url: 'https://x', secret: SECRET },
        { id: 'a', url: 'https://y', secret: SECRET },
      ]),
    ).toThrow(/access\.webhooks\[1\]\.id: duplicate webhook id "a"/);
    expect(() =>
      read([{ id: 'a', url: 'https://x', secret: SECRET, retries: 3 }]),
    ).toThrow(
      /access\.webhooks\[0\]: Unrecognized key\(s\) in object: 'retries'/,
    );
    expect(() =>
      read([
        { id: 'a', url: 'https://x', secret: SECRET, maxResponseBytes: 0 },
      ]),
    ).toThrow(
      /access\.webhooks\[0\]\.maxResponseBytes: must be a whole number of bytes from 1 to 67108864/,
    );
  });
});

describe.each(databases.eachSupportedId())(
  'outbound webhooks on %s',
  databaseId => {
    const receiver = new Receiver();
    beforeAll(() => receiver.start());
    afterAll(() => receiver.stop());
    beforeEach(() => {
      receiver.mode = 'ok';
      receiver.deliveries.length = 0;
      receiver.attempts = 0;
    });

    const start = async (
      knex: Awaited<ReturnType<typeof databases.init>>,
      clock = new TestClock(),
      events: string[] = ['request.*', 'access.*'],
      webhooks?: object[],
    ) =>
      startAccessBackend({
        knex,
        clock,
        access: {
          flows: FLOWS,
          webhooks: webhooks ?? [
            {
              id: 'siem',
              url: receiver.url,
              secret: SECRET,
              events,
              timeout: { milliseconds: 500 },
            },
          ],
        },
      });

    const outbox = (h: { knex: any }) =>
      h.knex('access_webhook_outbox').orderBy('id');

    it('delivers each change of a request, signed, in order, with the request as it was', async () => {
      const knex = await databases.init(databaseId);
      const h = await start(knex);
      try {
        const r = (await h.api.post('/requests', PROD_READ)).body.items[0];
        await h.api.post(`/requests/${r.id}/approve`, {}, 'dana').expect(200);
        await h.api
          .post(`/requests/${r.id}/revoke`, { reason: 'done' })
          .expect(200);
        await eventually(() =>
          expect(receiver.typesFor(r.id)).toEqual([
            'request.created',
            'request.approved',
            'access.granted',
            'access.revoked',
          ]),
        );
        const ds = receiver.deliveries.filter(d => d.requestId === r.id);
        expect(ds.every(d => d.verified)).toBe(true);
        expect(new Set(ds.map(d => d.id)).size).toBe(4);
        expect(ds.map(d => d.status)).toEqual([
          'pending',
          'granting',
          'granted',
          'revoked',
        ]);
        expect(ds[1].body).toMatchObject({
          type: 'request.approved',
          data: {
            action: 'request-approved',
            actor: 'user:default/dana',
            fromStatus: 'pending',
            toStatus: 'granting',
            request: {
              requester: 'user:default/alice',
              flowId: 'prod-db',
              justification: 'INC-1 orders stuck',
              resources: [
                {
                  entityRef: 'resource:default/orders-db',
                  permissions: ['read'],
                },
              ],
              link: `/access/requests/${r.id}`,
            },
          },
        });
        // Every event is written with its audit entry: one row each, all delivered.
        // (The receiver answers before the sender records the delivery.)
        await eventually(async () => {
          const rows = await outbox({ knex });
          expect(rows).toHaveLength(4);
          expect(rows.every((x: any) => x.delivered_at !== null)).toBe(true);
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('retries a failing receiver with backoff and keeps each request in order', async () => {
      const knex = await databases.init(databaseId);
      const h = await start(knex);
      try {
        receiver.mode = 'fail';
        const r = (await h.api.post('/requests', PROD_READ)).body.items[0];
        await eventually(() => expect(receiver.attempts).toBe(1));
        await h.api.post(`/requests/${r.id}/cancel`, {}).expect(200);
        await h.scheduler.run(WEBHOOKS_TASK_ID);
        // The cancel waits behind the failed creation, and the creation waits its backoff.
        expect(receiver.attempts).toBe(1);
        const [first, second] = await outbox({ knex });
        expect(first).toMatchObject({
          event_type: 'request.created',
          last_error: 'HTTP 500: receiver is down for maintenance',
        });
        expect(Number(first.attempts)).toBe(1);
        expect(Number(first.next_attempt_at)).toBe(h.clock.now() + 2000);
        expect(Number(second.attempts)).toBe(0);

        h.clock.advance(2);
        await h.scheduler.run(WEBHOOKS_TASK_ID);
        expect(receiver.attempts).toBe(2);
        expect(Number((await outbox({ knex }))[0].next_attempt_at)).toBe(
          h.clock.now() + 4000,
        );

        receiver.mode = 'ok';
        h.clock.advance(4);
        await h.scheduler.run(WEBHOOKS_TASK_ID);
        expect(receiver.typesFor(r.id)).toEqual([
          'request.created',
          'request.cancelled',
        ]);
        // The same event id on every attempt, so the receiver can de-duplicate.
        expect(receiver.deliveries[0].id).toBe(JSON.parse(first.payload).id);
      } finally {
        await h.backend.stop();
      }
    });

    it('keeps header secrets a receiver echoes out of the stored (and logged) error', async () => {
      const knex = await databases.init(databaseId);
      const h = await startAccessBackend({
        knex,
        clock: new TestClock(),
        access: {
          flows: FLOWS,
          webhooks: [
            {
              id: 'siem',
              url: receiver.url,
              secret: SECRET,
              headers: { Authorization: 'Bearer siem-token-0123456789' },
              timeout: { milliseconds: 500 },
            },
          ],
        },
      });
      try {
        receiver.mode = 'echo';
        await h.api.post('/requests', PROD_READ).expect(201);
        await eventually(async () => {
          const [row] = await outbox({ knex });
          expect(row.last_error).toBe('HTTP 401: bad token: ***');
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('gives up an attempt that gets no answer within the timeout', async () => {
      const knex = await databases.init(databaseId);
      const h = await start(knex);
      try {
        receiver.mode = 'hang';
        await h.api.post('/requests', PROD_READ).expect(201);
        await eventually(async () => {
          const [row] = await outbox({ knex });
          expect(row.last_error).toBe('no answer within 500 ms');
        });
        receiver.mode = 'ok';
        h.clock.advance(2);
        await h.scheduler.run(WEBHOOKS_TASK_ID);
        expect(receiver.deliveries.map(d => d.type)).toEqual([
          'request.created',
        ]);
      } finally {
        await h.backend.stop();
      }
    });

    it('delivers after a restart what was written but not sent', async () => {
      const knex = await databases.init(databaseId);
      const clock = new TestClock();
      const first = await start(knex, clock);
      receiver.mode = 'fail';
      const r = (await first.api.post('/requests', PROD_READ)).body.items[0];
      await first.api.post(`/requests/${r.id}/approve`, {}, 'dana');
      await eventually(() => expect(receiver.attempts).toBe(1));
      await first.backend.stop();

      receiver.mode = 'ok';
      clock.advance(60);
      const second: AccessTestBackend = await start(knex, clock);
      try {
        await second.scheduler.run(WEBHOOKS_TASK_ID);
        expect(receiver.typesFor(r.id)).toEqual([
          'request.created',
          'request.approved',
          'access.granted',
        ]);
      } finally {
        await second.backend.stop();
      }
    });

    const serve = useTestServers();

    it('fails and retries a delivery whose answer is over the cap or redirects, leaking no headers', async () => {
      const big = await serve({ big: 5 * 1024 * 1024 });
      const endless = await serve({ endless: true });
      const elsewhere = await serve({ json: {} });
      const moved = await serve({ redirectTo: `${elsewhere.origin}/collect` });
      const webhook = (id: string, url: string, extra: object = {}) => ({
        id,
        url: `${url}/events`,
        secret: SECRET,
        events: ['request.created'],
        headers: { 'X-Api-Key': 'siem-key-0123456789' },
        timeout: '5s',
        ...extra,
      });
      const knex = await databases.init(databaseId);
      const h = await start(knex, undefined, undefined, [
        webhook('big', big.origin),
        webhook('endless', endless.origin, { maxResponseBytes: 262144 }),
        webhook('moved', moved.origin),
      ]);
      try {
        await h.api.post('/requests', PROD_READ).expect(201);
        const errors = async () =>
          Object.fromEntries(
            (await outbox({ knex })).map((x: any) => [
              x.webhook_id,
              [x.last_error, Number(x.attempts), x.delivered_at],
            ]),
          );
        await eventually(async () =>
          expect(await errors()).toEqual({
            big: ['HTTP 200: answered with more than 1048576 bytes', 1, null],
            endless: [
              'HTTP 200: answered with more than 262144 bytes',
              1,
              null,
            ],
            moved: ['HTTP 302 (redirects are not followed)', 1, null],
          }),
        );
        await waitUntil(() => endless.clientHungUp());
        expect(endless.written()).toBeLessThan(32 * 1024 * 1024);
        expect(moved.seen[0].headers['x-api-key']).toBe('siem-key-0123456789');
        expect(elsewhere.seen).toEqual([]);
        // each is tried again after its backoff
        h.clock.advance(2);
        await h.scheduler.run(WEBHOOKS_TASK_ID);
        expect(big.seen).toHaveLength(2);
        expect(moved.seen).toHaveLength(2);
        expect(elsewhere.seen).toEqual([]);
      } finally {
        await h.backend.stop();
      }
    });

    it('writes only the events a webhook subscribed to, and never access details', async () => {
      const knex = await databases.init(databaseId);
      const h = await start(knex, new TestClock(), [
        'access.granted',
        'audit.*',
      ]);
      try {
        const r = (
          await h.api.post('/requests', {
            resources: [
              {
                entityRef: 'resource:default/orders-db-staging',
                permissions: ['read'],
              },
            ],
          })
        ).body.items[0];
        await h.api.put(`/requests/${r.id}/favorite`).expect(200);
        await eventually(() =>
          expect(receiver.typesFor(r.id)).toEqual(['access.granted']),
        );
        expect((await outbox({ knex })).map((x: any) => x.event_type)).toEqual([
          'access.granted',
        ]);
        expect(JSON.stringify(receiver.deliveries)).not.toMatch(
          /accessDetails|password/,
        );
      } finally {
        await h.backend.stop();
      }
    });
  },
);
