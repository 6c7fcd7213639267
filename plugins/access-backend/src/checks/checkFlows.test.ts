import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AccessCheckOutcome,
  accessChecksExtensionPoint,
} from '@jit-access/plugin-access-node';
import { Knex } from 'knex';
import { http, HttpResponse } from 'msw';
import { prodDbFlow, setupCheckServer } from '../__testUtils__/checkFixtures';
import {
  createTestDatabases,
  ORDERS,
  startAccessBackend,
} from '../__testUtils__/harness';
import {
  PENDING_TIMEOUT_TASK_ID,
  REVERIFY_TASK_ID,
} from '../tasks/scheduleTasks';

jest.setTimeout(60_000);

const server = setupCheckServer();
const databases = createTestDatabases();
const ITSM = 'https://itsm.example.com/check';

/** A check whose answer the test sets, re-verifying like PagerDuty's on-call check. */
const oncall = {
  answer: {
    outcome: 'passed',
    detail: 'on call: schedule "DBA" level 1',
  } as AccessCheckOutcome,
  calls: 0,
};
const oncallModule = createBackendModule({
  pluginId: 'access',
  moduleId: 'test-oncall',
  register(env) {
    env.registerInit({
      deps: { checks: accessChecksExtensionPoint },
      async init({ checks }) {
        checks.addCheckType({
          type: 'test-oncall',
          create: ({ config }) => ({
            reverify: config.getOptionalBoolean('revokeWhenOffCall') ?? false,
            async run() {
              oncall.calls++;
              return oncall.answer;
            },
          }),
        });
      },
    });
  },
});

const flow = (id: string, approval: Record<string, unknown>) =>
  prodDbFlow(id, approval, { default: '8h', max: '8h', extensions: 1 });

const ACCESS = {
  checks: {
    'change-ticket': {
      type: 'webhook',
      url: ITSM,
      headers: { Authorization: 'Bearer itsm-secret' },
      body: '{"user": "{{requester.email}}", "why": "{{justification}}"}',
      validators: [
        { jsonPath: '$.ticket.state', expectedValues: ['approved'] },
      ],
      timeout: '2s',
      retries: 0,
    },
    oncall: { type: 'test-oncall', maxDuration: '3h', revokeWhenOffCall: true },
  },
  flows: [
    flow('ticketed', { type: 'manual', requiredChecks: ['change-ticket'] }),
    flow('oncall-or-human', { type: 'manual', autoApproveChecks: ['oncall'] }),
    flow('oncall-only', { type: 'automatic', autoApproveChecks: ['oncall'] }),
  ],
  reverify: { frequency: '1m' },
};

describe.each(databases.eachSupportedId())('checks on %s', databaseId => {
  let h: Awaited<ReturnType<typeof startAccessBackend>>;
  let knex: Knex;

  beforeEach(async () => {
    oncall.answer = {
      outcome: 'passed',
      detail: 'on call: schedule "DBA" level 1',
    };
    oncall.calls = 0;
    knex = await databases.init(databaseId);
    h = await startAccessBackend({
      knex,
      access: ACCESS,
      extraFeatures: [oncallModule],
    });
  });
  afterEach(async () => {
    await h.backend.stop();
  });

  const ask = (permission: string, who = 'alice') =>
    h.api.post(
      '/requests',
      {
        resources: [{ entityRef: ORDERS, permissions: [permission] }],
        justification: 'INC-7 "orders down"',
      },
      who,
    );

  it('rejects when a required check fails, naming the check and what it saw', async () => {
    server.use(
      http.post(ITSM, () => HttpResponse.json({ ticket: { state: 'draft' } })),
    );
    const res = await ask('ticketed');
    expect(res.status).toBe(201);
    expect(res.body.items[0]).toMatchObject({
      status: 'rejected',
      endReason:
        'Required check "change-ticket" failed: $.ticket.state was "draft"; expected approved',
      checks: [
        { checkId: 'change-ticket', type: 'webhook', outcome: 'failed' },
      ],
    });
  });

  it('rejects with "could not verify" when a required check cannot answer, and keeps secrets out', async () => {
    server.use(http.post(ITSM, () => new HttpResponse(null, { status: 502 })));
    const res = await ask('ticketed');
    expect(res.body.items[0].status).toBe('rejected');
    expect(res.body.items[0].endReason).toBe(
      'Could not verify required check "change-ticket": itsm.example.com answered 502 (after 1 tries)',
    );
    const audit = await h.api.get(
      `/audit?requestId=${res.body.items[0].id}`,
      'pat',
    );
    expect(JSON.stringify(audit.body)).not.toContain('itsm-secret');
    expect(audit.body.items.map((e: any) => e.action)).toContain(
      'request-rejected-by-checks',
    );
  });

  it('asks the approvers once required checks pass', async () => {
    server.use(
      http.post(ITSM, () =>
        HttpResponse.json({ ticket: { state: 'approved' } }),
      ),
    );
    const res = await ask('ticketed');
    expect(res.body.items[0]).toMatchObject({
      status: 'pending',
      checks: [{ outcome: 'passed', detail: '$.ticket.state = "approved"' }],
    });
    const queue = await h.api.get('/requests?view=approvals', 'dana');
    expect(queue.body.items.map((i: any) => i.id)).toEqual([
      res.body.items[0].id,
    ]);
  });

  it('auto-approves on a passing check, capped at its maxDuration, and records who decided', async () => {
    const res = await ask('oncall-or-human');
    const r = res.body.items[0];
    expect(r).toMatchObject({ status: 'granted', durationSeconds: 3 * 3600 });
    expect(Date.parse(r.expiresAt) - Date.parse(r.grantedAt)).toBe(
      3 * 3600 * 1000,
    );
    const audit = (await h.api.get(`/audit?requestId=${r.id}`, 'pat')).body
      .items;
    expect(
      audit.find((e: any) => e.action === 'request-auto-approved'),
    ).toMatchObject({ actor: 'check:oncall', toStatus: 'granting' });
  });

  it('falls back to people when the auto-approve check fails or errors, and never approves an error', async () => {
    oncall.answer = { outcome: 'error', detail: 'PagerDuty did not answer' };
    const errored = (await ask('oncall-or-human')).body.items[0];
    expect(errored).toMatchObject({
      status: 'pending',
      checks: [{ outcome: 'error', detail: 'PagerDuty did not answer' }],
    });
    oncall.answer = { outcome: 'failed', detail: 'not on call' };
    const failed = (await ask('oncall-or-human')).body.items[0];
    expect(failed.status).toBe('pending');
    // an automatic flow has no people to fall back to
    const auto = (await ask('oncall-only')).body.items[0];
    expect(auto).toMatchObject({
      status: 'rejected',
      endReason: 'No auto-approve check passed: oncall: failed (not on call)',
    });
  });

  it('runs the checks again for an extension and caps it', async () => {
    const r = (await ask('oncall-or-human')).body.items[0];
    h.clock.advance(3600);
    const ext = await h.api.post(`/requests/${r.id}/extend`, {
      durationSeconds: 8 * 3600,
      justification: 'still on it',
    });
    expect(ext.status).toBe(200);
    expect(ext.body.extension).toMatchObject({
      status: 'approved',
      durationSeconds: 3 * 3600,
    });
    expect(Date.parse(ext.body.expiresAt) - Date.parse(r.expiresAt)).toBe(
      3 * 3600 * 1000,
    );
    expect(oncall.calls).toBe(2);
    const audit = (await h.api.get(`/audit?requestId=${r.id}`, 'pat')).body
      .items;
    expect(
      audit.find((e: any) => e.action === 'extension-approved').details,
    ).toMatchObject({
      grantedSeconds: 3 * 3600,
      checks: [
        {
          id: 'oncall',
          outcome: 'passed',
          detail: 'on call: schedule "DBA" level 1',
        },
      ],
    });
  });

  it('records what the checks saw on an extension in the audit, whatever they decided', async () => {
    // off call by then: the approvers decide, knowing why
    const r = (await ask('oncall-or-human')).body.items[0];
    oncall.answer = { outcome: 'failed', detail: 'not on call' };
    const asked = await h.api.post(`/requests/${r.id}/extend`, {
      durationSeconds: 3600,
      justification: 'still on it',
    });
    expect(asked.body.extension).toMatchObject({ status: 'pending' });

    // a required check that fails rejects the extension
    server.use(
      http.post(ITSM, () =>
        HttpResponse.json({ ticket: { state: 'approved' } }),
      ),
    );
    const ticketed = (await ask('ticketed', 'bob')).body.items[0];
    expect(
      (
        await h.api.post(
          `/requests/${ticketed.id}/approve`,
          { comment: 'ok' },
          'dana',
        )
      ).body.status,
    ).toBe('granted');
    server.use(
      http.post(ITSM, () => HttpResponse.json({ ticket: { state: 'closed' } })),
    );
    const rejected = await h.api.post(
      `/requests/${ticketed.id}/extend`,
      { durationSeconds: 3600, justification: 'more' },
      'bob',
    );
    expect(rejected.body.extension).toMatchObject({
      status: 'rejected',
      reason:
        'Required check "change-ticket" failed: $.ticket.state was "closed"; expected approved',
    });

    const entry = async (id: string, action: string) =>
      (await h.api.get(`/audit?requestId=${id}`, 'pat')).body.items.find(
        (e: any) => e.action === action,
      );
    expect((await entry(r.id, 'extension-requested')).details.checks).toEqual([
      { id: 'oncall', outcome: 'failed', detail: 'not on call' },
    ]);
    expect(
      (await entry(ticketed.id, 'extension-rejected-by-checks')).details.checks,
    ).toEqual([
      {
        id: 'change-ticket',
        outcome: 'failed',
        detail: '$.ticket.state was "closed"; expected approved',
      },
    ]);
  });

  it('keeps the header secret out of checks, the request and the audit when the receiver echoes it', async () => {
    // an error page quoting the request's Authorization header
    server.use(
      http.post(
        ITSM,
        ({ request }) =>
          new HttpResponse(
            `bad gateway for ${request.headers.get('authorization')}`,
            { status: 500 },
          ),
      ),
    );
    const errored = (await ask('ticketed')).body.items[0];
    expect(errored.endReason).toBe(
      'Could not verify required check "change-ticket": itsm.example.com answered 500 (after 1 tries)',
    );
    // a receiver that puts it into the very field the validator reads
    server.use(
      http.post(ITSM, ({ request }) =>
        HttpResponse.json({
          ticket: { state: request.headers.get('authorization') },
        }),
      ),
    );
    const failed = (await ask('ticketed', 'bob')).body.items[0];
    expect(failed.endReason).toBe(
      'Required check "change-ticket" failed: $.ticket.state was "***"; expected approved',
    );
    for (const r of [errored, failed]) {
      const seen = [
        r,
        (await h.api.get(`/requests/${r.id}`, 'pat')).body,
        (await h.api.get(`/audit?requestId=${r.id}`, 'pat')).body,
      ];
      expect(JSON.stringify(seen)).not.toContain('itsm-secret');
    }
  });

  it('re-verifies on-call grants: an outage revokes nothing, going off call revokes with the reason', async () => {
    const r = (await ask('oncall-or-human')).body.items[0];
    const manual = await ask('ticketed', 'bob');
    expect(manual.status).toBe(201);
    oncall.answer = { outcome: 'error', detail: 'PagerDuty answered 503' };
    await h.scheduler.run(REVERIFY_TASK_ID);
    expect((await h.api.get(`/requests/${r.id}`)).body.status).toBe('granted');
    const audit = (await h.api.get(`/audit?requestId=${r.id}`, 'pat')).body
      .items;
    expect(audit[0]).toMatchObject({
      action: 'reverify-error',
      details: { check: 'oncall', detail: 'PagerDuty answered 503' },
    });
    oncall.answer = {
      outcome: 'failed',
      detail: 'not on call for schedules DBA',
    };
    await h.scheduler.run(REVERIFY_TASK_ID);
    expect((await h.api.get(`/requests/${r.id}`)).body).toMatchObject({
      status: 'revoked',
      endReason:
        'No longer passes check "oncall": not on call for schedules DBA',
    });
  });

  it('re-verifies the time an on-call check added to a grant a person approved, once their window ends', async () => {
    // off call when asking: a DBA approves the eight hours
    oncall.answer = { outcome: 'failed', detail: 'not on call' };
    const asked = (await ask('oncall-or-human')).body.items[0];
    expect(asked.status).toBe('pending');
    const r = (
      await h.api.post(
        `/requests/${asked.id}/approve`,
        { comment: 'ok' },
        'dana',
      )
    ).body;
    expect(r).toMatchObject({ status: 'granted', durationSeconds: 8 * 3600 });
    const approvedUntil = Date.parse(r.expiresAt);

    // on call an hour later: the check extends by its three hours, no person asked
    oncall.answer = {
      outcome: 'passed',
      detail: 'on call: schedule "DBA" level 1',
    };
    h.clock.advance(3600);
    const ext = await h.api.post(`/requests/${r.id}/extend`, {
      durationSeconds: 3 * 3600,
      justification: 'still on it',
    });
    expect(ext.body).toMatchObject({
      status: 'granted',
      extension: { status: 'approved', durationSeconds: 3 * 3600 },
    });
    expect(Date.parse(ext.body.expiresAt)).toBe(approvedUntil + 3 * 3600_000);
    const audit = (await h.api.get(`/audit?requestId=${r.id}`, 'pat')).body
      .items;
    expect(
      audit.find((e: any) => e.action === 'extension-approved'),
    ).toMatchObject({
      actor: 'check:oncall',
      details: {
        automatic: true,
        reverifiedBy: 'oncall',
        reverifiedFrom: r.expiresAt,
      },
    });

    // off call again: within the window the DBA approved, the check is not asked
    oncall.answer = {
      outcome: 'failed',
      detail: 'not on call for schedules DBA',
    };
    oncall.calls = 0;
    await h.scheduler.run(REVERIFY_TASK_ID);
    h.clock.advance(7 * 3600 - 1);
    await h.scheduler.run(REVERIFY_TASK_ID);
    expect(oncall.calls).toBe(0);
    expect((await h.api.get(`/requests/${r.id}`)).body).toMatchObject({
      status: 'granted',
      expiresAt: ext.body.expiresAt,
    });

    // the extra time rests on the check alone: going off call revokes it
    h.clock.advance(1);
    await h.scheduler.run(REVERIFY_TASK_ID);
    expect(oncall.calls).toBe(1);
    expect((await h.api.get(`/requests/${r.id}`)).body).toMatchObject({
      status: 'revoked',
      endReason:
        'No longer passes check "oncall": not on call for schedules DBA',
    });
  });

  it('keeps re-verifying a grant the on-call check approved from its start when the check extends it', async () => {
    const r = (await ask('oncall-or-human')).body.items[0];
    expect(r.status).toBe('granted');
    const ext = await h.api.post(`/requests/${r.id}/extend`, {
      durationSeconds: 3600,
      justification: 'still on it',
    });
    expect(ext.body.extension).toMatchObject({ status: 'approved' });
    const audit = (await h.api.get(`/audit?requestId=${r.id}`, 'pat')).body
      .items;
    const details = audit.find(
      (e: any) => e.action === 'extension-approved',
    ).details;
    expect(details).toMatchObject({ reverifiedBy: 'oncall' });
    expect(details.reverifiedFrom).toBeUndefined();
    // within the first window still: going off call revokes at once
    oncall.answer = { outcome: 'failed', detail: 'not on call' };
    await h.scheduler.run(REVERIFY_TASK_ID);
    expect((await h.api.get(`/requests/${r.id}`)).body).toMatchObject({
      status: 'revoked',
      endReason: 'No longer passes check "oncall": not on call',
    });
  });

  it('decides requests whose checks never finished, after a crash', async () => {
    oncall.answer = { outcome: 'failed', detail: 'not on call' };
    const r = (await ask('oncall-or-human')).body.items[0];
    expect(r.status).toBe('pending');
    // Put the row back where a crash between the submit transaction and the checks leaves it.
    await knex('access_requests')
      .where({ id: r.id })
      .update({
        awaiting: null,
        checks: '[]',
        created_at: h.clock.now() - 120_000,
      });
    oncall.answer = {
      outcome: 'passed',
      detail: 'on call: schedule "DBA" level 1',
    };
    await h.scheduler.run(PENDING_TIMEOUT_TASK_ID);
    expect((await h.api.get(`/requests/${r.id}`)).body).toMatchObject({
      status: 'granted',
      durationSeconds: 3 * 3600,
    });
  });

  it('lets the only approver ask when a check may approve, and rejects only if it does not', async () => {
    // erin is a DBA; as requester her only other approver is dana
    const flowsFor = (approvers: string[]) => ({
      ...ACCESS,
      flows: [
        flow('solo', {
          type: 'manual',
          approvers,
          autoApproveChecks: ['oncall'],
        }),
      ],
    });
    await h.backend.stop();
    h = await startAccessBackend({
      knex,
      access: {
        ...flowsFor(['user:default/dana']),
        flows: flowsFor(['user:default/dana']).flows.map(f => ({
          ...f,
          requesters: ['*'],
        })),
      },
      extraFeatures: [oncallModule],
    });
    const passed = await h.api.post(
      '/requests',
      {
        resources: [{ entityRef: ORDERS, permissions: ['solo'] }],
        justification: 'x',
      },
      'dana',
    );
    expect(passed.status).toBe(201);
    expect(passed.body.items[0]).toMatchObject({ status: 'granted' });
    oncall.answer = { outcome: 'failed', detail: 'not on call' };
    const failed = await h.api.post(
      '/requests',
      {
        resources: [{ entityRef: ORDERS, permissions: ['solo'] }],
        justification: 'x',
      },
      'dana',
    );
    expect(failed.body.items[0]).toMatchObject({
      status: 'rejected',
      endReason:
        'No auto-approve check passed and nobody else can approve: flow "solo" needs 1 approver(s) besides the requester',
    });
  });
});
