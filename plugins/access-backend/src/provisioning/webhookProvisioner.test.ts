import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { ProvisionerRequest } from '@jit-access/plugin-access-node';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Webhook } from 'standardwebhooks';
import {
  useTestServers,
  waitUntil,
} from '../http/__testUtils__/hostileServers';
import {
  readWebhookProvisionerOptions,
  WebhookProvisioner,
  WebhookProvisionerOptions,
  webhookProvisionerFactory,
} from './webhookProvisioner';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const API_KEY = 'k3y-that-must-stay-private';

const request: ProvisionerRequest = {
  requestId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  requester: 'user:default/alice',
  requesterEmail: 'alice@example.com',
  flowId: 'prod-db',
  resources: [
    {
      entityRef: 'resource:default/orders-db',
      permissions: ['read', 'write'],
      entity: {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name: 'orders-db',
          annotations: { 'internal/connection': 'do-not-send' },
        },
        spec: {},
      },
    },
  ],
  expiresAt: '2030-01-01T10:00:00.000Z',
};

function create(config: JsonObject) {
  return webhookProvisionerFactory.create({
    id: 'db-grants',
    config: new ConfigReader({ secret: SECRET, ...config }),
    logger: mockServices.logger.mock(),
  }) as WebhookProvisioner;
}

/** Like the factory, with short waits between tries so the tests stay fast. */
function fast(
  config: JsonObject,
  tuning: Partial<WebhookProvisionerOptions> = {},
) {
  return new WebhookProvisioner(
    {
      ...readWebhookProvisionerOptions(
        new ConfigReader({
          secret: SECRET,
          timeout: { milliseconds: 200 },
          ...config,
        }),
      ),
      backoffMs: 5,
      maxRetryAfterMs: 100,
      ...tuning,
    },
    mockServices.logger.mock(),
  );
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}

interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** A real HTTP receiver on 127.0.0.1; `answer` decides each response by call number. */
async function startReceiver(
  answer: (call: number, req: IncomingMessage, res: ServerResponse) => unknown,
) {
  const calls: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      calls.push({
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      Promise.resolve(answer(calls.length, req, res)).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/access?token=path-token-1234`,
    origin: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('webhook provisioner against a local receiver', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('posts the documented, verifiable access.grant event', async () => {
    receiver = await startReceiver((_, __, res) => res.writeHead(204).end());
    const p = create({
      url: receiver.url,
      headers: { 'X-Api-Key': API_KEY },
    });
    expect(await p.grant(request)).toEqual({});

    expect(receiver.calls).toHaveLength(1);
    const [call] = receiver.calls;
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['x-api-key']).toBe(API_KEY);
    expect(call.headers['webhook-id']).toBe(`msg_${request.requestId}_grant`);
    expect(
      Math.abs(Number(call.headers['webhook-timestamp']) - Date.now() / 1000),
    ).toBeLessThan(5);

    // What a receiver does with the official library.
    const verified = new Webhook(SECRET).verify(call.body, call.headers);
    expect(verified).toEqual({
      type: 'access.grant',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      data: {
        requestId: request.requestId,
        requester: 'user:default/alice',
        requesterEmail: 'alice@example.com',
        flowId: 'prod-db',
        resources: [
          {
            entityRef: 'resource:default/orders-db',
            permissions: ['read', 'write'],
          },
        ],
        expiresAt: '2030-01-01T10:00:00.000Z',
      },
    });
    expect(call.body).not.toContain('do-not-send');

    const tampered = call.body.replace('"read"', '"admin"');
    expect(() => new Webhook(SECRET).verify(tampered, call.headers)).toThrow(
      'No matching signature found',
    );
  });

  it('sends requesterEmail as null when the requester has none', async () => {
    receiver = await startReceiver((_, __, res) => res.writeHead(200).end());
    await fast({ url: receiver.url }).grant({
      ...request,
      requesterEmail: undefined,
    });
    expect(JSON.parse(receiver.calls[0].body).data.requesterEmail).toBeNull();
  });

  it('retries 503 twice with the same webhook-id, then succeeds', async () => {
    receiver = await startReceiver((call, _, res) =>
      res.writeHead(call <= 2 ? 503 : 200).end(),
    );
    const p = fast({ url: receiver.url });
    expect(await p.grant(request)).toEqual({});
    expect(receiver.calls).toHaveLength(3);

    const ids = receiver.calls.map(c => c.headers['webhook-id']);
    expect(new Set(ids)).toEqual(new Set([`msg_${request.requestId}_grant`]));
    // Every try is signed on its own and verifies.
    for (const c of receiver.calls) {
      expect(() => new Webhook(SECRET).verify(c.body, c.headers)).not.toThrow();
    }
    // The body is the same on every try of one call.
    expect(new Set(receiver.calls.map(c => c.body)).size).toBe(1);
  });

  it('keeps the webhook-id for a second grant of the same request (crash recovery)', async () => {
    receiver = await startReceiver((_, __, res) => res.writeHead(200).end());
    const p = fast({ url: receiver.url });
    await p.grant(request);
    await p.grant(request);
    await p.revoke(request);
    await p.grant({ ...request, requestId: 'another-request' });
    expect(receiver.calls.map(c => c.headers['webhook-id'])).toEqual([
      `msg_${request.requestId}_grant`,
      `msg_${request.requestId}_grant`,
      `msg_${request.requestId}_revoke`,
      'msg_another-request_grant',
    ]);
  });

  it('gives up on a receiver slower than the timeout and succeeds when it recovers', async () => {
    receiver = await startReceiver(async (call, _, res) => {
      if (call === 1) await new Promise(r => setTimeout(r, 600));
      if (!res.destroyed) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ accessDetails: { user: 'alice_tmp' } }));
      }
    });
    const p = fast({ url: receiver.url, timeout: { milliseconds: 150 } });
    const started = Date.now();
    expect(await p.grant(request)).toEqual({
      accessDetails: { user: 'alice_tmp' },
    });
    expect(receiver.calls).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(600);
  });

  it('says so when every try times out', async () => {
    receiver = await startReceiver(async (_, __, res) => {
      await new Promise(r => setTimeout(r, 400));
      if (!res.destroyed) res.writeHead(200).end();
    });
    const p = fast({
      url: receiver.url,
      timeout: { milliseconds: 100 },
      retries: 1,
    });
    expect(await failure(p.grant(request))).toBe(
      `${receiver.origin} did not answer within 0.1s after 2 tries`,
    );
  });

  it('throws after retries + 1 tries when the receiver always fails, leaking nothing', async () => {
    receiver = await startReceiver((_, __, res) =>
      res.writeHead(500).end(`boom ${SECRET}`),
    );
    const p = fast({
      url: receiver.url,
      retries: 2,
      headers: { Authorization: `Bearer ${API_KEY}` },
    });
    const message = await failure(p.grant(request));
    expect(message).toBe(`${receiver.origin} answered 500 after 3 tries`);
    expect(receiver.calls).toHaveLength(3);
    for (const secret of [SECRET, SECRET.slice(6), API_KEY, 'path-token']) {
      expect(message).not.toContain(secret);
    }
  });

  it('makes retries + 1 tries by default through the factory (3 retries)', async () => {
    receiver = await startReceiver((_, __, res) =>
      res.writeHead(503, { 'Retry-After': '0' }).end(),
    );
    const p = create({ url: receiver.url });
    expect(await failure(p.revoke(request))).toBe(
      `${receiver.origin} answered 503 after 4 tries`,
    );
    expect(receiver.calls).toHaveLength(4);
  });

  it('honours Retry-After on 429, capped', async () => {
    receiver = await startReceiver((call, _, res) =>
      call === 1
        ? res.writeHead(429, { 'Retry-After': '30' }).end()
        : res.writeHead(200).end(),
    );
    const p = fast({ url: receiver.url }, { maxRetryAfterMs: 150 });
    await p.grant(request);
    expect(receiver.calls).toHaveLength(2);
    const gap = receiver.calls[1].at - receiver.calls[0].at;
    expect(gap).toBeGreaterThanOrEqual(140);
    expect(gap).toBeLessThan(1000);
  });

  it('retries when nothing listens, naming the network error', async () => {
    receiver = await startReceiver((_, __, res) => res.writeHead(200).end());
    const { url, origin } = receiver;
    await receiver.close();
    receiver = undefined;
    const p = fast({ url, retries: 1 });
    expect(await failure(p.grant(request))).toBe(
      `${origin} could not be reached (ECONNREFUSED) after 2 tries`,
    );
  });
});

describe('webhook provisioner against receivers that answer too much or elsewhere', () => {
  const start = useTestServers();

  it('fails and retries a grant or revoke whose answer is larger than the cap', async () => {
    const receiver = await start({ big: 5 * 1024 * 1024 });
    const p = fast({ url: `${receiver.origin}/hooks`, retries: 1 });
    expect(await failure(p.grant(request))).toBe(
      `${receiver.origin} answered with more than 1048576 bytes after 2 tries`,
    );
    expect(await failure(p.revoke(request))).toBe(
      `${receiver.origin} answered with more than 1048576 bytes after 2 tries`,
    );
    expect(receiver.seen).toHaveLength(4);
    // the cap is configurable
    const roomy = fast({
      url: `${receiver.origin}/hooks`,
      maxResponseBytes: 6 * 1024 * 1024,
    });
    expect(await roomy.grant(request)).toEqual({});
  });

  it('stops reading an endless answer at the cap and hangs up', async () => {
    const receiver = await start({ endless: true });
    const p = fast({
      url: `${receiver.origin}/hooks`,
      retries: 0,
      timeout: '10s',
      maxResponseBytes: 256 * 1024,
    });
    expect(await failure(p.grant(request))).toBe(
      `${receiver.origin} answered with more than 262144 bytes after 1 try`,
    );
    await waitUntil(() => receiver.clientHungUp());
    expect(receiver.written()).toBeLessThan(32 * 1024 * 1024);
  }, 20_000);

  it('does not follow a redirect, so its headers never reach the other origin', async () => {
    const elsewhere = await start({ json: {} });
    const receiver = await start({ redirectTo: `${elsewhere.origin}/collect` });
    const p = fast({
      url: `${receiver.origin}/hooks`,
      headers: { Authorization: `Bearer ${API_KEY}`, 'X-Api-Key': API_KEY },
    });
    expect(await failure(p.grant(request))).toBe(
      `${receiver.origin} answered 302 (redirects are not followed)`,
    );
    expect(receiver.seen[0].headers['x-api-key']).toBe(API_KEY);
    expect(elsewhere.seen).toEqual([]);
  });
});

describe('webhook provisioner answers (msw)', () => {
  const URL = 'https://grants.example.com/hooks/access';
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  function answer(response: () => Response) {
    const seen: Array<{ body: any; headers: Headers }> = [];
    server.use(
      http.post(URL, async ({ request: req }) => {
        seen.push({ body: await req.json(), headers: req.headers });
        return response();
      }),
    );
    return seen;
  }

  it('fails at once on 400 with an excerpt of the body', async () => {
    const seen = answer(
      () =>
        new HttpResponse(
          `{"error":"unknown database",\n "detail":"${'x'.repeat(300)}"}`,
          { status: 400 },
        ),
    );
    const message = await failure(fast({ url: URL }).grant(request));
    expect(seen).toHaveLength(1);
    expect(message).toMatch(
      /^https:\/\/grants\.example\.com answered 400: \{"error":"unknown database", "detail":"x+…$/,
    );
    expect(message.length).toBeLessThan(
      'https://grants.example.com answered 400: '.length + 202,
    );
  });

  it('redacts the secret and header values a receiver echoes back', async () => {
    answer(
      () =>
        new HttpResponse(`bad signature for ${SECRET} with key ${API_KEY}`, {
          status: 401,
        }),
    );
    const message = await failure(
      fast({ url: URL, headers: { 'X-Api-Key': API_KEY } }).grant(request),
    );
    expect(message).toBe(
      'https://grants.example.com answered 401: bad signature for *** with key ***',
    );
  });

  it('names the status alone when a 4xx has no body, and does not follow redirects', async () => {
    answer(() => new HttpResponse(null, { status: 404 }));
    expect(await failure(fast({ url: URL }).revoke(request))).toBe(
      'https://grants.example.com answered 404',
    );
    answer(
      () =>
        new HttpResponse(null, {
          status: 307,
          headers: { Location: 'https://elsewhere.example.com/' },
        }),
    );
    expect(await failure(fast({ url: URL }).grant(request))).toBe(
      'https://grants.example.com answered 307 (redirects are not followed)',
    );
  });

  it('returns accessDetails, stringifying numbers and booleans', async () => {
    answer(() =>
      HttpResponse.json({
        status: 'granted',
        accessDetails: {
          host: 'orders-db.internal',
          port: 5432,
          readOnly: false,
        },
      }),
    );
    expect(await fast({ url: URL }).grant(request)).toEqual({
      accessDetails: {
        host: 'orders-db.internal',
        port: '5432',
        readOnly: 'false',
      },
    });
  });

  it.each([
    ['an empty body', () => new HttpResponse(null, { status: 204 })],
    ['a text body', () => new HttpResponse('OK', { status: 200 })],
    ['a JSON array', () => HttpResponse.json([{ accessDetails: { a: 'b' } }])],
    ['no accessDetails', () => HttpResponse.json({ ok: true })],
    ['accessDetails null', () => HttpResponse.json({ accessDetails: null })],
    [
      'accessDetails a string',
      () => HttpResponse.json({ accessDetails: 'user=alice' }),
    ],
    [
      'accessDetails a list',
      () => HttpResponse.json({ accessDetails: ['alice'] }),
    ],
    [
      'a nested value',
      () =>
        HttpResponse.json({ accessDetails: { user: 'a', db: { name: 'x' } } }),
    ],
    [
      'a null value',
      () => HttpResponse.json({ accessDetails: { user: null } }),
    ],
    ['empty accessDetails', () => HttpResponse.json({ accessDetails: {} })],
  ])('ignores %s', async (_, response) => {
    answer(response);
    expect(await fast({ url: URL }).grant(request)).toEqual({});
  });

  it('keeps a __proto__ key as a plain detail', async () => {
    answer(
      () =>
        new HttpResponse('{"accessDetails":{"__proto__":"x","user":"a"}}', {
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    const result = await fast({ url: URL }).grant(request);
    expect(Object.getPrototypeOf(result.accessDetails)).toBe(Object.prototype);
    expect(Object.keys(result.accessDetails!)).toEqual(['__proto__', 'user']);
  });

  it('sends access.revoke and ignores the answer', async () => {
    const seen = answer(() =>
      HttpResponse.json({ accessDetails: { user: 'alice' } }),
    );
    await expect(fast({ url: URL }).revoke(request)).resolves.toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0].body.type).toBe('access.revoke');
    expect(seen[0].body.data.requestId).toBe(request.requestId);
    expect(seen[0].headers.get('webhook-id')).toBe(
      `msg_${request.requestId}_revoke`,
    );
  });
});

describe('webhook provisioner config', () => {
  function problem(config: JsonObject): string {
    try {
      webhookProvisionerFactory.create({
        id: 'db-grants',
        config: new ConfigReader(config, 'access.provisioners.db-grants'),
        logger: mockServices.logger.mock(),
      });
    } catch (e) {
      return (e as Error).message;
    }
    return 'no problem';
  }
  const ok = { url: 'https://grants.example.com/hooks', secret: SECRET };

  it('accepts a minimal config with the defaults', () => {
    expect(problem(ok)).toBe('no problem');
    expect(
      readWebhookProvisionerOptions(new ConfigReader(ok)),
    ).toEqual<WebhookProvisionerOptions>({
      url: ok.url,
      secret: SECRET,
      headers: {},
      timeoutMs: 10_000,
      retries: 3,
      maxResponseBytes: 1024 * 1024,
    });
    expect(
      readWebhookProvisionerOptions(
        new ConfigReader({
          ...ok,
          timeout: '30s',
          retries: 0,
          headers: { 'X-Api-Key': 'k' },
        }),
      ),
    ).toMatchObject({
      timeoutMs: 30_000,
      retries: 0,
      headers: { 'X-Api-Key': 'k' },
    });
  });

  it.each([
    [{ secret: SECRET }, /url/],
    [
      { ...ok, url: 'grants.example.com/hooks' },
      /^url: must be an absolute http\(s\) URL$/,
    ],
    [
      { ...ok, url: 'ftp://grants.example.com/' },
      /^url: must be an http\(s\) URL, not ftp$/,
    ],
    [
      { ...ok, url: 'https://u:p@grants.example.com/' },
      /^url: must not contain a user name or password/,
    ],
    [{ url: ok.url }, /secret/],
    [
      { ...ok, secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      /^secret: must be a Standard Webhooks secret \(whsec_/,
    ],
    [
      { ...ok, secret: 'whsec_***' },
      /^secret: must be a Standard Webhooks secret \(whsec_/,
    ],
    [{ ...ok, retries: 11 }, /^retries: must be a whole number from 0 to 10$/],
    [{ ...ok, retries: -1 }, /^retries: must be a whole number from 0 to 10$/],
    [{ ...ok, retries: 1.5 }, /^retries: must be a whole number from 0 to 10$/],
    [
      { ...ok, retries: 'many' },
      /^retries: must be a whole number from 0 to 10$/,
    ],
    [{ ...ok, timeout: 'soon' }, /^timeout: "soon" is not a duration/],
    [
      { ...ok, maxResponseBytes: -5 },
      /^maxResponseBytes: must be a whole number of bytes from 1 to 67108864$/,
    ],
    [
      { ...ok, headers: { 'Webhook-Signature': 'v1,x' } },
      /^headers\.Webhook-Signature: is set by the webhook provisioner/,
    ],
    [
      { ...ok, headers: { 'Content-Type': 'text/plain' } },
      /^headers\.Content-Type: is set by the webhook provisioner/,
    ],
    [
      { ...ok, headers: { 'X-Api-Key': 'a\nb' } },
      /^headers\.X-Api-Key: is not a valid HTTP header/,
    ],
  ])('rejects %j', (config, message) => {
    expect(problem(config)).toMatch(message);
  });

  it('never puts the secret or URL into its messages', () => {
    const secret = 'whsec_not-base64-but-secret-anyway';
    expect(problem({ ...ok, secret })).not.toContain('secret-anyway');
    expect(problem({ ...ok, url: 'not a url?token=abc123' })).not.toContain(
      'abc123',
    );
  });

  it('warns about secrets shorter than Standard Webhooks recommends', () => {
    const logger = mockServices.logger.mock();
    webhookProvisionerFactory.create({
      id: 'db-grants',
      config: new ConfigReader({ ...ok, secret: 'whsec_YWJjZA==' }),
      logger,
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/^secret holds 4 bytes/),
    );
  });
});
