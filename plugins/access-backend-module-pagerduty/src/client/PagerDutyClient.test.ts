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

  it('asks for open incidents however old (date_range=all), resolved ones only recent', async () => {
    await testClient().listIncidents({
      userIds: ['PBOB001'],
      statuses: ['acknowledged', 'triggered'],
    });
    expect(api.state.requests).toHaveLength(1);
    let { url } = api.state.requests[0];
    expect(url.pathname).toBe('/incidents');
    expect(url.searchParams.get('date_range')).toBe('all');
    expect(url.searchParams.getAll('statuses[]')).toEqual([
      'acknowledged',
      'triggered',
    ]);

    api.state.requests.length = 0;
    await testClient().listIncidents({
      userIds: ['PBOB001'],
      statuses: ['acknowledged', 'resolved'],
    });
    expect(
      api.state.requests.map(r => [
        r.url.searchParams.getAll('statuses[]'),
        r.url.searchParams.get('date_range'),
      ]),
    ).toEqual([
      [['acknowledged'], 'all'],
      [['resolved'], null],
    ]);
    ({ url } = api.state.requests[1]);
    expect(url.searchParams.getAll('user_ids[]')).toEqual(['PBOB001']);
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

  it('caches users, schedules and services, but not on-calls or incidents', async () => {
    let now = 0;
    const client = testClient({ now: () => now });
    const count = (path: string) =>
      api.state.requests.filter(r => r.url.pathname === path).length;
    for (let i = 0; i < 2; i++) {
      await client.findUserByEmail('sam@acme.example');
      await client.findScheduleIdsByNames(['DBA']);
      await client.getService('PABC123');
      await client.listOnCalls({ userIds: ['PSAM001'] });
      await client.listIncidents({
        userIds: ['PSAM001'],
        statuses: ['acknowledged'],
      });
    }
    expect(count('/users')).toBe(1);
    expect(count('/schedules')).toBe(1);
    expect(count('/services/PABC123')).toBe(1);
    expect(count('/oncalls')).toBe(2);
    expect(count('/incidents')).toBe(2);
    // after five minutes, look-ups are asked again
    now += 5 * 60_000 + 1;
    await client.findUserByEmail('sam@acme.example');
    expect(count('/users')).toBe(2);
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
