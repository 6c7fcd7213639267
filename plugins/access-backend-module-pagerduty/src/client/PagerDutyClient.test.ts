import { delay, http, HttpResponse } from 'msw';
import {
  BASE_URL,
  setupPagerDutyApi,
  testClient,
  TOKEN,
} from '../__testUtils__/pagerDutyApi';
import { PagerDutyClient } from './PagerDutyClient';

const api = setupPagerDutyApi();

describe('PagerDutyClient', () => {
  it('sends the token and the API version on every request', async () => {
    await testClient().findUserByEmail('sam@acme.example');
    expect(api.state.requests).toHaveLength(1);
    const { headers, url } = api.state.requests[0];
    expect(headers.get('authorization')).toBe(`Token token=${TOKEN}`);
    expect(headers.get('accept')).toBe(
      'application/vnd.pagerduty+json;version=2',
    );
    expect(url.pathname).toBe('/users');
    expect(url.searchParams.get('query')).toBe('sam@acme.example');
    expect(url.searchParams.get('limit')).toBe('100');
  });

  it('finds a user by exact e-mail, ignoring case and near matches', async () => {
    const client = testClient();
    expect(await client.findUserByEmail('Sam@ACME.example')).toMatchObject({
      id: 'PSAM001',
    });
    expect(await client.findUserByEmail('sam@acme')).toBeUndefined();
  });

  it('repeats array parameters, as PagerDuty wants them', async () => {
    await testClient().listOnCalls({
      userIds: ['P1', 'P2'],
      scheduleIds: ['S1'],
      escalationPolicyIds: ['E1', 'E2'],
    });
    const { url } = api.state.requests[0];
    expect(url.searchParams.getAll('user_ids[]')).toEqual(['P1', 'P2']);
    expect(url.searchParams.getAll('schedule_ids[]')).toEqual(['S1']);
    expect(url.searchParams.getAll('escalation_policy_ids[]')).toEqual([
      'E1',
      'E2',
    ]);
  });

  it('asks for open incidents however old (date_range=all), assigned to the user', async () => {
    await testClient().listIncidents({
      userIds: ['PBOB001'],
      statuses: ['acknowledged', 'triggered'],
    });
    expect(api.state.requests).toHaveLength(1);
    const { url } = api.state.requests[0];
    expect(url.pathname).toBe('/incidents');
    expect(url.searchParams.get('date_range')).toBe('all');
    expect(url.searchParams.getAll('user_ids[]')).toEqual(['PBOB001']);
    expect(url.searchParams.getAll('statuses[]')).toEqual([
      'acknowledged',
      'triggered',
    ]);
  });

  it("asks for resolved incidents by service in PagerDuty's default window, and reads their log", async () => {
    api.state.incidents[0] = {
      ...api.state.incidents[0],
      status: 'resolved',
      resolver: 'PALICE1',
    };
    const client = testClient();
    const resolved = await client.listResolvedIncidents({
      serviceIds: ['PORD001'],
    });
    expect(resolved).toEqual([
      expect.objectContaining({
        id: 'PINC042',
        assignments: [],
        last_status_change_by: expect.objectContaining({
          id: 'PALICE1',
          type: 'user_reference',
        }),
      }),
    ]);
    const { url } = api.state.requests[0];
    expect(url.searchParams.getAll('statuses[]')).toEqual(['resolved']);
    expect(url.searchParams.getAll('service_ids[]')).toEqual(['PORD001']);
    // user_ids[] would list nothing: resolved incidents are assigned to nobody
    expect(url.searchParams.has('user_ids[]')).toBe(false);
    expect(url.searchParams.has('date_range')).toBe(false);
    expect(url.searchParams.get('sort_by')).toBe('resolved_at:desc');

    const log = await client.listIncidentLogEntries('PINC042');
    expect(log.map(e => [e.type, e.agent?.id])).toEqual([
      ['trigger_log_entry', 'PORD001'],
      ['acknowledge_log_entry', 'PBOB001'],
      ['resolve_log_entry', 'PALICE1'],
    ]);
    expect(api.state.requests[1].url.pathname).toBe(
      '/incidents/PINC042/log_entries',
    );
  });

  it('follows pagination across pages', async () => {
    api.state.pageSize = 2;
    // the query matches all five; the exact e-mail is on the third page
    api.state.users = [
      ...Array.from({ length: 4 }, (_, i) => ({
        id: `PU${i}`,
        name: `Sam ${i}`,
        email: `team${i}-sam@acme.example`,
      })),
      { id: 'PSAM001', name: 'Sam Singh', email: 'sam@acme.example' },
    ];
    const user = await testClient().findUserByEmail('sam@acme.example');
    expect(user).toMatchObject({ id: 'PSAM001' });
    expect(
      api.state.requests.map(r => r.url.searchParams.get('offset')),
    ).toEqual(['0', '2', '4']);
  });

  it('stops after the most pages it follows', async () => {
    api.state.pageSize = 1;
    api.state.users = [
      ...Array.from({ length: 10 }, (_, i) => ({
        id: `PU${i}`,
        name: `Sam ${i}`,
        email: `team${i}-sam@acme.example`,
      })),
      { id: 'PSAM001', name: 'Sam Singh', email: 'sam@acme.example' },
    ];
    const client = testClient({ maxPages: 3 });
    expect(await client.findUserByEmail('sam@acme.example')).toBeUndefined();
    expect(api.state.requests).toHaveLength(3);
  });

  it('finds schedules by exact, case-sensitive name and reports unknown names', async () => {
    const client = testClient();
    expect(await client.findScheduleIdsByNames(['DBA', 'dba', 'Nope'])).toEqual(
      {
        schedules: [{ id: 'PDBA001', name: 'DBA' }],
        unknown: ['dba', 'Nope'],
      },
    );
  });

  const count = (path: string) =>
    api.state.requests.filter(r => r.url.pathname === path).length;

  it('caches users, schedules and services for 5 minutes, on-call and incident answers for 30 s', async () => {
    let now = 1_000_000;
    const client = testClient({ now: () => now });
    const askAll = async () => {
      await client.findUserByEmail('sam@acme.example');
      await client.findScheduleIdsByNames(['DBA']);
      await client.getService('PABC123');
      await client.listOnCalls({ userIds: ['PSAM001'] });
      await client.listIncidents({
        userIds: ['PSAM001'],
        statuses: ['acknowledged'],
      });
    };
    await askAll();
    now += 30_000;
    await askAll();
    expect(count('/users')).toBe(1);
    expect(count('/schedules')).toBe(1);
    expect(count('/services/PABC123')).toBe(1);
    expect(count('/oncalls')).toBe(1);
    expect(count('/incidents')).toBe(1);
    // after 30 s, on-call and incident answers are asked again; look-ups after 5 minutes
    now += 1;
    await askAll();
    expect(count('/oncalls')).toBe(2);
    expect(count('/incidents')).toBe(2);
    expect(count('/users')).toBe(1);
    now += 5 * 60_000;
    await client.findUserByEmail('sam@acme.example');
    expect(count('/users')).toBe(2);
  });

  it('asks once for many callers wanting the same on-call at the same time', async () => {
    const client = testClient();
    const answers = await Promise.all(
      Array.from({ length: 300 }, () =>
        client.listOnCalls({ userIds: ['PSAM001'], scheduleIds: ['PSRE001'] }),
      ),
    );
    expect(count('/oncalls')).toBe(1);
    expect(new Set(answers.map(a => a.length))).toEqual(new Set([1]));
    // another schedule, another user: other answers
    await client.listOnCalls({
      userIds: ['PSAM001'],
      scheduleIds: ['PDBA001'],
    });
    await client.listOnCalls({
      userIds: ['PDANA01'],
      scheduleIds: ['PSRE001'],
    });
    expect(count('/oncalls')).toBe(3);
  });

  it('asks afresh when told to (re-verification), and keeps the fresh answer', async () => {
    const client = testClient();
    expect(await client.listOnCalls({ userIds: ['PSAM001'] })).toHaveLength(1);
    api.state.oncalls = [];
    expect(
      await client.listOnCalls({ userIds: ['PSAM001'] }, { fresh: true }),
    ).toEqual([]);
    expect(await client.listOnCalls({ userIds: ['PSAM001'] })).toEqual([]);
    expect(count('/oncalls')).toBe(2);
  });

  it('does not keep an answer it could not get', async () => {
    let fail = true;
    api.server.use(
      http.get(`${BASE_URL}/oncalls`, ({ request }) => {
        if (fail) return new HttpResponse(null, { status: 503 });
        api.state.requests.push({
          method: request.method,
          url: new URL(request.url),
          headers: request.headers,
        });
        return HttpResponse.json({ oncalls: [], more: false });
      }),
    );
    const client = testClient();
    await expect(client.listOnCalls({ userIds: ['PSAM001'] })).rejects.toThrow(
      'PagerDuty did not answer: 503 after 3 tries',
    );
    fail = false;
    await expect(client.listOnCalls({ userIds: ['PSAM001'] })).resolves.toEqual(
      [],
    );
    expect(count('/oncalls')).toBe(1);
  });

  it('keeps at most cacheMaxEntries answers', async () => {
    const client = testClient({ cacheMaxEntries: 5 });
    const users = Array.from({ length: 50 }, (_, i) => `PU${i}`);
    for (const id of users) {
      await client.listOnCalls({ userIds: [id] });
    }
    expect(client.cacheSize()).toBeLessThanOrEqual(10);
    // the first user's answer was let go: asked again
    await client.listOnCalls({ userIds: ['PU0'] });
    expect(count('/oncalls')).toBe(51);
  });

  it('turns the answer cache off with answerCacheTtlMs 0', async () => {
    const client = testClient({ answerCacheTtlMs: 0 });
    await client.listOnCalls({ userIds: ['PSAM001'] });
    await client.listOnCalls({ userIds: ['PSAM001'] });
    expect(count('/oncalls')).toBe(2);
  });

  describe('answers it does not trust', () => {
    it('refuses an answer larger than maxResponseBytes (1 MB by default)', async () => {
      // one page of 100 users of 12 kB each
      const padding = 'x'.repeat(12_000);
      api.state.users = Array.from({ length: 100 }, (_, i) => ({
        id: `PU${i}`,
        name: `Sam ${i} ${padding}`,
        email: i === 0 ? 'sam@acme.example' : `team${i}-sam@acme.example`,
      }));
      await expect(
        testClient().findUserByEmail('sam@acme.example'),
      ).rejects.toThrow(
        'PagerDuty sent more than 1048576 bytes in answer to GET /users (pagerDuty.maxResponseBytes)',
      );
    });

    it('stops reading an endless answer at the cap', async () => {
      let sent = 0;
      let cancelled = false;
      api.server.use(
        http.get(
          `${BASE_URL}/oncalls`,
          () =>
            new HttpResponse(
              new ReadableStream({
                pull(controller) {
                  sent += 16_384;
                  controller.enqueue(new Uint8Array(16_384).fill(32));
                },
                cancel() {
                  cancelled = true;
                },
              }),
              { headers: { 'Content-Type': 'application/json' } },
            ),
        ),
      );
      await expect(
        testClient({ maxResponseBytes: 100_000 }).listOnCalls({
          userIds: ['P1'],
        }),
      ).rejects.toThrow(
        'PagerDuty sent more than 100000 bytes in answer to GET /oncalls',
      );
      expect(cancelled).toBe(true);
      expect(sent).toBeLessThan(1_000_000);
    });

    it('does not follow a redirect, so the token goes nowhere else', async () => {
      const elsewhere: (string | null)[] = [];
      api.server.use(
        http.get(
          `${BASE_URL}/users`,
          () =>
            new HttpResponse(null, {
              status: 302,
              headers: { Location: 'https://elsewhere.test/users' },
            }),
        ),
        http.get('https://elsewhere.test/users', ({ request }) => {
          elsewhere.push(request.headers.get('authorization'));
          return HttpResponse.json({ users: [], more: false });
        }),
      );
      await expect(
        testClient().findUserByEmail('sam@acme.example'),
      ).rejects.toThrow(
        'PagerDuty answered GET /users with a redirect (302 to elsewhere.test), which is not followed: set pagerDuty.apiBaseUrl to the address that answers',
      );
      expect(elsewhere).toEqual([]);
    });
  });

  it('retries a 429 after Retry-After, within bounds', async () => {
    let calls = 0;
    api.server.use(
      http.get(`${BASE_URL}/oncalls`, () => {
        calls++;
        return calls <= 2
          ? new HttpResponse(null, {
              status: 429,
              headers: { 'Retry-After': '60' },
            })
          : HttpResponse.json({ oncalls: [], more: false });
      }),
    );
    const started = Date.now();
    await expect(
      testClient({ maxRetryWaitMs: 50 }).listOnCalls({ userIds: ['P1'] }),
    ).resolves.toEqual([]);
    expect(calls).toBe(3);
    // waited, but never the 60 s PagerDuty asked for
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(10000);
  });

  it('gives up after 3 retries of a 429', async () => {
    api.server.use(
      http.get(
        `${BASE_URL}/oncalls`,
        () => new HttpResponse(null, { status: 429 }),
      ),
    );
    await expect(testClient().listOnCalls({ userIds: ['P1'] })).rejects.toThrow(
      'PagerDuty did not answer: 429 (rate limited) after 4 tries',
    );
  });

  it('retries a 5xx twice, then throws', async () => {
    let calls = 0;
    api.server.use(
      http.get(`${BASE_URL}/oncalls`, () => {
        calls++;
        return new HttpResponse('oops', { status: 503 });
      }),
    );
    await expect(testClient().listOnCalls({ userIds: ['P1'] })).rejects.toThrow(
      'PagerDuty did not answer: 503 after 3 tries',
    );
    expect(calls).toBe(3);
  });

  it('succeeds when a retried 5xx recovers', async () => {
    let calls = 0;
    api.server.use(
      http.get(`${BASE_URL}/oncalls`, () => {
        calls++;
        return calls === 1
          ? new HttpResponse(null, { status: 502 })
          : HttpResponse.json({ oncalls: [], more: false });
      }),
    );
    await expect(
      testClient().listOnCalls({ userIds: ['P1'] }),
    ).resolves.toEqual([]);
  });

  it('times out a request that takes too long', async () => {
    api.server.use(
      http.get(`${BASE_URL}/users`, async () => {
        await delay(20000);
        return HttpResponse.json({ users: [] });
      }),
    );
    const started = Date.now();
    await expect(
      testClient({ requestTimeoutMs: 100 }).findUserByEmail('sam@acme.example'),
    ).rejects.toThrow('PagerDuty did not answer GET /users within 100 ms');
    expect(Date.now() - started).toBeLessThan(10000);
  });

  it('stops when the caller signal aborts', async () => {
    api.server.use(
      http.get(`${BASE_URL}/users`, async () => {
        await delay(20000);
        return HttpResponse.json({ users: [] });
      }),
    );
    await expect(
      testClient({ requestTimeoutMs: 5000 }).findUserByEmail(
        'sam@acme.example',
        {
          signal: AbortSignal.timeout(50),
        },
      ),
    ).rejects.toThrow(
      'PagerDuty did not answer GET /users before the check timed out',
    );
  });

  it('throws a clear error on malformed JSON', async () => {
    api.server.use(
      http.get(
        `${BASE_URL}/oncalls`,
        () =>
          new HttpResponse('<html>maintenance</html>', {
            headers: { 'Content-Type': 'text/html' },
          }),
      ),
    );
    await expect(testClient().listOnCalls({ userIds: ['P1'] })).rejects.toThrow(
      'PagerDuty sent malformed JSON in answer to GET /oncalls',
    );
  });

  it('throws on an answer without the expected list', async () => {
    api.server.use(
      http.get(`${BASE_URL}/oncalls`, () => HttpResponse.json({ ok: true })),
    );
    await expect(testClient().listOnCalls({ userIds: ['P1'] })).rejects.toThrow(
      'PagerDuty sent a malformed answer to GET /oncalls (no oncalls list)',
    );
  });

  it('never puts the token in an error message', async () => {
    api.server.use(
      http.get(`${BASE_URL}/users`, ({ request }) =>
        HttpResponse.json(
          {
            error: {
              message: `Invalid token: ${request.headers.get('authorization')}`,
              code: 2006,
            },
          },
          { status: 401 },
        ),
      ),
    );
    const error = await testClient()
      .findUserByEmail('sam@acme.example')
      .catch(e => e);
    expect(error.message).toBe(
      'PagerDuty answered 401 to GET /users: Invalid token: Token token=***',
    );
    expect(error.message).not.toContain(TOKEN);
  });

  it('reports an unknown service', async () => {
    await expect(testClient().getService('NOPE')).rejects.toThrow(
      'PagerDuty has no service NOPE',
    );
  });

  it('needs a token', () => {
    expect(() => new PagerDutyClient({ apiToken: '' })).toThrow(
      'pagerDuty.apiToken',
    );
  });
});
