import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AccessCheckContext } from '@jit-access/plugin-access-node';
import { http, HttpResponse, delay, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import {
  TestAnswer,
  useTestServers,
  waitUntil,
} from '../http/__testUtils__/hostileServers';
import { WebhookCheck, webhookCheckFactory } from './webhookCheck';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const URL = 'https://itsm.example.com/api/check';

function context(over: Partial<AccessCheckContext> = {}): AccessCheckContext {
  return {
    requestId: 'req-1',
    requester: {
      ref: 'user:default/alice',
      email: 'alice@example.com',
      displayName: 'Alice',
    },
    resources: [
      {
        entityRef: 'resource:default/orders-db',
        permissions: ['read', 'write'],
      },
    ],
    flow: { id: 'prod-db', title: 'Production databases' },
    justification: 'INC-1: orders are failing',
    durationSeconds: 3600,
    signal: new AbortController().signal,
    ...over,
  };
}

async function check(config: Record<string, unknown>) {
  return webhookCheckFactory.create({
    id: 'change-ticket',
    config: new ConfigReader({
      url: URL,
      validators: [
        { jsonPath: '$.incidents[0].status', expectedValues: ['acknowledged'] },
      ],
      ...config,
    }),
    logger: mockServices.logger.mock(),
  });
}

/**
 * Runs a GET check of `url` for `requester` while every path of itsm.example.com answers
 * "acknowledged"; returns the outcome and the URLs asked.
 */
async function askAs(url: string, requester: AccessCheckContext['requester']) {
  const asked: string[] = [];
  server.use(
    http.all('https://itsm.example.com/*', ({ request }) => {
      asked.push(request.url);
      return HttpResponse.json({ incidents: [{ status: 'acknowledged' }] });
    }),
  );
  const c = await check({ url, method: 'GET' });
  return { outcome: await c.run(context({ requester })), asked };
}

describe('webhook check', () => {
  it('passes when every validator finds an expected value, and says what it saw', async () => {
    server.use(
      http.post(URL, () =>
        HttpResponse.json({ incidents: [{ status: 'acknowledged' }] }),
      ),
    );
    const c = await check({});
    expect(await c.run(context())).toEqual({
      outcome: 'passed',
      detail: '$.incidents[0].status = "acknowledged"',
    });
  });

  it('fails when the value is not expected, naming both', async () => {
    server.use(
      http.post(URL, () =>
        HttpResponse.json({ incidents: [{ status: 'triggered' }] }),
      ),
    );
    const c = await check({});
    expect(await c.run(context())).toEqual({
      outcome: 'failed',
      detail: '$.incidents[0].status was "triggered"; expected acknowledged',
    });
  });

  it('accepts any of several expected values and numbers or booleans as strings', async () => {
    server.use(
      http.post(URL, () =>
        HttpResponse.json({ state: 'open', approved: true, level: 2 }),
      ),
    );
    const c = await check({
      validators: [
        { jsonPath: '$.state', expectedValues: ['approved', 'open'] },
        { jsonPath: '$.approved', expectedValues: [true] },
        { jsonPath: '$.level', expectedValues: [1, 2] },
      ],
    });
    expect((await c.run(context())).outcome).toBe('passed');
  });

  it('fails when a path is missing from the answer', async () => {
    server.use(http.post(URL, () => HttpResponse.json({ incidents: [] })));
    const c = await check({});
    expect(await c.run(context())).toEqual({
      outcome: 'failed',
      detail: '$.incidents[0].status is missing from the answer',
    });
  });

  it('matches any of several selected values with a wildcard path', async () => {
    server.use(
      http.post(URL, () =>
        HttpResponse.json({
          incidents: [{ status: 'triggered' }, { status: 'acknowledged' }],
        }),
      ),
    );
    const c = await check({
      validators: [
        { jsonPath: '$.incidents[*].status', expectedValues: ['acknowledged'] },
      ],
    });
    expect((await c.run(context())).outcome).toBe('passed');
  });

  it('is an error, never a pass, when the answer is not JSON', async () => {
    server.use(
      http.post(
        URL,
        () =>
          new HttpResponse('<html>gateway</html>', {
            status: 200,
            headers: { 'Content-Type': 'text/html' },
          }),
      ),
    );
    const c = await check({});
    expect(await c.run(context())).toEqual({
      outcome: 'error',
      detail: 'itsm.example.com answered with something that is not JSON',
    });
  });

  it('retries a 500 and then reports an error', async () => {
    let calls = 0;
    server.use(
      http.post(URL, () => {
        calls++;
        return new HttpResponse(null, { status: 500 });
      }),
    );
    const c = await check({ retries: 2 });
    expect(await c.run(context())).toEqual({
      outcome: 'error',
      detail: 'itsm.example.com answered 500 (after 3 tries)',
    });
    expect(calls).toBe(3);
  });

  it('retries after a 429 and then succeeds', async () => {
    let calls = 0;
    server.use(
      http.post(URL, () => {
        calls++;
        return calls === 1
          ? new HttpResponse(null, {
              status: 429,
              headers: { 'Retry-After': '0' },
            })
          : HttpResponse.json({ incidents: [{ status: 'acknowledged' }] });
      }),
    );
    const c = await check({});
    expect((await c.run(context())).outcome).toBe('passed');
    expect(calls).toBe(2);
  });

  it('is an error when the answer takes longer than the timeout', async () => {
    server.use(
      http.post(URL, async () => {
        await delay(2000);
        return HttpResponse.json({});
      }),
    );
    const c = await check({ timeout: { milliseconds: 200 } });
    expect(await c.run(context())).toEqual({
      outcome: 'error',
      detail: 'itsm.example.com did not answer within 0.2s',
    });
  });

  it('is an error on a 4xx answer', async () => {
    server.use(http.post(URL, () => new HttpResponse(null, { status: 403 })));
    const c = await check({});
    expect(await c.run(context())).toEqual({
      outcome: 'error',
      detail: 'itsm.example.com answered 403',
    });
  });

  it('fills the body template with JSON-escaped values and sends the configured headers', async () => {
    let received: any;
    let auth: string | null = null;
    server.use(
      http.post(URL, async ({ request }) => {
        received = await request.json();
        auth = request.headers.get('authorization');
        return HttpResponse.json({ incidents: [{ status: 'acknowledged' }] });
      }),
    );
    const c = await check({
      headers: { Authorization: 'Bearer s3cr3t-token' },
      body: '{"user_email": "{{requester.email}}", "entity": "{{resources.0.entityRef}}", "justification": "{{justification}}", "flow": "{{flow.id}}", "seconds": {{durationSeconds}}}',
    });
    const tricky = 'rollback "now"\n\\ then"}, "admin": true, "x": "';
    await c.run(context({ justification: tricky }));
    expect(received).toEqual({
      user_email: 'alice@example.com',
      entity: 'resource:default/orders-db',
      justification: tricky,
      flow: 'prod-db',
      seconds: 3600,
    });
    expect(auth).toBe('Bearer s3cr3t-token');
  });

  it('sends no body with GET and fills the URL with encoded values', async () => {
    let seen: { body: string; email: string | null } | undefined;
    server.use(
      http.get('https://pd.example.com/check', async ({ request }) => {
        seen = {
          body: await request.text(),
          email: new globalThis.URL(request.url).searchParams.get('email'),
        };
        return HttpResponse.json({ incidents: [{ status: 'acknowledged' }] });
      }),
    );
    const c = await check({
      url: 'https://pd.example.com/check?email={{requester.email}}',
      method: 'GET',
      body: '{"x": 1}',
    });
    expect(
      (
        await c.run(
          context({
            requester: { ref: 'user:default/a', email: 'a+b@example.com' },
          }),
        )
      ).outcome,
    ).toBe('passed');
    expect(seen).toEqual({ body: '', email: 'a+b@example.com' });
  });

  it.each(['..', '.'])(
    'refuses a %j value that would change the URL path, asking nobody',
    async value => {
      // /api/users/../check would be normalised to /api/check: another endpoint's answer
      const { outcome, asked } = await askAs(
        'https://itsm.example.com/api/users/{{requester.name}}/check',
        { ref: 'user:default/mallory', displayName: value },
      );
      expect(outcome).toEqual({
        outcome: 'error',
        detail: `itsm.example.com could not be asked: requester.name is "${value}", which would change the URL's path`,
      });
      expect(asked).toEqual([]);
    },
  );

  it('sends dots in the query and dots inside a path segment as they are', async () => {
    const { outcome, asked } = await askAs(
      'https://itsm.example.com/api/users/{{requester.email}}/check?name={{requester.name}}',
      { ref: 'user:default/a', email: 'a.b@example.com', displayName: '..' },
    );
    expect(outcome.outcome).toBe('passed');
    expect(asked).toEqual([
      'https://itsm.example.com/api/users/a.b%40example.com/check?name=..',
    ]);
  });

  it('never puts header secrets in what it reports', async () => {
    server.use(http.post(URL, () => new HttpResponse(null, { status: 503 })));
    const c = await check({
      headers: { Authorization: 'Bearer s3cr3t-token' },
      retries: 0,
    });
    const outcome = await c.run(context());
    expect(JSON.stringify(outcome)).not.toContain('s3cr3t');
  });

  it('keeps header secrets out of the detail when the endpoint echoes them', async () => {
    // an error page quoting the request, and a validated field echoing the header
    server.use(
      http.post(
        URL,
        ({ request }) =>
          new HttpResponse(
            `upstream failed for ${request.headers.get('authorization')}`,
            { status: 500 },
          ),
        { once: true },
      ),
      http.post(URL, ({ request }) =>
        HttpResponse.json({
          incidents: [{ status: request.headers.get('authorization') }],
        }),
      ),
    );
    const c = await check({
      headers: { Authorization: 'Bearer s3cr3t-token' },
      retries: 1,
    });
    const outcome = await c.run(context());
    expect(outcome).toEqual({
      outcome: 'failed',
      detail: '$.incidents[0].status was "***"; expected acknowledged',
    });
    // PagerDuty-style credentials are hidden also when only the token is echoed
    server.use(
      http.post(URL, ({ request }) =>
        HttpResponse.json({
          incidents: [
            {
              status: request.headers
                .get('authorization')!
                .replace('Token token=', ''),
            },
          ],
        }),
      ),
    );
    const pd = await check({
      headers: { Authorization: 'Token token=pd-k3y' },
    });
    expect((await pd.run(context())).detail).toBe(
      '$.incidents[0].status was "***"; expected acknowledged',
    );
  });

  it('refuses a header value fetch would reject, without quoting it', async () => {
    const attempt = check({
      headers: { Authorization: 'Bearer s3cr3t\nX-Injected: 1' },
    });
    await expect(attempt).rejects.toThrow(
      'headers.Authorization: is not a valid HTTP header name and value',
    );
    await expect(attempt).rejects.not.toThrow('s3cr3t');
    await expect(check({ headers: { 'X-Retries': 3 } })).rejects.toThrow(
      'headers.X-Retries: must be a string',
    );
  });

  it('redacts the header value from an error fetch raises about it', async () => {
    // as if start-up validation were bypassed: fetch's message quotes the value
    const c = new WebhookCheck({
      url: URL,
      method: 'POST',
      headers: { Authorization: 'Bearer s3cr3t\nX-Injected: 1' },
      validators: [{ jsonPath: '$.ok', expectedValues: ['true'] }],
      timeoutMs: 1000,
      retries: 0,
    });
    const outcome = await c.run(context());
    expect(outcome.outcome).toBe('error');
    expect(outcome.detail).toContain('itsm.example.com');
    expect(outcome.detail).not.toContain('s3cr3t');
  });

  describe('against endpoints that answer too much or elsewhere', () => {
    const serve = useTestServers();
    const start = async (answer: TestAnswer) => {
      const started = await serve(answer);
      // real servers: msw lets their requests through untouched
      server.use(http.all(`${started.origin}/*`, () => passthrough()));
      return started;
    };
    const headers = {
      Authorization: 'Bearer s3cr3t-token',
      'X-Api-Key': 'k3y-0123456789',
    };

    it('is an error, never a pass, when a passing answer is larger than the cap', async () => {
      const endpoint = await start({ big: 5 * 1024 * 1024 });
      const c = await check({ url: `${endpoint.origin}/check` });
      expect(await c.run(context())).toEqual({
        outcome: 'error',
        detail: `${endpoint.host} answered with more than 1048576 bytes`,
      });
      expect(endpoint.seen).toHaveLength(1);
      // the cap is configurable: the same answer passes under a larger one
      const roomy = await check({
        url: `${endpoint.origin}/check`,
        maxResponseBytes: 6 * 1024 * 1024,
      });
      expect((await roomy.run(context())).outcome).toBe('passed');
    });

    it('stops reading an endless answer at the cap and hangs up', async () => {
      const endpoint = await start({ endless: true });
      const c = await check({
        url: `${endpoint.origin}/check`,
        timeout: '10s',
        maxResponseBytes: 256 * 1024,
      });
      expect(await c.run(context())).toEqual({
        outcome: 'error',
        detail: `${endpoint.host} answered with more than 262144 bytes`,
      });
      await waitUntil(() => endpoint.clientHungUp());
      // socket buffers let the server write a few MB more, never the 64 MB it offers
      expect(endpoint.written()).toBeLessThan(32 * 1024 * 1024);
    }, 20_000);

    it('does not follow a redirect, so its headers never reach the other origin', async () => {
      const elsewhere = await start({
        json: { incidents: [{ status: 'acknowledged' }] },
      });
      const endpoint = await start({
        redirectTo: `${elsewhere.origin}/collect`,
      });
      const c = await check({ url: `${endpoint.origin}/check`, headers });
      expect(await c.run(context())).toEqual({
        outcome: 'error',
        detail: `${endpoint.host} answered 302 (redirects are not followed)`,
      });
      expect(endpoint.seen[0].headers['x-api-key']).toBe('k3y-0123456789');
      expect(elsewhere.seen).toEqual([]);
    });
  });

  it.each([
    [{ url: 'ftp://x' }, 'url: "ftp://x" is not an http(s) URL'],
    [{ method: 'DELETE' }, 'method: must be GET or POST'],
    [
      { validators: [] },
      'validators: a webhook check needs at least one validator',
    ],
    [
      { validators: [{ jsonPath: 'status', expectedValues: ['x'] }] },
      'validators[0].jsonPath: must start with $',
    ],
    [
      { validators: [{ jsonPath: '$.s', expectedValues: [] }] },
      'validators[0].expectedValues: must be a non-empty list',
    ],
    [{ timeout: 'soon' }, 'timeout: "soon" is not a duration'],
    [
      { maxResponseBytes: 0 },
      'maxResponseBytes: must be a whole number of bytes from 1 to 67108864',
    ],
    [
      { maxResponseBytes: '1MB' },
      'maxResponseBytes: must be a whole number of bytes from 1 to 67108864',
    ],
    [
      { body: '{"who": "{{requestor.email}}"}' },
      'body: unknown placeholder {{requestor.email}}',
    ],
  ])('refuses bad config %j', async (config, message) => {
    await expect(check(config)).rejects.toThrow(message);
  });
});
