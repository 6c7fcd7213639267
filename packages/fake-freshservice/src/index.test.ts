import { FakeFreshservice, startFakeFreshservice } from './index';

const KEY = 'fs-api-key';
const auth = (key = KEY, password = 'X') =>
  `Basic ${Buffer.from(`${key}:${password}`).toString('base64')}`;

describe('fake Freshservice', () => {
  let fake: FakeFreshservice;
  beforeEach(async () => {
    fake = await startFakeFreshservice({ apiKey: KEY, tickets: [{ id: 42 }] });
  });
  afterEach(() => fake.close());

  const call = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${fake.url}${path}`, {
      method,
      headers: {
        authorization: auth(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('adds a note: 201 with the conversation, private by default', async () => {
    const res = await call('POST', '/api/v2/tickets/42/notes', {
      body: '<div>Access <b>approved</b></div>',
    });
    expect(res.status).toBe(201);
    const { conversation } = await res.json();
    expect(conversation).toMatchObject({
      body: '<div>Access <b>approved</b></div>',
      body_text: 'Access approved',
      ticket_id: 42,
      private: true,
      incoming: false,
    });
    expect(fake.ticket(42)!.conversations).toHaveLength(1);
  });

  it('refuses a note without a body, with a wrong type, or an unknown field', async () => {
    const res = await call('POST', '/api/v2/tickets/42/notes', {
      private: 'no',
      colour: 'red',
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.description).toBe('Validation failed');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'body', code: 'missing_field' }),
        expect.objectContaining({
          field: 'private',
          code: 'datatype_mismatch',
        }),
        expect.objectContaining({ field: 'colour', code: 'invalid_field' }),
      ]),
    );
    expect(fake.ticket(42)!.conversations).toHaveLength(0);
  });

  it('updates the status to 2..5 only', async () => {
    const ok = await call('PUT', '/api/v2/tickets/42', { status: 4 });
    expect(ok.status).toBe(200);
    expect((await ok.json()).ticket).toMatchObject({ id: 42, status: 4 });
    const bad = await call('PUT', '/api/v2/tickets/42', { status: 9 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0]).toMatchObject({
      field: 'status',
      code: 'invalid_value',
    });
    expect(fake.ticket(42)!.status).toBe(4);
  });

  it('wants Basic auth with the API key and X', async () => {
    for (const authorization of [
      auth('wrong-key'),
      auth(KEY, 'secret'),
      `Bearer ${KEY}`,
    ]) {
      const res = await call('GET', '/api/v2/tickets/42', undefined, {
        authorization,
      });
      expect(res.status).toBe(401);
      expect((await res.json()).code).toBe('invalid_credentials');
    }
    expect((await call('GET', '/api/v2/tickets/42')).status).toBe(200);
  });

  it('answers 404 for an unknown ticket, 415 without JSON, 400 on bad JSON', async () => {
    expect((await call('GET', '/api/v2/tickets/7')).status).toBe(404);
    expect(
      (
        await call('POST', '/api/v2/tickets/42/notes', '{"body":"x"}', {
          'content-type': 'text/plain',
        })
      ).status,
    ).toBe(415);
    const bad = await call('POST', '/api/v2/tickets/42/notes', '{nope');
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].code).toBe('invalid_json');
  });

  it('answers 429 with Retry-After when rate limited, then serves again', async () => {
    fake.rateLimit(1, 3);
    const limited = await call('GET', '/api/v2/tickets/42');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await call('GET', '/api/v2/tickets/42')).status).toBe(200);
    expect(fake.calls().map(c => c.status)).toEqual([429, 200]);
  });

  it('has admin endpoints for tickets and a reset', async () => {
    const created = await fetch(`${fake.url}/__admin/tickets`, {
      method: 'POST',
      body: JSON.stringify({ id: 77, subject: 'Access to orders-db' }),
    });
    expect(created.status).toBe(201);
    await call('POST', '/api/v2/tickets/77/notes', {
      body: 'hi',
      private: false,
    });
    const seen = await (await fetch(`${fake.url}/__admin/tickets/77`)).json();
    expect(seen.ticket.conversations[0]).toMatchObject({
      body: 'hi',
      private: false,
    });
    await fetch(`${fake.url}/__admin/reset`, { method: 'POST' });
    expect(fake.ticket(77)).toBeUndefined();
    expect(fake.ticket(42)).toBeDefined();
  });
});
