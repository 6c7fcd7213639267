import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  FakePagerDuty,
  FakePagerDutyData,
  resolveTime,
  startFakePagerDuty,
} from './index';

const EXAMPLE = path.resolve(__dirname, '../../../examples/pagerduty.yaml');
const AUTH = { Authorization: 'Token token=anything' };

const HOUR = 3600_000;

function manyUsers(n: number): FakePagerDutyData['users'] {
  return Array.from({ length: n }, (_, i) => ({
    id: `PU${String(i).padStart(4, '0')}`,
    name: `User ${i}`,
    email: `user${i}@acme.example`,
  }));
}

describe('fake PagerDuty', () => {
  let fake: FakePagerDuty;

  const get = async (
    pathAndQuery: string,
    headers: Record<string, string> = AUTH,
  ) => {
    const res = await fetch(`${fake.url}${pathAndQuery}`, { headers });
    return { status: res.status, body: await res.json() };
  };

  describe('with the example data', () => {
    beforeAll(async () => {
      fake = await startFakePagerDuty({ dataFile: EXAMPLE });
    });
    afterAll(() => fake.close());
    afterEach(() => fake.reset());

    it('listens on a free port', () => {
      expect(fake.port).toBeGreaterThan(0);
      expect(fake.url).toBe(`http://127.0.0.1:${fake.port}`);
    });

    it('refuses requests without a token', async () => {
      expect(await get('/users', {})).toEqual({
        status: 401,
        body: { error: { message: 'Unauthorized', code: 2006 } },
      });
      expect((await get('/users', { Authorization: 'Bearer x' })).status).toBe(
        401,
      );
    });

    it('finds users by e-mail query, case-insensitively', async () => {
      const { status, body } = await get('/users?query=SAM%40acme.example');
      expect(status).toBe(200);
      expect(body).toMatchObject({
        users: [
          { id: 'PSAM001', email: 'sam@acme.example', name: 'Sam Singh' },
        ],
        offset: 0,
        more: false,
        // PagerDuty counts only when asked
        total: null,
      });
      expect(
        (await get('/users?query=SAM%40acme.example&total=true')).body.total,
      ).toBe(1);
      expect((await get('/users')).body.users).toHaveLength(6);
    });

    it('lists schedules with a query', async () => {
      const { body } = await get('/schedules?query=sre');
      expect(body.schedules.map((s: { name: string }) => s.name)).toEqual([
        'SRE Primary',
        'SRE Secondary',
      ]);
      expect(body.schedules[0]).toMatchObject({
        id: 'PSRE001',
        summary: 'SRE Primary',
      });
    });

    it('serves a service with its escalation policy, and 404 for an unknown one', async () => {
      expect((await get('/services/PABC123')).body).toMatchObject({
        service: {
          id: 'PABC123',
          name: 'Orders database (prod)',
          escalation_policy: { id: 'PEPPROD', summary: 'Production' },
        },
      });
      expect((await get('/services/NOPE')).status).toBe(404);
    });

    it('lists current on-calls, filtered by user, schedule and escalation policy', async () => {
      const sam = await get('/oncalls?user_ids[]=PSAM001');
      expect(sam.body.oncalls).toEqual([
        expect.objectContaining({
          user: expect.objectContaining({
            id: 'PSAM001',
            summary: 'Sam Singh',
          }),
          schedule: expect.objectContaining({
            id: 'PSRE001',
            summary: 'SRE Primary',
          }),
          escalation_policy: expect.objectContaining({ id: 'PEPPROD' }),
          escalation_level: 1,
        }),
      ]);
      // relative times are rendered as ISO timestamps around now
      const { start, end } = sam.body.oncalls[0];
      expect(start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Date.parse(start)).toBeLessThan(Date.now());
      expect(Date.parse(end)).toBeGreaterThan(Date.now() + 7 * HOUR);

      const dana = await get(
        '/oncalls?user_ids%5B%5D=PDANA01&escalation_policy_ids%5B%5D=PEPPROD',
      );
      expect(dana.body.oncalls).toEqual([
        expect.objectContaining({ escalation_level: 2 }),
      ]);
      const bySchedule = await get(
        '/oncalls?schedule_ids[]=PDBA001&schedule_ids[]=PSRE001',
      );
      expect(bySchedule.body.oncalls).toHaveLength(3);
      expect((await get('/oncalls?user_ids[]=PALICE1')).body.oncalls).toEqual(
        [],
      );
    });

    it('lists incidents filtered by assignee, status and service', async () => {
      const bob = await get(
        '/incidents?user_ids[]=PBOB001&statuses[]=acknowledged&service_ids[]=PORD001',
      );
      expect(bob.body.incidents).toEqual([
        expect.objectContaining({
          incident_number: 1042,
          title: 'Orders API: checkout failing with 5xx',
          status: 'acknowledged',
          service: expect.objectContaining({ id: 'PORD001' }),
          assignments: [
            expect.objectContaining({
              assignee: expect.objectContaining({ id: 'PBOB001' }),
            }),
          ],
        }),
      ]);
      expect(
        (await get('/incidents?user_ids[]=PBOB001&statuses[]=triggered')).body
          .incidents,
      ).toEqual([]);
      expect(
        (await get('/incidents?service_ids[]=PABC123')).body.incidents,
      ).toEqual([]);
      expect(
        (await get('/incidents?user_ids[]=PALICE1')).body.incidents,
      ).toEqual([]);
    });

    it('lists incidents of the last 30 days unless asked for date_range=all, as PagerDuty does', async () => {
      fake.setIncidents([
        {
          id: 'POLD001',
          incident_number: 900,
          title: 'Acknowledged for weeks',
          status: 'acknowledged',
          service: 'PORD001',
          assignees: ['PBOB001'],
          created_at: '-40d',
        },
        {
          id: 'PNEW001',
          incident_number: 901,
          title: 'Fresh',
          status: 'acknowledged',
          service: 'PORD001',
          assignees: ['PBOB001'],
          created_at: '-1h',
        },
      ]);
      const numbers = async (query: string) =>
        (await get(`/incidents?user_ids[]=PBOB001${query}`)).body.incidents.map(
          (i: any) => i.incident_number,
        );
      expect(await numbers('')).toEqual([901]);
      expect(await numbers('&date_range=all')).toEqual([900, 901]);
      const since = new Date(Date.now() - 60 * 86400e3).toISOString();
      expect(await numbers(`&since=${since}`)).toEqual([900, 901]);
      expect((await get('/incidents?date_range=last_week')).status).toBe(400);
    });

    it('lists resolved incidents for nobody, by service with who resolved them, and their log, as PagerDuty does', async () => {
      fake.setIncidents([
        {
          id: 'PRES001',
          incident_number: 910,
          title: 'Resolved by alice after bob acknowledged',
          status: 'resolved',
          service: 'PORD001',
          assignees: ['PBOB001'],
          acknowledged_by: ['PBOB001'],
          resolved_by: 'PALICE1',
          created_at: '-3h',
          resolved_at: '-2h',
        },
        {
          id: 'PRES002',
          incident_number: 911,
          title: 'Resolved by bob',
          status: 'resolved',
          service: 'PORD001',
          resolved_by: 'PBOB001',
          created_at: '-2h',
          resolved_at: '-30m',
        },
      ]);
      // resolved incidents are assigned to nobody: user_ids[] never lists them
      expect(
        (await get('/incidents?user_ids[]=PBOB001&statuses[]=resolved')).body
          .incidents,
      ).toEqual([]);
      const { body } = await get(
        '/incidents?statuses[]=resolved&service_ids[]=PORD001&sort_by=resolved_at:desc',
      );
      expect(
        body.incidents.map((i: any) => [
          i.incident_number,
          i.assignments,
          i.last_status_change_by.id,
          i.last_status_change_by.type,
        ]),
      ).toEqual([
        [911, [], 'PBOB001', 'user_reference'],
        [910, [], 'PALICE1', 'user_reference'],
      ]);
      expect(body.incidents[0].resolved_at).toEqual(expect.any(String));
      expect((await get('/incidents?sort_by=title')).status).toBe(400);

      const log = await get('/incidents/PRES001/log_entries');
      expect(
        log.body.log_entries.map((e: any) => [
          e.type,
          e.agent.id,
          e.agent.type,
        ]),
      ).toEqual([
        ['trigger_log_entry', 'PORD001', 'service_reference'],
        ['acknowledge_log_entry', 'PBOB001', 'user_reference'],
        ['resolve_log_entry', 'PALICE1', 'user_reference'],
      ]);
      expect(log.body).toMatchObject({ offset: 0, more: false });
      expect((await get('/incidents/PNOPE/log_entries')).status).toBe(404);
    });

    it('issues OAuth tokens to a known app for its account, and takes them as Bearer', async () => {
      const local = await startFakePagerDuty({
        data: {
          users: [{ id: 'PU1', name: 'Sam', email: 'sam@acme.example' }],
          oauthApps: [
            { clientId: 'cid', clientSecret: 'secret', subDomain: 'acme' },
          ],
        },
      });
      try {
        const token = (form: Record<string, string>) =>
          fetch(`${local.url}/oauth/token`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(form),
          });
        const good = {
          grant_type: 'client_credentials',
          client_id: 'cid',
          client_secret: 'secret',
          scope: 'as_account-us.acme users.read',
        };
        const res = await token(good);
        expect(res.status).toBe(200);
        const body = await res.json();
        expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
        const users = await fetch(`${local.url}/users`, {
          headers: { Authorization: `Bearer ${body.access_token}` },
        });
        expect(users.status).toBe(200);
        expect(
          (
            await fetch(`${local.url}/users`, {
              headers: { Authorization: 'Bearer made-up' },
            })
          ).status,
        ).toBe(401);
        expect((await token({ ...good, client_secret: 'nope' })).status).toBe(
          401,
        );
        expect(
          (await token({ ...good, scope: 'as_account-eu.acme users.read' }))
            .status,
        ).toBe(400);
      } finally {
        await local.close();
      }
    });

    it('replaces on-calls and incidents through the admin endpoints, and resets to the file', async () => {
      let res = await fetch(`${fake.url}/__admin/oncalls`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify([
          {
            user: 'PALICE1',
            schedule: 'PSRE002',
            escalation_policy: 'PEPPROD',
            escalation_level: 2,
            start: '-5m',
            end: '+1h',
          },
        ]),
      });
      expect(res.status).toBe(200);
      expect(
        (await get('/oncalls?user_ids[]=PALICE1')).body.oncalls[0],
      ).toMatchObject({
        escalation_level: 2,
        schedule: { id: 'PSRE002', summary: 'SRE Secondary' },
      });
      expect((await get('/oncalls?user_ids[]=PSAM001')).body.oncalls).toEqual(
        [],
      );

      res = await fetch(`${fake.url}/__admin/incidents`, {
        method: 'PUT',
        body: JSON.stringify({
          incidents: [
            {
              id: 'PINC1',
              incident_number: 7,
              title: 'Disk full',
              status: 'triggered',
              service: 'PDEF456',
              assignees: ['PDANA01'],
            },
          ],
        }),
      });
      expect(res.status).toBe(200);
      expect(
        (await get('/incidents?user_ids[]=PDANA01')).body.incidents,
      ).toEqual([expect.objectContaining({ incident_number: 7 })]);

      res = await fetch(`${fake.url}/__admin/oncalls`, {
        method: 'PUT',
        body: '{"not": "a list"}',
      });
      expect(res.status).toBe(400);

      res = await fetch(`${fake.url}/__admin/reset`, { method: 'POST' });
      expect(res.status).toBe(204);
      expect(
        (await get('/oncalls?user_ids[]=PSAM001')).body.oncalls,
      ).toHaveLength(1);
      expect(
        (await get('/incidents?user_ids[]=PDANA01')).body.incidents,
      ).toEqual([]);
    });

    it('leaves out on-calls that are over or not yet begun', async () => {
      fake.setOnCalls([
        {
          user: 'PSAM001',
          escalation_policy: 'PEPPROD',
          start: '-2h',
          end: '-1h',
        },
        {
          user: 'PSAM001',
          escalation_policy: 'PEPPROD',
          start: '+1h',
          end: '+2h',
        },
        { user: 'PSAM001', escalation_policy: 'PEPDATA', start: '-1h' },
      ]);
      const { body } = await get('/oncalls?user_ids[]=PSAM001');
      expect(body.oncalls).toEqual([
        expect.objectContaining({
          escalation_policy: expect.objectContaining({ id: 'PEPDATA' }),
          schedule: null,
          end: null,
        }),
      ]);
    });
  });

  describe('with data in code', () => {
    afterEach(() => fake.close());

    it('paginates with offset, limit and more', async () => {
      fake = await startFakePagerDuty({ data: { users: manyUsers(120) } });
      const first = await get('/users');
      expect(first.body).toMatchObject({
        limit: 25,
        offset: 0,
        more: true,
        total: null,
      });
      expect(first.body.users).toHaveLength(25);

      const page2 = await get('/users?limit=100&offset=100');
      expect(page2.body).toMatchObject({
        limit: 100,
        offset: 100,
        more: false,
      });
      expect(page2.body.users.map((u: { id: string }) => u.id)).toEqual(
        manyUsers(120)!
          .slice(100)
          .map(u => u.id),
      );
      // limit is capped at 100, as PagerDuty does
      expect((await get('/users?limit=500')).body).toMatchObject({
        limit: 100,
        more: true,
      });
    });

    it('accepts only the configured token when there is one', async () => {
      fake = await startFakePagerDuty({
        data: { apiToken: 's3cret', users: manyUsers(1) },
      });
      expect((await get('/users')).status).toBe(401);
      expect(
        (await get('/users', { Authorization: 'Token token=s3cret' })).status,
      ).toBe(200);
    });

    it('sets on-calls and incidents from code', async () => {
      fake = await startFakePagerDuty({ data: { users: manyUsers(2) } });
      fake.setOnCalls([
        { user: 'PU0000', escalation_policy: 'P1', start: 'now', end: '+1h' },
      ]);
      fake.setIncidents([
        {
          id: 'I1',
          title: 'Down',
          status: 'acknowledged',
          service: 'S1',
          assignments: [{ assignee: { id: 'PU0001' } }],
        },
      ]);
      expect((await get('/oncalls')).body.oncalls).toHaveLength(1);
      expect(
        (await get('/incidents?user_ids[]=PU0001')).body.incidents,
      ).toEqual([
        expect.objectContaining({ incident_number: 1, title: 'Down' }),
      ]);
      fake.reset();
      expect((await get('/oncalls')).body.oncalls).toEqual([]);
    });
  });

  it('reports a bad data file clearly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-pd-'));
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      file,
      'oncalls:\n  - { user: P1, escalation_policy: P2, start: yesterday }\n',
    );
    await expect(startFakePagerDuty({ dataFile: file })).rejects.toThrow(
      `${file}: oncalls[0].start: not a time: "yesterday"`,
    );
    fs.writeFileSync(file, 'users: nobody\n');
    await expect(startFakePagerDuty({ dataFile: file })).rejects.toThrow(
      'users must be a list',
    );
    fs.rmSync(dir, { recursive: true });
  });

  it('resolves relative times', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(resolveTime('-1h', now)).toBe('2026-11-25T09:00:00Z');
    expect(resolveTime('+8h', now)).toBe('2026-11-25T18:00:00Z');
    expect(resolveTime('+30m', now)).toBe('2026-11-25T10:30:00Z');
    expect(resolveTime('-2d', now)).toBe('2026-11-23T10:00:00Z');
    expect(resolveTime('now', now)).toBe('2026-11-25T10:00:00Z');
    expect(resolveTime('2026-01-01T00:00:00Z', now)).toBe(
      '2026-01-01T00:00:00Z',
    );
    expect(resolveTime(null, now)).toBeNull();
  });
});
