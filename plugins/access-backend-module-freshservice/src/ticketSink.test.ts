import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AccessEvent } from '@jit-access/plugin-access-node';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { readFreshserviceSettings } from './config';
import { FreshserviceClient } from './FreshserviceClient';
import { createFreshserviceTicketSink, noteFor, ticketOf } from './ticketSink';

const BASE = 'https://acme.freshservice.com';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const request = {
  id: 'req-1',
  status: 'expired',
  requester: 'user:default/alice',
  createdBy: 'service:freshservice-workflow',
  flowId: 'prod-db',
  flowTitle: 'Production databases',
  approvalType: 'manual',
  resources: [
    { entityRef: 'resource:default/orders-db', permissions: ['read'] },
  ],
  justification: '[Freshservice #1042] <script>alert(1)</script>',
  durationSeconds: 3600,
  approvers: ['group:default/dba'],
  breakGlass: false,
  createdAt: '2026-11-25T10:00:00.000Z',
  endReason: 'Access ran out',
  link: '/access/requests/req-1',
};
const event = (
  type: string,
  over: Partial<AccessEvent['data']> = {},
): AccessEvent => ({
  id: 'evt_1',
  type,
  timestamp: '2026-11-25T11:00:00.000Z',
  data: {
    action: 'x',
    actor: 'system',
    severity: 'low',
    details: {},
    request,
    ...over,
  },
});

function sink(logger = mockServices.logger.mock()) {
  return createFreshserviceTicketSink({
    client: new FreshserviceClient({ baseUrl: BASE, apiKey: 'k' }),
    services: ['freshservice-workflow'],
    privateNotes: false,
    resolvedStatus: 4,
    appBaseUrl: 'https://backstage.example.com',
    logger,
  });
}

describe('ticketOf', () => {
  it('takes the ticket only from requests the configured services filed', () => {
    expect(ticketOf(request, ['freshservice-workflow'])).toBe(1042);
    expect(
      ticketOf({ ...request, createdBy: 'user:default/alice' }, [
        'freshservice-workflow',
      ]),
    ).toBeUndefined();
    expect(
      ticketOf({ ...request, justification: 'see [Freshservice #1042]' }, [
        'freshservice-workflow',
      ]),
    ).toBeUndefined();
    expect(ticketOf(undefined, ['freshservice-workflow'])).toBeUndefined();
  });
});

describe('noteFor', () => {
  it('escapes what people wrote and links the request', () => {
    const html = noteFor(
      event('request.rejected', {
        actor: 'user:default/dana',
        details: { comment: '<b>no</b>' },
      }),
      'https://backstage.example.com',
    );
    expect(html).toContain('<b>Access request rejected</b>');
    expect(html).toContain('By user:default/dana');
    expect(html).toContain('Comment: &lt;b&gt;no&lt;/b&gt;');
    expect(html).toContain(
      'href="https://backstage.example.com/access/requests/req-1"',
    );
    expect(html).not.toContain('<script>');
  });
});

describe('the Freshservice ticket sink', () => {
  it('on expiry resolves the ticket, then adds a public note', async () => {
    const calls: string[] = [];
    server.use(
      http.put(`${BASE}/api/v2/tickets/1042`, async ({ request: r }) => {
        calls.push(`PUT ${JSON.stringify(await r.json())}`);
        return HttpResponse.json({ ticket: { id: 1042, status: 4 } });
      }),
      http.post(`${BASE}/api/v2/tickets/1042/notes`, async ({ request: r }) => {
        const body = (await r.json()) as any;
        calls.push(
          `POST private=${body.private} ${/<b>(.*?)<\/b>/.exec(body.body)![1]}`,
        );
        return HttpResponse.json({ conversation: { id: 1 } }, { status: 201 });
      }),
    );
    await sink().deliver(event('access.expired'), {
      signal: new AbortController().signal,
    });
    expect(calls).toEqual([
      'PUT {"status":4}',
      'POST private=false Access expired and was removed',
    ]);
  });

  it('adds only a note on approval, and ignores other requests and events', async () => {
    const calls: string[] = [];
    server.use(
      http.post(`${BASE}/api/v2/tickets/1042/notes`, () => {
        calls.push('note');
        return HttpResponse.json({ conversation: { id: 1 } }, { status: 201 });
      }),
    );
    const s = sink();
    const signal = new AbortController().signal;
    await s.deliver(event('request.approved'), { signal });
    await s.deliver(event('access.expiring'), { signal });
    await s.deliver(
      event('access.expired', {
        request: { ...request, createdBy: 'service:other' },
      }),
      { signal },
    );
    expect(calls).toEqual(['note']);
  });

  it('throws (to be retried) on 5xx and 401, gives up with an error log on 404', async () => {
    const logger = mockServices.logger.mock();
    server.use(
      http.post(`${BASE}/api/v2/tickets/1042/notes`, () =>
        HttpResponse.json({ message: 'down' }, { status: 503 }),
      ),
    );
    const signal = new AbortController().signal;
    await expect(
      sink(logger).deliver(event('access.granted'), { signal }),
    ).rejects.toThrow('HTTP 503');
    server.use(
      http.post(`${BASE}/api/v2/tickets/1042/notes`, () =>
        HttpResponse.json(
          { code: 'access_denied', message: 'Record not found' },
          { status: 404 },
        ),
      ),
    );
    await expect(
      sink(logger).deliver(event('access.granted'), { signal }),
    ).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('given up'),
    );
  });

  it('still adds the note when the ticket refuses to be resolved (400)', async () => {
    const logger = mockServices.logger.mock();
    let notes = 0;
    server.use(
      http.put(`${BASE}/api/v2/tickets/1042`, () =>
        HttpResponse.json(
          {
            description: 'Validation failed',
            errors: [
              { field: 'category', message: 'required', code: 'missing_field' },
            ],
          },
          { status: 400 },
        ),
      ),
      http.post(`${BASE}/api/v2/tickets/1042/notes`, () => {
        notes++;
        return HttpResponse.json({ conversation: { id: 1 } }, { status: 201 });
      }),
    );
    await sink(logger).deliver(event('access.revoked'), {
      signal: new AbortController().signal,
    });
    expect(notes).toBe(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('could not be resolved'),
    );
  });
});

describe('freshservice config', () => {
  const read = (freshservice: unknown) =>
    readFreshserviceSettings(new ConfigReader({ freshservice } as any));
  const ok = {
    baseUrl: BASE,
    apiKey: 'k',
    services: ['freshservice-workflow'],
  };

  it('reads defaults', () => {
    expect(read(ok)).toMatchObject({
      baseUrl: BASE,
      privateNotes: false,
      resolvedStatus: 4,
      timeoutMs: 10_000,
    });
    expect(readFreshserviceSettings(new ConfigReader({}))).toBeUndefined();
  });

  it.each([
    [
      { ...ok, baseUrl: 'http://acme.freshservice.com' },
      'freshservice.baseUrl: must be https://',
    ],
    [
      { ...ok, baseUrl: 'https://u:p@acme.freshservice.com' },
      'freshservice.baseUrl: no user name',
    ],
    [
      { ...ok, baseUrl: 'https://acme.freshservice.com/api/v2' },
      'freshservice.baseUrl: the account',
    ],
    [{ ...ok, apiKey: undefined }, 'freshservice.apiKey'],
    [{ ...ok, services: [] }, 'freshservice.services'],
    [{ ...ok, services: ['service:x'] }, 'freshservice.services[0]'],
    [{ ...ok, resolvedStatus: 3 }, 'freshservice.resolvedStatus'],
    [{ ...ok, timeout: '1h' }, 'freshservice.timeout'],
    [{ ...ok, timeout: 'soon' }, 'freshservice.timeout'],
  ])('names the bad key (%#)', (config, message) => {
    expect(() => read(config)).toThrow(message);
  });
});
