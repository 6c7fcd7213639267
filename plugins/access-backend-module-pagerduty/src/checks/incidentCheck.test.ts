import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AccessCheck } from '@jit-access/plugin-access-node';
import { http, HttpResponse } from 'msw';
import {
  BASE_URL,
  checkContext,
  entity,
  setupPagerDutyApi,
  testClient,
  TOKEN,
} from '../__testUtils__/pagerDutyApi';
import { createIncidentCheckFactory } from './incidentCheck';

const api = setupPagerDutyApi();

const ORDERS_SERVICE = entity('Component', 'orders-service', 'PORD001');
const ORDERS_DB = entity('Resource', 'orders-db', 'PABC123');
const NO_SERVICE = entity('Resource', 'scratch-bucket');
const ANALYTICS_DB = entity('Resource', 'analytics-db', 'PDEF456');

/** A request by `email` for the orders service, where bob's incident is. */
const forOrders = (email: string) => checkContext(email, [ORDERS_SERVICE]);
const ON_ORDERS =
  'on the service of component:default/orders-service (PORD001)';

async function incidentCheck(
  config: object = {},
  logger = mockServices.logger.mock(),
): Promise<AccessCheck> {
  return createIncidentCheckFactory({ getClient: () => testClient() }).create({
    id: 'incident',
    config: new ConfigReader({ type: 'pagerduty-incident', ...config }),
    logger,
  });
}

const BOB_INCIDENT =
  'incident #1042 "Orders API: checkout failing with 5xx" is acknowledged (service "Orders service")';

describe('pagerduty-incident', () => {
  describe("trusting only incidents on the requested entities' services", () => {
    it('by default, does not pass for an incident on another service', async () => {
      // bob's incident is on the orders service, not on the orders database's: an incident
      // anyone can open in any service must not open every resource
      const check = await incidentCheck();
      expect(
        await check.run(checkContext('bob@acme.example', [ORDERS_DB])),
      ).toEqual({
        outcome: 'failed',
        detail:
          'no acknowledged PagerDuty incident assigned to bob@acme.example on the service of resource:default/orders-db (PABC123)',
      });
    });

    it('accepts any service only when entityService: false is set, and warns at start-up', async () => {
      const logger = mockServices.logger.mock();
      const check = await incidentCheck({ entityService: false }, logger);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /^access\.checks\.incident\.entityService is false: .*any service/,
        ),
      );
      expect(
        await check.run(checkContext('bob@acme.example', [ORDERS_DB])),
      ).toEqual({ outcome: 'passed', detail: BOB_INCIDENT });
    });

    it('does not warn by default', async () => {
      const logger = mockServices.logger.mock();
      await incidentCheck({}, logger);
      expect(logger.warn).not.toHaveBeenCalled();
    });

    it("warns that resolving anyone's incident approves when resolved counts", async () => {
      const logger = mockServices.logger.mock();
      await incidentCheck({ statuses: ['acknowledged', 'resolved'] }, logger);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /^access\.checks\.incident\.statuses includes resolved: resolving anyone's incident/,
        ),
      );
    });
  });

  it('passes when the requester has acknowledged an incident', async () => {
    const check = await incidentCheck();
    expect(await check.run(forOrders('bob@acme.example'))).toEqual({
      outcome: 'passed',
      detail: BOB_INCIDENT,
    });
    const { url } = api.state.requests.find(
      r => r.url.pathname === '/incidents',
    )!;
    expect(url.searchParams.getAll('user_ids[]')).toEqual(['PBOB001']);
    expect(url.searchParams.getAll('statuses[]')).toEqual(['acknowledged']);
    expect(check.reverify).toBeFalsy();
  });

  it('fails when the requester has no incident', async () => {
    const check = await incidentCheck();
    expect(await check.run(forOrders('alice@acme.example'))).toEqual({
      outcome: 'failed',
      detail: `no acknowledged PagerDuty incident assigned to alice@acme.example ${ON_ORDERS}`,
    });
  });

  it('fails for an incident that is only triggered, by default', async () => {
    const check = await incidentCheck();
    expect(
      await check.run(checkContext('dana@acme.example', [ANALYTICS_DB])),
    ).toEqual({
      outcome: 'failed',
      detail:
        'no acknowledged PagerDuty incident assigned to dana@acme.example on the service of resource:default/analytics-db (PDEF456)',
    });
  });

  it('passes for the configured statuses', async () => {
    const check = await incidentCheck({
      statuses: ['triggered', 'acknowledged'],
    });
    expect(
      await check.run(checkContext('dana@acme.example', [ANALYTICS_DB])),
    ).toEqual({
      outcome: 'passed',
      detail:
        'incident #1043 "Analytics lag" is triggered (service "Analytics database")',
    });
    expect(await check.run(forOrders('alice@acme.example'))).toEqual({
      outcome: 'failed',
      detail: `no triggered or acknowledged PagerDuty incident assigned to alice@acme.example ${ON_ORDERS}`,
    });
  });

  it('passes for an incident acknowledged long ago, not for one resolved long ago', async () => {
    // PagerDuty lists only incidents of the last 30 days unless asked for date_range=all
    const fortyDaysAgo = new Date(
      Date.now() - 40 * 24 * 3600_000,
    ).toISOString();
    api.state.incidents[0].created_at = fortyDaysAgo;
    const check = await incidentCheck();
    expect(await check.run(forOrders('bob@acme.example'))).toEqual({
      outcome: 'passed',
      detail: BOB_INCIDENT,
    });
    Object.assign(api.state.incidents[0], {
      status: 'resolved',
      resolver: 'PBOB001',
      resolved_at: fortyDaysAgo,
    });
    const resolved = await incidentCheck({ statuses: ['resolved'] });
    expect(await resolved.run(forOrders('bob@acme.example'))).toEqual({
      outcome: 'failed',
      detail: `no resolved PagerDuty incident assigned to bob@acme.example (resolved: acknowledged or resolved by them in the last 1d) ${ON_ORDERS}`,
    });
  });

  describe('resolved incidents (assigned to nobody once resolved)', () => {
    const RESOLVED_BY_BOB =
      'incident #1042 "Orders API: checkout failing with 5xx" is resolved (service "Orders service")';
    const resolve = (by: string, hoursAgo = 1) =>
      Object.assign(api.state.incidents[0], {
        status: 'resolved',
        resolver: by,
        resolved_at: new Date(Date.now() - hoursAgo * 3600_000).toISOString(),
      });

    it('passes for the requester who resolved it', async () => {
      resolve('PBOB001');
      const check = await incidentCheck({ statuses: ['resolved'] });
      expect(await check.run(forOrders('bob@acme.example'))).toEqual({
        outcome: 'passed',
        detail: RESOLVED_BY_BOB,
      });
      // who resolved it is in the incident itself: no log needed
      expect(
        api.state.requests.filter(r => r.url.pathname.endsWith('/log_entries')),
      ).toHaveLength(0);
    });

    it('passes for the requester who acknowledged it, whoever resolved it (from its log)', async () => {
      resolve('PALICE1');
      const check = await incidentCheck({ statuses: ['resolved'] });
      expect(await check.run(forOrders('bob@acme.example'))).toEqual({
        outcome: 'passed',
        detail: RESOLVED_BY_BOB,
      });
      expect(api.state.requests.map(r => r.url.pathname).at(-1)).toBe(
        '/incidents/PINC042/log_entries',
      );
    });

    it('does not pass for someone who neither acknowledged nor resolved it', async () => {
      resolve('PALICE1');
      const check = await incidentCheck({ statuses: ['resolved'] });
      expect(await check.run(forOrders('dana@acme.example'))).toMatchObject({
        outcome: 'failed',
      });
    });

    it('counts only incidents resolved within resolvedWithin (default one day)', async () => {
      resolve('PBOB001', 30);
      expect(
        await (
          await incidentCheck({ statuses: ['resolved'] })
        ).run(forOrders('bob@acme.example')),
      ).toMatchObject({ outcome: 'failed' });
      expect(
        await (
          await incidentCheck({ statuses: ['resolved'], resolvedWithin: '2d' })
        ).run(forOrders('bob@acme.example')),
      ).toEqual({ outcome: 'passed', detail: RESOLVED_BY_BOB });
    });

    it('refuses a resolvedWithin that is not a duration up to 30 days', async () => {
      await expect(
        incidentCheck({ statuses: ['resolved'], resolvedWithin: '45d' }),
      ).rejects.toThrow(/^resolvedWithin must be a duration from 1s to 30d/);
      await expect(
        incidentCheck({ statuses: ['resolved'], resolvedWithin: 'soon' }),
      ).rejects.toThrow(/resolvedWithin/);
    });

    it('is an error, not a guess, when too many resolved incidents would need their log read', async () => {
      api.state.incidents = Array.from({ length: 12 }, (_, n) => ({
        id: `PRES${n}`,
        incident_number: 2000 + n,
        title: `Old alert ${n}`,
        status: 'resolved',
        service: { id: 'PORD001', summary: 'Orders service' },
        assignments: [],
        resolver: 'PALICE1',
        resolved_at: new Date(Date.now() - (n + 1) * 60_000).toISOString(),
      }));
      const check = await incidentCheck({ statuses: ['resolved'] });
      expect(await check.run(forOrders('bob@acme.example'))).toEqual({
        outcome: 'error',
        detail:
          'more than 10 resolved incidents to look through for bob@acme.example; could not tell whether they handled one',
      });
    });

    it('still passes on an open incident assigned to the requester when resolved ones count too', async () => {
      const check = await incidentCheck({
        statuses: ['acknowledged', 'resolved'],
      });
      expect(await check.run(forOrders('bob@acme.example'))).toEqual({
        outcome: 'passed',
        detail: BOB_INCIDENT,
      });
      // the open incident covered the service: no resolved incidents were asked for
      expect(
        api.state.requests.filter(r =>
          r.url.searchParams.getAll('statuses[]').includes('resolved'),
        ),
      ).toHaveLength(0);
    });
  });

  it('does not pass for an incident assigned to someone else', async () => {
    // an answer that ignored user_ids[] must not approve
    api.server.use(
      http.get(`${BASE_URL}/incidents`, () =>
        HttpResponse.json({ incidents: api.state.incidents, more: false }),
      ),
    );
    const check = await incidentCheck();
    expect(await check.run(forOrders('alice@acme.example'))).toMatchObject({
      outcome: 'failed',
    });
  });

  it('is an error when no PagerDuty user has the e-mail', async () => {
    const check = await incidentCheck();
    expect(await check.run(checkContext('nobody@acme.example'))).toEqual({
      outcome: 'error',
      detail: 'no PagerDuty user with e-mail nobody@acme.example',
    });
  });

  describe('entityService', () => {
    it('passes for an incident on the requested entity service', async () => {
      const check = await incidentCheck({ entityService: true });
      expect(
        await check.run(checkContext('bob@acme.example', [ORDERS_SERVICE])),
      ).toEqual({ outcome: 'passed', detail: BOB_INCIDENT });
      const { url } = api.state.requests.find(
        r => r.url.pathname === '/incidents',
      )!;
      expect(url.searchParams.getAll('service_ids[]')).toEqual(['PORD001']);
    });

    it('fails for an incident on another service', async () => {
      const check = await incidentCheck({ entityService: true });
      expect(
        await check.run(
          checkContext('bob@acme.example', [ORDERS_SERVICE, ORDERS_DB]),
        ),
      ).toEqual({
        outcome: 'failed',
        detail:
          'no acknowledged PagerDuty incident assigned to bob@acme.example on the service of resource:default/orders-db (PABC123)',
      });
    });

    it('is an error for requested entities it got no catalog entry for', async () => {
      const check = await incidentCheck({ entityService: true });
      const context = checkContext('bob@acme.example', [
        ORDERS_SERVICE,
        ORDERS_DB,
      ]);
      context.resources.forEach(r => (r.entity = undefined));
      expect(await check.run(context)).toEqual({
        outcome: 'error',
        detail:
          'component:default/orders-service, resource:default/orders-db are not in the catalog, so their PagerDuty service is unknown',
      });
    });

    it('fails when a requested entity has no service annotation', async () => {
      const check = await incidentCheck({ entityService: true });
      expect(
        await check.run(checkContext('bob@acme.example', [NO_SERVICE])),
      ).toEqual({
        outcome: 'failed',
        detail:
          'resource:default/scratch-bucket has no pagerduty.com/service-id or pagerduty.com/integration-key annotation, so no PagerDuty service to check',
      });
    });
  });

  it('is an error, without the token, when PagerDuty fails', async () => {
    api.server.use(
      http.get(
        `${BASE_URL}/incidents`,
        () => new HttpResponse(TOKEN, { status: 503 }),
      ),
    );
    const check = await incidentCheck();
    const outcome = await check.run(checkContext('bob@acme.example'));
    expect(outcome).toEqual({
      outcome: 'error',
      detail: 'PagerDuty did not answer: 503 after 3 tries',
    });
    expect(outcome.detail).not.toContain(TOKEN);
  });

  it.each([
    [
      { statuses: ['open'] },
      'statuses must be a list of incident statuses (triggered, acknowledged, resolved), not "open"',
    ],
    [
      { statuses: 'acknowledged' },
      'statuses must be a list of incident statuses',
    ],
    [{ entityService: 'no' }, 'entityService must be true or false'],
  ])('refuses %j', async (config, message) => {
    await expect(incidentCheck(config)).rejects.toThrow(message);
  });
});
