import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { FreshserviceClient, FreshserviceError } from './FreshserviceClient';

const BASE = 'https://acme.freshservice.com';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const client = (
  options: Partial<ConstructorParameters<typeof FreshserviceClient>[0]> = {},
) => new FreshserviceClient({ baseUrl: BASE, apiKey: 'fs-key', ...options });

describe('FreshserviceClient', () => {
  it('adds a note with Basic auth (API key and X) and a JSON body', async () => {
    let seen:
      | { auth: string | null; type: string | null; body: unknown }
      | undefined;
    server.use(
      http.post(`${BASE}/api/v2/tickets/1042/notes`, async ({ request }) => {
        seen = {
          auth: request.headers.get('authorization'),
          type: request.headers.get('content-type'),
          body: await request.json(),
        };
        return HttpResponse.json(
          { conversation: { id: 7, body: '<b>x</b>', private: false } },
          { status: 201 },
        );
      }),
    );
    await expect(
      client().addNote(1042, { body: '<b>x</b>', private: false }),
    ).resolves.toEqual({ id: 7 });
    expect(seen).toEqual({
      auth: `Basic ${Buffer.from('fs-key:X').toString('base64')}`,
      type: 'application/json',
      body: { body: '<b>x</b>', private: false },
    });
  });

  it('sets the status and checks the answer is the ticket', async () => {
    server.use(
      http.put(`${BASE}/api/v2/tickets/1042`, () =>
        HttpResponse.json({ ticket: { id: 1042, status: 4 } }),
      ),
      http.put(`${BASE}/api/v2/tickets/9`, () =>
        HttpResponse.json({ ticket: { id: 10 } }),
      ),
    );
    await expect(client().setStatus(1042, 4)).resolves.toBeUndefined();
    await expect(client().setStatus(9, 4)).rejects.toThrow(
      'the answer is not this ticket',
    );
  });

  it('waits out a 429 by its Retry-After, then succeeds', async () => {
    let calls = 0;
    server.use(
      http.put(`${BASE}/api/v2/tickets/1`, () =>
        ++calls === 1
          ? new HttpResponse(null, {
              status: 429,
              headers: { 'Retry-After': '1' },
            })
          : HttpResponse.json({ ticket: { id: 1 } }),
      ),
    );
    const started = Date.now();
    await client().setStatus(1, 4);
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('fails on a 429 whose Retry-After is too long, or after too many', async () => {
    server.use(
      http.put(
        `${BASE}/api/v2/tickets/1`,
        () =>
          new HttpResponse(null, {
            status: 429,
            headers: { 'Retry-After': '3600' },
          }),
      ),
      http.put(
        `${BASE}/api/v2/tickets/2`,
        () =>
          new HttpResponse(null, {
            status: 429,
            headers: { 'Retry-After': '0' },
          }),
      ),
    );
    await expect(client().setStatus(1, 4)).rejects.toMatchObject({
      status: 429,
      permanent: false,
    });
    await expect(
      client({ maxRateLimitRetries: 2 }).setStatus(2, 4),
    ).rejects.toThrow('HTTP 429');
  });

  it('reports Freshservice validation errors, permanent for 400 and 404', async () => {
    server.use(
      http.put(`${BASE}/api/v2/tickets/1`, () =>
        HttpResponse.json(
          {
            description: 'Validation failed',
            errors: [
              {
                field: 'category',
                message: 'It should be a/an String',
                code: 'missing_field',
              },
            ],
          },
          { status: 400 },
        ),
      ),
      http.post(`${BASE}/api/v2/tickets/2/notes`, () =>
        HttpResponse.json(
          { code: 'access_denied', message: 'Record not found' },
          { status: 404 },
        ),
      ),
      http.post(`${BASE}/api/v2/tickets/3/notes`, () =>
        HttpResponse.json(
          { code: 'invalid_credentials', message: 'no' },
          { status: 401 },
        ),
      ),
    );
    const e = await client()
      .setStatus(1, 4)
      .catch(x => x);
    expect(e).toBeInstanceOf(FreshserviceError);
    expect(e.message).toBe(
      'PUT /api/v2/tickets/1: HTTP 400: Validation failed: category: It should be a/an String (missing_field)',
    );
    expect(e.permanent).toBe(true);
    await expect(
      client().addNote(2, { body: 'x', private: true }),
    ).rejects.toMatchObject({ status: 404, permanent: true });
    // a bad API key is fixed in config: retried, never given up
    await expect(
      client().addNote(3, { body: 'x', private: true }),
    ).rejects.toMatchObject({ status: 401, permanent: false });
  });

  it('fails closed on redirects, bodies that are not JSON or too large, and timeouts', async () => {
    server.use(
      http.put(
        `${BASE}/api/v2/tickets/1`,
        () =>
          new HttpResponse(null, {
            status: 302,
            headers: { Location: 'https://evil.example.com/' },
          }),
      ),
      http.put(
        `${BASE}/api/v2/tickets/2`,
        () => new HttpResponse('<html>ok</html>', { status: 200 }),
      ),
      http.put(
        `${BASE}/api/v2/tickets/3`,
        () => new HttpResponse('x'.repeat(300 * 1024), { status: 200 }),
      ),
      http.put(`${BASE}/api/v2/tickets/4`, async ({ request }) => {
        // answers only once the caller gave up
        await new Promise(r => request.signal.addEventListener('abort', r));
        return HttpResponse.json({ ticket: { id: 4 } });
      }),
    );
    await expect(client().setStatus(1, 4)).rejects.toThrow(
      'redirects are not followed',
    );
    await expect(client().setStatus(2, 4)).rejects.toThrow('not JSON');
    await expect(client().setStatus(3, 4)).rejects.toThrow(
      'more than 262144 bytes',
    );
    await expect(client({ timeoutMs: 100 }).setStatus(4, 4)).rejects.toThrow(
      'no answer within 100 ms',
    );
  });
});
