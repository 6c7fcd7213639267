import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AccessCheck } from '@jit-access/plugin-access-node';
import { delay, http, HttpResponse } from 'msw';
import {
  BASE_URL,
  checkContext,
  entity,
  FIXED_END,
  pagerDutyHandlers,
  setupPagerDutyApi,
  testClient,
  TOKEN,
} from '../__testUtils__/pagerDutyApi';
import { PagerDutyClient } from '../client/PagerDutyClient';
import { createOnCallCheckFactory } from './onCallCheck';

const api = setupPagerDutyApi();

const ORDERS_DB = entity('Resource', 'orders-db', 'PABC123');
const ANALYTICS_DB = entity('Resource', 'analytics-db', 'PDEF456');
const ORDERS_SERVICE = entity('Component', 'orders-service', 'PORD001');
const NO_SERVICE = entity('Resource', 'scratch-bucket');

async function onCallCheck(
  config: object = {},
  client: PagerDutyClient = testClient(),
  logger = mockServices.logger.mock(),
): Promise<AccessCheck> {
  return createOnCallCheckFactory({ getClient: () => client }).create({
    id: 'oncall',
    config: new ConfigReader({ type: 'pagerduty-oncall', ...config }),
    logger,
  });
}

describe('pagerduty-oncall', () => {
  it('passes when the requester is on call', async () => {
    const check = await onCallCheck();
    expect(await check.run(checkContext('sam@acme.example'))).toEqual({
      outcome: 'passed',
      detail: `on call: schedule "SRE Primary" level 1 until ${FIXED_END}`,
    });
    expect(check.reverify).toBe(false);
  });

  it('fails when the requester is not on call', async () => {
    const check = await onCallCheck();
    expect(await check.run(checkContext('alice@acme.example'))).toEqual({
      outcome: 'failed',
      detail: 'not on call in PagerDuty',
    });
  });

  it('is an error when no PagerDuty user has the e-mail', async () => {
    const check = await onCallCheck();
    expect(await check.run(checkContext('nobody@acme.example'))).toEqual({
      outcome: 'error',
      detail: 'no PagerDuty user with e-mail nobody@acme.example',
    });
  });

  it('matches the e-mail exactly, ignoring case', async () => {
    const check = await onCallCheck();
    expect(await check.run(checkContext('Sam@Acme.Example'))).toMatchObject({
      outcome: 'passed',
    });
    // "sam@acme.example" is a substring of another user's e-mail: not a match
    api.state.users = api.state.users.filter(u => u.id !== 'PSAM001');
    expect(
      await (await onCallCheck()).run(checkContext('sam@acme.example')),
    ).toMatchObject({ outcome: 'error' });
  });

  it('is an error when the requester has no e-mail', async () => {
    const check = await onCallCheck();
    expect(await check.run(checkContext(undefined))).toEqual({
      outcome: 'error',
      detail:
        'user:default/nomail has no e-mail in the catalog, so no PagerDuty user can be found',
    });
  });

  describe('schedules', () => {
    it('passes for an on-call in one of the named schedules', async () => {
      const check = await onCallCheck({ schedules: ['DBA', 'SRE Primary'] });
      expect(await check.run(checkContext('dana@acme.example'))).toEqual({
        outcome: 'passed',
        detail: `on call: schedule "DBA" level 1 until ${FIXED_END}`,
      });
      const oncalls = api.state.requests.find(
        r => r.url.pathname === '/oncalls',
      )!;
      expect(oncalls.url.searchParams.getAll('schedule_ids[]')).toEqual([
        'PDBA001',
        'PSRE001',
      ]);
    });

    it('fails when on call only for other schedules', async () => {
      const check = await onCallCheck({ schedules: ['DBA', 'DBA Backup'] });
      expect(await check.run(checkContext('sam@acme.example'))).toEqual({
        outcome: 'failed',
        detail: 'not on call for schedules DBA, DBA Backup',
      });
    });

    it('matches names exactly: "dba" is not "DBA"', async () => {
      const check = await onCallCheck({ schedules: ['dba'] });
      expect(await check.run(checkContext('dana@acme.example'))).toEqual({
        outcome: 'error',
        detail:
          'unknown PagerDuty schedule "dba" (schedule names are exact and case-sensitive)',
      });
    });

    it('is an error when a schedule name is unknown', async () => {
      const check = await onCallCheck({ schedules: ['SRE Primary', 'Nope'] });
      expect(await check.run(checkContext('sam@acme.example'))).toEqual({
        outcome: 'error',
        detail:
          'unknown PagerDuty schedule "Nope" (schedule names are exact and case-sensitive)',
      });
    });

    it('counts an on-call without a schedule only when no schedule is named', async () => {
      api.state.oncalls = [
        {
          user: { id: 'PSAM001' },
          schedule: null,
          escalation_policy: { id: 'PEPPROD', summary: 'Production' },
          escalation_level: 1,
          start: null,
          end: null,
        },
      ];
      expect(
        await (await onCallCheck()).run(checkContext('sam@acme.example')),
      ).toEqual({
        outcome: 'passed',
        detail:
          'on call: escalation policy "Production" (directly) level 1 with no end',
      });
      // an answer ignoring schedule_ids[] must not approve
      api.server.use(
        http.get(`${BASE_URL}/oncalls`, () =>
          HttpResponse.json({ oncalls: api.state.oncalls, more: false }),
        ),
      );
      expect(
        await (
          await onCallCheck({ schedules: ['SRE Primary'] })
        ).run(checkContext('sam@acme.example')),
      ).toEqual({
        outcome: 'failed',
        detail: 'not on call for schedule SRE Primary',
      });
    });
  });

  describe('entityService', () => {
    it('passes when on call for the escalation policy of the requested entity service', async () => {
      const check = await onCallCheck({ entityService: true });
      expect(
        await check.run(checkContext('sam@acme.example', [ORDERS_DB])),
      ).toEqual({
        outcome: 'passed',
        detail: `on call: schedule "SRE Primary" level 1 until ${FIXED_END} (escalation policy "Production" of resource:default/orders-db)`,
      });
      const oncalls = api.state.requests.find(
        r => r.url.pathname === '/oncalls',
      )!;
      expect(
        oncalls.url.searchParams.getAll('escalation_policy_ids[]'),
      ).toEqual(['PEPPROD']);
    });

    it('finds the service of an entity annotated only with pagerduty.com/integration-key, and keeps it', async () => {
      const byKey: typeof ORDERS_DB = {
        ...ORDERS_DB,
        metadata: {
          ...ORDERS_DB.metadata,
          annotations: {
            'pagerduty.com/integration-key': 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
          },
        },
      };
      const check = await onCallCheck({ entityService: true });
      expect(
        await check.run(checkContext('sam@acme.example', [byKey])),
      ).toEqual({
        outcome: 'passed',
        detail: `on call: schedule "SRE Primary" level 1 until ${FIXED_END} (escalation policy "Production" of resource:default/orders-db)`,
      });
      const search = api.state.requests.find(
        r => r.url.pathname === '/services',
      )!;
      expect(search.url.searchParams.get('query')).toBe(
        'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
      );
      expect(search.url.searchParams.getAll('include[]')).toEqual([
        'integrations',
      ]);
      await check.run(checkContext('sam@acme.example', [byKey]));
      expect(
        api.state.requests.filter(r => r.url.pathname === '/services'),
      ).toHaveLength(1);
    });

    it('fails for an integration key no service has, even when the search lists a service', async () => {
      const named = (key: string): typeof ORDERS_DB => ({
        ...ORDERS_DB,
        metadata: {
          ...ORDERS_DB.metadata,
          annotations: { 'pagerduty.com/integration-key': key },
        },
      });
      const check = await onCallCheck({ entityService: true });
      expect(
        await check.run(checkContext('sam@acme.example', [named('0000dead')])),
      ).toEqual({
        outcome: 'failed',
        detail:
          'no PagerDuty service has the pagerduty.com/integration-key of resource:default/orders-db',
      });
      // a service whose name matches the search but whose integrations do not carry the key
      api.state.services[0].name = 'Orders database (prod) 0000beef';
      expect(
        await check.run(checkContext('sam@acme.example', [named('0000beef')])),
      ).toMatchObject({ outcome: 'failed' });
    });

    it('re-verifies against the service as it is now, not a kept look-up', async () => {
      const check = await onCallCheck({ entityService: true });
      const context = checkContext('sam@acme.example', [ORDERS_DB]);
      expect((await check.run(context)).outcome).toBe('passed');
      // the service moved to the databases' escalation policy, where sam is not on call
      api.state.services[0].escalation_policy = {
        id: 'PEPDATA',
        summary: 'Databases',
      };
      expect((await check.run({ ...context, reverifying: true })).outcome).toBe(
        'failed',
      );
    });

    it('fails when on call for another escalation policy', async () => {
      const check = await onCallCheck({ entityService: true });
      expect(
        await check.run(checkContext('sam@acme.example', [ORDERS_SERVICE])),
      ).toEqual({
        outcome: 'failed',
        detail:
          'not on call for the escalation policy of component:default/orders-service (service PORD001, escalation policy "Orders")',
      });
    });

    it('needs an on-call for every requested entity', async () => {
      const check = await onCallCheck({ entityService: true });
      expect(
        await check.run(
          checkContext('dana@acme.example', [ANALYTICS_DB, ORDERS_DB]),
        ),
      ).toMatchObject({ outcome: 'passed' });
      expect(
        await check.run(
          checkContext('dana@acme.example', [ANALYTICS_DB, ORDERS_SERVICE]),
        ),
      ).toEqual({
        outcome: 'failed',
        detail:
          'not on call for the escalation policy of component:default/orders-service (service PORD001, escalation policy "Orders")',
      });
    });

    it('fails when a requested entity has no service annotation', async () => {
      const check = await onCallCheck({ entityService: true });
      expect(
        await check.run(
          checkContext('sam@acme.example', [ORDERS_DB, NO_SERVICE]),
        ),
      ).toEqual({
        outcome: 'failed',
        detail:
          'resource:default/scratch-bucket has no pagerduty.com/service-id or pagerduty.com/integration-key annotation, so no PagerDuty service to check',
      });
    });

    it('is an error, not a missing annotation, for an entity it got no catalog entry for', async () => {
      const check = await onCallCheck({
        entityService: true,
        revokeWhenOffCall: true,
      });
      const context = checkContext('sam@acme.example', [ORDERS_DB, NO_SERVICE]);
      context.resources[1].entity = undefined;
      for (const reverifying of [false, true]) {
        expect(await check.run({ ...context, reverifying })).toEqual({
          outcome: 'error',
          detail:
            'resource:default/scratch-bucket is not in the catalog, so its PagerDuty service is unknown',
        });
      }
    });

    it('is an error when the annotated service does not exist', async () => {
      const check = await onCallCheck({ entityService: true });
      expect(
        await check.run(
          checkContext('sam@acme.example', [
            entity('Resource', 'ghost', 'PGHOST1'),
          ]),
        ),
      ).toEqual({
        outcome: 'error',
        detail: 'PagerDuty has no service PGHOST1',
      });
    });
  });

  describe('escalationLevels', () => {
    it('counts only the configured levels', async () => {
      const level1 = await onCallCheck({
        entityService: true,
        escalationLevels: [1],
      });
      expect(
        await level1.run(checkContext('dana@acme.example', [ORDERS_DB])),
      ).toEqual({
        outcome: 'failed',
        detail: `not on call for the escalation policy of resource:default/orders-db (service PABC123, escalation policy "Production") at escalation level 1; on call only as schedule "DBA" level 2 until ${FIXED_END}`,
      });
      const level12 = await onCallCheck({
        entityService: true,
        escalationLevels: [1, 2],
      });
      expect(
        await level12.run(checkContext('dana@acme.example', [ORDERS_DB])),
      ).toEqual({
        outcome: 'passed',
        detail: `on call: schedule "DBA" level 2 until ${FIXED_END} (escalation policy "Production" of resource:default/orders-db)`,
      });
    });
  });

  it('asks to re-verify with revokeWhenOffCall, and then fails once off call', async () => {
    const check = await onCallCheck({ revokeWhenOffCall: true });
    expect(check.reverify).toBe(true);
    expect(await check.run(checkContext('sam@acme.example'))).toMatchObject({
      outcome: 'passed',
    });
    api.state.oncalls = [];
    // re-verification asks PagerDuty afresh, however recent the last answer
    expect(
      await check.run({
        ...checkContext('sam@acme.example'),
        reverifying: true,
      }),
    ).toEqual({
      outcome: 'failed',
      detail: 'not on call in PagerDuty',
    });
  });

  describe('asking PagerDuty less', () => {
    const count = (path: string) =>
      api.state.requests.filter(r => r.url.pathname === path).length;

    it('300 checks for the same requester and schedule at once make one call of each kind', async () => {
      // one client for every check, as the module makes it
      const check = await onCallCheck({ schedules: ['SRE Primary'] });
      const outcomes = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          check.run(
            checkContext('sam@acme.example', [
              entity('Resource', `db-${i}`, 'PABC123'),
            ]),
          ),
        ),
      );
      expect(new Set(outcomes.map(o => o.outcome))).toEqual(
        new Set(['passed']),
      );
      expect(count('/users')).toBe(1);
      expect(count('/schedules')).toBe(1);
      expect(count('/oncalls')).toBe(1);
    });

    it('asks again once the answer is older than answerCacheTtl', async () => {
      let now = 1_000_000;
      const check = await onCallCheck(
        {},
        testClient({ now: () => now, answerCacheTtlMs: 30_000 }),
      );
      expect(await check.run(checkContext('sam@acme.example'))).toMatchObject({
        outcome: 'passed',
      });
      api.state.oncalls = [];
      now += 10_000;
      expect(await check.run(checkContext('sam@acme.example'))).toMatchObject({
        outcome: 'passed',
      });
      expect(count('/oncalls')).toBe(1);
      now += 20_001;
      expect(await check.run(checkContext('sam@acme.example'))).toEqual({
        outcome: 'failed',
        detail: 'not on call in PagerDuty',
      });
      expect(count('/oncalls')).toBe(2);
    });

    it('does not keep "could not verify"', async () => {
      api.server.use(
        http.get(
          `${BASE_URL}/oncalls`,
          () => new HttpResponse(null, { status: 503 }),
        ),
      );
      const check = await onCallCheck();
      expect(await check.run(checkContext('sam@acme.example'))).toMatchObject({
        outcome: 'error',
      });
      api.server.resetHandlers(...pagerDutyHandlers(api.state));
      expect(await check.run(checkContext('sam@acme.example'))).toMatchObject({
        outcome: 'passed',
      });
    });

    it('could not verify an answer larger than maxResponseBytes', async () => {
      api.state.oncalls = Array.from({ length: 100 }, () => ({
        ...api.state.oncalls[0],
        escalation_policy: { id: 'PEPPROD', summary: 'x'.repeat(2_000) },
      }));
      const check = await onCallCheck(
        {},
        testClient({ maxResponseBytes: 100_000 }),
      );
      expect(await check.run(checkContext('sam@acme.example'))).toEqual({
        outcome: 'error',
        detail:
          'PagerDuty sent more than 100000 bytes in answer to GET /oncalls (pagerDuty.maxResponseBytes)',
      });
    });
  });

  it('re-verifying, counts a person PagerDuty no longer knows as off call; deciding, lets people decide', async () => {
    const check = await onCallCheck({ revokeWhenOffCall: true });
    const reverifying = (email: string | undefined) => ({
      ...checkContext(email),
      reverifying: true,
    });
    expect(await check.run(reverifying('sam@acme.example'))).toMatchObject({
      outcome: 'passed',
    });
    // sam is offboarded: PagerDuty answers, without sam
    api.state.users = api.state.users.filter(u => u.id !== 'PSAM001');
    const fresh = await onCallCheck({ revokeWhenOffCall: true });
    expect(await fresh.run(reverifying('sam@acme.example'))).toEqual({
      outcome: 'failed',
      detail:
        'no PagerDuty user with e-mail sam@acme.example any more, so not on call',
    });
    // a first decision does not refuse on it: people decide
    expect(await fresh.run(checkContext('sam@acme.example'))).toEqual({
      outcome: 'error',
      detail: 'no PagerDuty user with e-mail sam@acme.example',
    });
    // what PagerDuty could not answer, or what was never asked, revokes nothing
    expect(await fresh.run(reverifying(undefined))).toMatchObject({
      outcome: 'error',
    });
    api.server.use(
      http.get(
        `${BASE_URL}/users`,
        () => new HttpResponse(null, { status: 503 }),
      ),
    );
    expect(await fresh.run(reverifying('dana@acme.example'))).toEqual({
      outcome: 'error',
      detail: 'PagerDuty did not answer: 503 after 3 tries',
    });
  });

  it('reads on-calls across pages', async () => {
    // five on-calls of sam, one per page; the one at level 1 is on the third page
    api.state.pageSize = 1;
    const base = api.state.oncalls[0];
    api.state.oncalls = [3, 3, 1, 3, 3].map(level => ({
      ...base,
      escalation_level: level,
    }));
    const check = await onCallCheck({ escalationLevels: [1] });
    expect(await check.run(checkContext('sam@acme.example'))).toEqual({
      outcome: 'passed',
      detail: `on call: schedule "SRE Primary" level 1 until ${FIXED_END}`,
    });
    expect(
      api.state.requests
        .filter(r => r.url.pathname === '/oncalls')
        .map(r => r.url.searchParams.get('offset')),
    ).toEqual(['0', '1', '2', '3', '4']);
  });

  describe('when PagerDuty misbehaves', () => {
    it('retries a 429 and then answers', async () => {
      let calls = 0;
      api.server.use(
        http.get(`${BASE_URL}/oncalls`, () => {
          calls++;
          return calls === 1
            ? new HttpResponse(null, {
                status: 429,
                headers: { 'Retry-After': '1' },
              })
            : undefined; // falls through to the normal handler
        }),
      );
      const check = await onCallCheck();
      expect(await check.run(checkContext('sam@acme.example'))).toEqual({
        outcome: 'passed',
        detail: `on call: schedule "SRE Primary" level 1 until ${FIXED_END}`,
      });
      expect(calls).toBe(2);
    });

    it('is an error after retrying a 500', async () => {
      let calls = 0;
      api.server.use(
        http.get(`${BASE_URL}/oncalls`, () => {
          calls++;
          return HttpResponse.json(
            { error: { message: 'Internal Server Error' } },
            { status: 500 },
          );
        }),
      );
      const check = await onCallCheck();
      expect(await check.run(checkContext('sam@acme.example'))).toEqual({
        outcome: 'error',
        detail: 'PagerDuty did not answer: 500 after 3 tries',
      });
      expect(calls).toBe(3);
    });

    it('is an error when PagerDuty is slower than the check may wait', async () => {
      api.server.use(
        http.get(`${BASE_URL}/oncalls`, async () => {
          await delay(20000);
          return HttpResponse.json({ oncalls: [], more: false });
        }),
      );
      const check = await onCallCheck(
        {},
        testClient({ requestTimeoutMs: 5000 }),
      );
      const started = Date.now();
      expect(
        await check.run(
          checkContext('sam@acme.example', undefined, AbortSignal.timeout(150)),
        ),
      ).toEqual({
        outcome: 'error',
        detail:
          'PagerDuty did not answer GET /oncalls before the check timed out',
      });
      expect(Date.now() - started).toBeLessThan(10000);
    });

    it('is an error when a request times out', async () => {
      api.server.use(
        http.get(`${BASE_URL}/users`, async () => {
          await delay(20000);
          return HttpResponse.json({ users: [], more: false });
        }),
      );
      const check = await onCallCheck(
        {},
        testClient({ requestTimeoutMs: 100 }),
      );
      expect(await check.run(checkContext('sam@acme.example'))).toEqual({
        outcome: 'error',
        detail: 'PagerDuty did not answer GET /users within 100 ms',
      });
    });

    it('is an error on malformed JSON', async () => {
      api.server.use(
        http.get(
          `${BASE_URL}/oncalls`,
          () => new HttpResponse('{"oncalls": [', { status: 200 }),
        ),
      );
      const check = await onCallCheck();
      expect(await check.run(checkContext('sam@acme.example'))).toEqual({
        outcome: 'error',
        detail: 'PagerDuty sent malformed JSON in answer to GET /oncalls',
      });
    });

    it('never shows the token in a detail', async () => {
      api.server.use(
        http.get(`${BASE_URL}/users`, ({ request }) =>
          HttpResponse.json(
            {
              error: {
                message: `token ${request.headers
                  .get('authorization')
                  ?.replace('Token token=', '')} is not valid`,
              },
            },
            { status: 403 },
          ),
        ),
      );
      const logger = mockServices.logger.mock();
      const check = await onCallCheck(
        {},
        testClient({ logger, maxRetryWaitMs: 1 }),
        logger,
      );
      const outcome = await check.run(checkContext('sam@acme.example'));
      expect(outcome).toEqual({
        outcome: 'error',
        detail: 'PagerDuty answered 403 to GET /users: token *** is not valid',
      });
      expect(JSON.stringify(outcome)).not.toContain(TOKEN);
      expect(logger.warn).toHaveBeenCalledWith(
        'PagerDuty check could not decide: PagerDuty answered 403 to GET /users: token *** is not valid',
      );
      const logged = [logger.warn, logger.debug, logger.info, logger.error]
        .flatMap(fn => (fn as jest.Mock).mock.calls)
        .map(args => JSON.stringify(args));
      expect(logged.join('\n')).not.toContain(TOKEN);
    });
  });

  describe('config', () => {
    it.each([
      [{ schedules: 'DBA' }, 'schedules must be a list of schedule names'],
      [{ schedules: ['DBA', 3] }, 'schedules must be a list of schedule names'],
      [
        { schedules: [] },
        'schedules must list at least one of the schedule names (leave it out to accept any)',
      ],
      [{ entityService: 'yes' }, 'entityService must be true or false'],
      [
        { escalationLevels: [0] },
        'escalationLevels must be a list of escalation levels (whole numbers from 1), e.g. [1, 2]',
      ],
      [
        { escalationLevels: 'first' },
        'escalationLevels must be a list of escalation levels (whole numbers from 1), e.g. [1, 2]',
      ],
      [{ revokeWhenOffCall: 1 }, 'revokeWhenOffCall must be true or false'],
    ])('refuses %j', async (config, message) => {
      await expect(onCallCheck(config)).rejects.toThrow(message);
    });

    it('warns at start-up when being on call anywhere passes', async () => {
      const logger = mockServices.logger.mock();
      await onCallCheck({}, testClient(), logger);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /^access\.checks\.oncall sets neither schedules nor entityService: .*override/,
        ),
      );
      for (const narrowed of [
        { schedules: ['DBA'] },
        { entityService: true },
      ]) {
        const quiet = mockServices.logger.mock();
        await onCallCheck(narrowed, testClient(), quiet);
        expect(quiet.warn).not.toHaveBeenCalled();
      }
    });

    it('warns about keys it does not know', async () => {
      const logger = mockServices.logger.mock();
      await createOnCallCheckFactory({ getClient: () => testClient() }).create({
        id: 'oncall',
        config: new ConfigReader({
          type: 'pagerduty-oncall',
          maxDuration: '4h',
          schedule: ['DBA'],
          entityService: true,
        }),
        logger,
      });
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          'schedule is not a setting of pagerduty-oncall checks',
        ),
      );
    });
  });
});
