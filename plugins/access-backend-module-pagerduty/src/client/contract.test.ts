import { FakePagerDuty, startFakePagerDuty } from '@jit-access/fake-pagerduty';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { PagerDutyClient } from './PagerDutyClient';

// The client against answers recorded in the shape of PagerDuty's REST API reference
// (__fixtures__), and against the fake PagerDuty holding the same facts: both must give the
// same results, and the fake's answers must carry every field the client reads, with the
// same JSON type as the reference's.

const fixture = (name: string) => require(`./__fixtures__/${name}.json`);

const RECORDED = 'https://recorded.pagerduty.test';
const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';

/** The facts of the recorded answers, as the fake's data. */
const FAKE_DATA = {
  apiToken: 'contract-token',
  users: [
    { id: 'PSAM001', name: 'Sam Singh', email: 'sam@acme.example' },
    { id: 'PBOB001', name: 'Bob Brown', email: 'bob@acme.example' },
    { id: 'PALICE1', name: 'Alice Anderson', email: 'alice@acme.example' },
  ],
  schedules: [{ id: 'PSRE001', name: 'SRE Primary' }],
  escalation_policies: [{ id: 'PEPPROD', name: 'Production' }],
  services: [
    {
      id: 'PABC123',
      name: 'Orders database (prod)',
      escalation_policy: 'PEPPROD',
      integrations: [{ id: 'PINT123', integration_key: KEY }],
    },
    { id: 'PORD001', name: 'Orders service', escalation_policy: 'PEPPROD' },
  ],
  oncalls: [
    {
      user: 'PSAM001',
      schedule: 'PSRE001',
      escalation_policy: 'PEPPROD',
      escalation_level: 1,
      start: '2026-01-05T08:00:00Z',
      end: '2099-01-05T08:00:00Z',
    },
  ],
  incidents: [
    {
      id: 'PINC042',
      incident_number: 1042,
      title: 'Orders API: checkout failing with 5xx',
      status: 'acknowledged' as const,
      service: 'PORD001',
      assignees: ['PBOB001'],
      acknowledged_by: ['PBOB001'],
      created_at: '-1h',
    },
    {
      id: 'PRES001',
      incident_number: 1050,
      title: 'Orders DB replication lag',
      status: 'resolved' as const,
      service: 'PABC123',
      acknowledged_by: ['PBOB001'],
      resolved_by: 'PALICE1',
      created_at: '-2h',
      resolved_at: '-1h',
    },
  ],
};

/** What the client makes of each call (times left out: the fake's are relative). */
async function results(client: PagerDutyClient) {
  const user = await client.findUserByEmail('sam@acme.example');
  const schedules = await client.findScheduleIdsByNames(['SRE Primary']);
  const onCalls = await client.listOnCalls({ userIds: ['PSAM001'] });
  const service = await client.getService('PABC123');
  const byKey = await client.findServiceByIntegrationKey(KEY);
  const assigned = await client.listIncidents({
    userIds: ['PBOB001'],
    statuses: ['acknowledged'],
  });
  const resolved = await client.listResolvedIncidents({
    serviceIds: ['PABC123'],
  });
  const log = await client.listIncidentLogEntries('PRES001');
  return {
    user: { id: user?.id, email: user?.email },
    schedules,
    onCalls: onCalls.map(o => ({
      user: o.user?.id,
      schedule: o.schedule?.id,
      policy: o.escalation_policy.id,
      level: o.escalation_level,
      open: Date.parse(o.start ?? '') < Date.now() && o.end !== null,
    })),
    service,
    byKey,
    assigned: assigned.map(i => ({
      id: i.id,
      number: i.incident_number,
      status: i.status,
      service: i.service.id,
      assignees: i.assignments?.map(a => a.assignee.id),
    })),
    resolved: resolved.map(i => ({
      id: i.id,
      status: i.status,
      service: i.service.id,
      assignees: i.assignments,
      resolvedBy: [i.last_status_change_by?.id, i.last_status_change_by?.type],
      resolvedAt: typeof i.resolved_at,
    })),
    log: log.map(e => [e.type, e.agent?.id, e.agent?.type]),
  };
}

const EXPECTED = {
  user: { id: 'PSAM001', email: 'sam@acme.example' },
  schedules: {
    schedules: [{ id: 'PSRE001', name: 'SRE Primary' }],
    unknown: [],
  },
  onCalls: [
    {
      user: 'PSAM001',
      schedule: 'PSRE001',
      policy: 'PEPPROD',
      level: 1,
      open: true,
    },
  ],
  service: {
    id: 'PABC123',
    name: 'Orders database (prod)',
    escalation_policy: expect.objectContaining({ id: 'PEPPROD' }),
  },
  byKey: expect.objectContaining({ id: 'PABC123' }),
  assigned: [
    {
      id: 'PINC042',
      number: 1042,
      status: 'acknowledged',
      service: 'PORD001',
      assignees: ['PBOB001'],
    },
  ],
  resolved: [
    {
      id: 'PRES001',
      status: 'resolved',
      service: 'PABC123',
      assignees: [],
      resolvedBy: ['PALICE1', 'user_reference'],
      resolvedAt: 'string',
    },
  ],
  log: [
    ['trigger_log_entry', 'PABC123', 'service_reference'],
    ['acknowledge_log_entry', 'PBOB001', 'user_reference'],
    ['resolve_log_entry', 'PALICE1', 'user_reference'],
  ],
};

/** The recorded answer for a request, as PagerDuty would give it. */
function recordedAnswer(url: URL): { status: number; body: unknown } {
  const p = url.pathname;
  const q = url.searchParams;
  if (p === '/users') return { status: 200, body: fixture('users') };
  if (p === '/schedules') return { status: 200, body: fixture('schedules') };
  if (p === '/oncalls') return { status: 200, body: fixture('oncalls') };
  if (p === '/services/PABC123')
    return { status: 200, body: fixture('service') };
  if (p === '/services' && q.getAll('include[]').includes('integrations'))
    return { status: 200, body: fixture('services-with-integrations') };
  if (p === '/incidents' && q.getAll('statuses[]').includes('resolved'))
    return { status: 200, body: fixture('incidents-resolved') };
  if (p === '/incidents')
    return { status: 200, body: fixture('incidents-assigned') };
  if (p === '/incidents/PRES001/log_entries')
    return { status: 200, body: fixture('log-entries') };
  return { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
}

/** The type of every value by its path, arrays merged (`incidents[].service.id`). */
function shapeOf(value: unknown, path = '', out = new Map<string, string>()) {
  if (Array.isArray(value)) {
    value.forEach(v => shapeOf(v, `${path}[]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) shapeOf(v, `${path}.${k}`, out);
  } else {
    out.set(path, value === null ? 'null' : typeof value);
  }
  return out;
}

/** Fields the client reads, per answer: the fake must have them as the reference does. */
const READ = {
  users: ['.users[].id', '.users[].email', '.more'],
  schedules: [
    '.schedules[].id',
    '.schedules[].name',
    '.schedules[].summary',
    '.more',
  ],
  oncalls: [
    '.oncalls[].user.id',
    '.oncalls[].schedule.id',
    '.oncalls[].escalation_policy.id',
    '.oncalls[].escalation_level',
    '.oncalls[].start',
    '.oncalls[].end',
    '.more',
  ],
  service: ['.service.id', '.service.name', '.service.escalation_policy.id'],
  'services-with-integrations': [
    '.services[].id',
    '.services[].escalation_policy.id',
    '.services[].integrations[].integration_key',
  ],
  'incidents-assigned': [
    '.incidents[].id',
    '.incidents[].incident_number',
    '.incidents[].title',
    '.incidents[].status',
    '.incidents[].service.id',
    '.incidents[].service.summary',
    '.incidents[].assignments[].assignee.id',
  ],
  'incidents-resolved': [
    '.incidents[].id',
    '.incidents[].status',
    '.incidents[].service.id',
    '.incidents[].resolved_at',
    '.incidents[].last_status_change_by.id',
    '.incidents[].last_status_change_by.type',
  ],
  'log-entries': [
    '.log_entries[].type',
    '.log_entries[].agent.id',
    '.log_entries[].agent.type',
    '.log_entries[].created_at',
    '.more',
  ],
};

/** The fake's raw answer to the request that gives each recorded answer. */
const FAKE_PATHS: Record<keyof typeof READ, string> = {
  users: '/users?query=sam%40acme.example',
  schedules: '/schedules?query=SRE',
  oncalls: '/oncalls?user_ids[]=PSAM001',
  service: '/services/PABC123',
  'services-with-integrations': `/services?query=${KEY}&include[]=integrations`,
  'incidents-assigned': '/incidents?user_ids[]=PBOB001&statuses[]=acknowledged',
  'incidents-resolved': '/incidents?statuses[]=resolved&service_ids[]=PABC123',
  'log-entries': '/incidents/PRES001/log_entries',
};

describe('PagerDuty contract: recorded answers and the fake agree', () => {
  describe('recorded answers (the API reference)', () => {
    const server = setupServer(
      http.get(`${RECORDED}/*`, ({ request }) => {
        const { status, body } = recordedAnswer(new URL(request.url));
        return HttpResponse.json(body as object, { status });
      }),
    );
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterAll(() => server.close());

    it('gives the expected results', async () => {
      const client = new PagerDutyClient({
        apiToken: 't',
        apiBaseUrl: RECORDED,
        answerCacheTtlMs: 0,
      });
      expect(await results(client)).toEqual(EXPECTED);
    });

    it("signs in with the token PagerDuty's OAuth endpoint answers", async () => {
      const seen: (string | null)[] = [];
      server.use(
        http.post(`${RECORDED}/oauth/token`, () =>
          HttpResponse.json(fixture('oauth-token')),
        ),
        http.get(`${RECORDED}/users`, ({ request }) => {
          seen.push(request.headers.get('authorization'));
          return HttpResponse.json(fixture('users'));
        }),
      );
      const client = new PagerDutyClient({
        oauth: {
          clientId: 'c',
          clientSecret: 's',
          subDomain: 'acme',
          tokenUrl: `${RECORDED}/oauth/token`,
        },
        apiBaseUrl: RECORDED,
      });
      await client.findUserByEmail('sam@acme.example');
      expect(seen).toEqual(['Bearer pd-recorded-access-token']);
    });

    it('retries a 429 after Retry-After, as PagerDuty answers it', async () => {
      let limited = 1;
      server.use(
        http.get(`${RECORDED}/users`, () =>
          limited-- > 0
            ? HttpResponse.json(fixture('rate-limited'), {
                status: 429,
                headers: { 'Retry-After': '0' },
              })
            : HttpResponse.json(fixture('users')),
        ),
      );
      const client = new PagerDutyClient({
        apiToken: 't',
        apiBaseUrl: RECORDED,
      });
      expect(await client.findUserByEmail('sam@acme.example')).toMatchObject({
        id: 'PSAM001',
      });
    });
  });

  describe('the fake PagerDuty', () => {
    let fake: FakePagerDuty;
    beforeAll(async () => {
      fake = await startFakePagerDuty({ data: FAKE_DATA });
    });
    afterAll(() => fake.close());
    const client = () =>
      new PagerDutyClient({
        apiToken: 'contract-token',
        apiBaseUrl: fake.url,
        answerCacheTtlMs: 0,
      });

    it('gives the same results', async () => {
      expect(await results(client())).toEqual(EXPECTED);
    });

    it.each(Object.keys(READ) as (keyof typeof READ)[])(
      'answers %s with every field the client reads, typed as in the reference',
      async name => {
        const res = await fetch(`${fake.url}${FAKE_PATHS[name]}`, {
          headers: { Authorization: 'Token token=contract-token' },
        });
        expect(res.status).toBe(200);
        const fakeShape = shapeOf(await res.json());
        const recordedShape = shapeOf(fixture(name));
        for (const path of READ[name]) {
          expect({ path, type: fakeShape.get(path) }).toEqual({
            path,
            type: recordedShape.get(path),
          });
        }
      },
    );

    it('lists resolved incidents for nobody, as the reference says', async () => {
      expect(
        await client().listIncidents({
          userIds: ['PALICE1', 'PBOB001'],
          statuses: ['acknowledged', 'triggered'],
        }),
      ).toEqual([expect.objectContaining({ id: 'PINC042' })]);
      const res = await fetch(
        `${fake.url}/incidents?user_ids[]=PALICE1&statuses[]=resolved`,
        { headers: { Authorization: 'Token token=contract-token' } },
      );
      expect((await res.json()).incidents).toEqual([]);
    });

    it('answers 429 with Retry-After when rate limited, and the client waits and retries', async () => {
      await fetch(`${fake.url}/__admin/ratelimit`, {
        method: 'PUT',
        body: JSON.stringify({ requests: 1, retryAfter: 0 }),
      });
      const raw = await fetch(`${fake.url}/users`, {
        headers: { Authorization: 'Token token=contract-token' },
      });
      expect(raw.status).toBe(429);
      expect(raw.headers.get('retry-after')).toBe('0');
      expect(await raw.json()).toEqual(fixture('rate-limited'));
      await fetch(`${fake.url}/__admin/ratelimit`, {
        method: 'PUT',
        body: JSON.stringify({ requests: 2, retryAfter: 0 }),
      });
      expect(await client().findUserByEmail('sam@acme.example')).toMatchObject({
        id: 'PSAM001',
      });
    });
  });
});
