import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { FakePagerDuty, startFakePagerDuty } from '@jit-access/fake-pagerduty';
import {
  AccessCheckFactory,
  accessChecksExtensionPoint,
} from '@jit-access/plugin-access-node';
import { checkContext, entity } from './__testUtils__/pagerDutyApi';
import accessModulePagerDuty from '.';

const EXAMPLE_DATA = path.resolve(
  __dirname,
  '../../../examples/pagerduty.yaml',
);

/** Starts the module with this root config; returns the check types it registered. */
async function registeredFactories(config: object) {
  const factories = new Map<string, AccessCheckFactory>();
  const backend = await startTestBackend({
    extensionPoints: [
      [
        accessChecksExtensionPoint,
        { addCheckType: (f: AccessCheckFactory) => factories.set(f.type, f) },
      ],
    ],
    features: [
      accessModulePagerDuty,
      mockServices.rootConfig.factory({ data: config }),
    ],
  });
  await backend.stop();
  return factories;
}

function create(factory: AccessCheckFactory, config: object) {
  return factory.create({
    id: 'pd',
    config: new ConfigReader({ type: factory.type, ...config }),
    logger: mockServices.logger.mock(),
  });
}

describe('the pagerduty module', () => {
  it('registers the two check types, needing no token until one is configured', async () => {
    const factories = await registeredFactories({});
    expect([...factories.keys()]).toEqual([
      'pagerduty-oncall',
      'pagerduty-incident',
    ]);
  });

  it('refuses a PagerDuty check without pagerDuty.apiToken', async () => {
    const factories = await registeredFactories({});
    for (const factory of factories.values()) {
      await expect(async () => create(factory, {})).rejects.toThrow(
        'pagerDuty.apiToken',
      );
    }
  });

  it.each([
    [
      { answerCacheTtl: '10m' },
      'pagerDuty.answerCacheTtl must be a duration from 0s (nothing kept) to 5m',
    ],
    [
      { answerCacheTtl: 'soon' },
      "Invalid duration 'soon' in config at 'pagerDuty.answerCacheTtl'",
    ],
    [
      { maxResponseBytes: '1MB' },
      'pagerDuty.maxResponseBytes must be a whole number of bytes, at least 1024',
    ],
    [
      { maxResponseBytes: 10 },
      'pagerDuty.maxResponseBytes must be a whole number of bytes, at least 1024',
    ],
  ])('refuses pagerDuty %j, naming the key', async (keys, message) => {
    const factories = await registeredFactories({
      pagerDuty: { apiToken: 'token', ...keys },
    });
    await expect(async () =>
      create(factories.get('pagerduty-oncall')!, {}),
    ).rejects.toThrow(message);
  });

  it('accepts answerCacheTtl 0s (nothing kept) and a number of seconds', async () => {
    for (const answerCacheTtl of ['0s', 45]) {
      const factories = await registeredFactories({
        pagerDuty: { apiToken: 'token', answerCacheTtl },
      });
      expect(() =>
        create(factories.get('pagerduty-oncall')!, {}),
      ).not.toThrow();
    }
  });

  describe('against the fake PagerDuty with the example data', () => {
    let fake: FakePagerDuty;
    let factories: Map<string, AccessCheckFactory>;

    beforeAll(async () => {
      fake = await startFakePagerDuty({ dataFile: EXAMPLE_DATA });
      factories = await registeredFactories({
        pagerDuty: { apiBaseUrl: fake.url, apiToken: 'demo-token' },
      });
    });
    afterAll(() => fake.close());

    const ORDERS_DB = entity('Resource', 'orders-db', 'PABC123');
    const PROD_EKS = entity('Resource', 'prod-eks', 'PGHI789');
    const ORDERS_SERVICE = entity('Component', 'orders-service', 'PORD001');
    const AWS_PROD = entity('Resource', 'aws-prod', 'PJKL012');

    it('approves sam, who is on call for production', async () => {
      const check = await create(factories.get('pagerduty-oncall')!, {
        schedules: ['SRE Primary'],
        entityService: true,
      });
      const outcome = await check.run(
        checkContext('sam@acme.example', [ORDERS_DB, PROD_EKS]),
      );
      expect(outcome.outcome).toBe('passed');
      expect(outcome.detail).toMatch(
        /^on call: schedule "SRE Primary" level 1 until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(escalation policy "Production" of resource:default\/orders-db, resource:default\/prod-eks\)$/,
      );
    });

    it('does not approve alice, who is not on call', async () => {
      const check = await create(factories.get('pagerduty-oncall')!, {
        schedules: ['SRE Primary'],
      });
      expect(await check.run(checkContext('alice@acme.example'))).toEqual({
        outcome: 'failed',
        detail: 'not on call for schedule SRE Primary',
      });
    });

    it('approves dana for the DBA schedule', async () => {
      const check = await create(factories.get('pagerduty-oncall')!, {
        schedules: ['DBA'],
        escalationLevels: [1],
      });
      expect((await check.run(checkContext('dana@acme.example'))).outcome).toBe(
        'passed',
      );
    });

    it('approves bob, who acknowledged an incident on the orders service', async () => {
      const check = await create(factories.get('pagerduty-incident')!, {
        entityService: true,
      });
      expect(
        await check.run(checkContext('bob@acme.example', [ORDERS_SERVICE])),
      ).toEqual({
        outcome: 'passed',
        detail:
          'incident #1042 "Orders API: checkout failing with 5xx" is acknowledged (service "Orders service")',
      });
      expect(
        (await check.run(checkContext('alice@acme.example', [ORDERS_SERVICE])))
          .outcome,
      ).toBe('failed');
    });

    it('approves bob for aws-prod with the example config, only for its service', async () => {
      // app-config.yaml's incident-responder: entityService is on by default
      const check = await create(factories.get('pagerduty-incident')!, {
        statuses: ['acknowledged'],
      });
      expect(
        await check.run(checkContext('bob@acme.example', [AWS_PROD])),
      ).toEqual({
        outcome: 'passed',
        detail:
          'incident #1044 "AWS production: load balancer 5xx after the orders release" is acknowledged (service "AWS production account")',
      });
      expect(
        (await check.run(checkContext('bob@acme.example', [ORDERS_DB])))
          .outcome,
      ).toBe('failed');
    });

    it('revokes once the fake says sam is off call', async () => {
      const check = await create(factories.get('pagerduty-oncall')!, {
        revokeWhenOffCall: true,
      });
      expect(check.reverify).toBe(true);
      expect((await check.run(checkContext('sam@acme.example'))).outcome).toBe(
        'passed',
      );
      fake.setOnCalls([]);
      try {
        // re-verification asks afresh, within pagerDuty.answerCacheTtl too
        expect(
          await check.run({
            ...checkContext('sam@acme.example'),
            reverifying: true,
          }),
        ).toEqual({
          outcome: 'failed',
          detail: 'not on call in PagerDuty',
        });
      } finally {
        fake.reset();
      }
    });
  });

  describe("PagerDuty's other ways to configure: a Scoped OAuth app and several accounts", () => {
    let fake: FakePagerDuty;
    let other: FakePagerDuty;
    const APP = {
      clientId: 'cid',
      clientSecret: 'app-secret',
      subDomain: 'acme',
    };

    beforeAll(async () => {
      fake = await startFakePagerDuty({ dataFile: EXAMPLE_DATA });
      // a second account where sam is a user but on call for nothing
      other = await startFakePagerDuty({
        data: {
          apiToken: 'other-token',
          users: [
            { id: 'PX1', name: 'Sam Singh', email: 'sam@acme.example' },
            { id: 'PX2', name: 'Alice', email: 'alice@acme.example' },
          ],
          // alice made a schedule named like production's and put herself on call
          schedules: [{ id: 'PXS1', name: 'SRE Primary' }],
          escalation_policies: [{ id: 'PXEP', name: 'Sandbox' }],
          services: [
            { id: 'PABC123', name: 'Sandbox DB', escalation_policy: 'PXEP' },
          ],
          oncalls: [
            {
              user: 'PX2',
              schedule: 'PXS1',
              escalation_policy: 'PXEP',
              start: '-1h',
              end: '+1h',
            },
          ],
          oauthApps: [APP],
        },
      });
    });
    afterAll(async () => {
      await fake.close();
      await other.close();
    });

    /** The example data as the default account, the other fake as account "other". */
    const twoAccounts = () => ({
      pagerDuty: {
        accounts: [
          {
            id: 'main',
            isDefault: true,
            apiToken: 'demo',
            apiBaseUrl: fake.url,
          },
          { id: 'other', apiToken: 'other-token', apiBaseUrl: other.url },
        ],
      },
    });
    const ORDERS_DB = entity('Resource', 'orders-db', 'PABC123');
    const inAccount = (account: string) => {
      const e = entity('Resource', `db-${account}`, 'PABC123');
      e.metadata.annotations!['pagerduty.com/account'] = account;
      return e;
    };

    it('signs in with pagerDuty.oauth', async () => {
      const local = await startFakePagerDuty({
        data: {
          users: [{ id: 'PSAM001', name: 'Sam', email: 'sam@acme.example' }],
          oncalls: [
            {
              user: 'PSAM001',
              schedule: null,
              escalation_policy: 'PEP1',
              start: '-1h',
              end: '+1h',
            },
          ],
          oauthApps: [APP],
          apiToken: 'not-the-one-used',
        },
      });
      try {
        const factories = await registeredFactories({
          pagerDuty: {
            apiBaseUrl: local.url,
            oauth: { ...APP, tokenUrl: `${local.url}/oauth/token` },
          },
        });
        const check = await create(factories.get('pagerduty-oncall')!, {});
        expect(
          (await check.run(checkContext('sam@acme.example'))).outcome,
        ).toBe('passed');
      } finally {
        await local.close();
      }
    });

    it('checks each entity in the account its pagerduty.com/account names, and all must pass', async () => {
      const factories = await registeredFactories(twoAccounts());
      const check = await create(factories.get('pagerduty-oncall')!, {
        entityService: true,
      });
      // no annotation: the default account, where sam is on call
      expect(
        (await check.run(checkContext('sam@acme.example', [ORDERS_DB])))
          .outcome,
      ).toBe('passed');
      expect(
        (await check.run(checkContext('sam@acme.example', [inAccount('main')])))
          .outcome,
      ).toBe('passed');
      // the other account, where sam is on call for nothing
      expect(
        await check.run(checkContext('sam@acme.example', [inAccount('other')])),
      ).toMatchObject({
        outcome: 'failed',
        detail: expect.stringMatching(
          /^not on call for the escalation policy of resource:default\/db-other/,
        ),
      });
      expect(
        (
          await check.run(
            checkContext('sam@acme.example', [ORDERS_DB, inAccount('other')]),
          )
        ).outcome,
      ).toBe('failed');
      // a config fact, not an outage: re-verification revokes
      expect(
        await check.run({
          ...checkContext('sam@acme.example', [inAccount('gone')]),
          reverifying: true,
        }),
      ).toEqual({
        outcome: 'failed',
        detail:
          'no PagerDuty account "gone" in pagerDuty.accounts (named by a pagerduty.com/account annotation)',
      });
    });

    it('looks up named schedules in the default account whatever an entity names (without entityService)', async () => {
      const factories = await registeredFactories(twoAccounts());
      const check = await create(factories.get('pagerduty-oncall')!, {
        schedules: ['SRE Primary'],
      });
      // alice is on call for "SRE Primary" only in the other account, which she controls
      expect(
        await check.run(
          checkContext('alice@acme.example', [inAccount('other')]),
        ),
      ).toEqual({
        outcome: 'failed',
        detail: 'not on call for schedule SRE Primary',
      });
    });

    it("ignores pagerduty.com/account with a single apiToken, as PagerDuty's plugin does", async () => {
      const factories = await registeredFactories({
        pagerDuty: { apiBaseUrl: fake.url, apiToken: 'demo' },
      });
      const check = await create(factories.get('pagerduty-oncall')!, {});
      expect(
        (await check.run(checkContext('sam@acme.example', [inAccount('x')])))
          .outcome,
      ).toBe('passed');
    });

    it.each([
      [
        { oauth: { clientId: 'c', subDomain: 'acme' } },
        'pagerDuty.oauth.clientSecret is required',
      ],
      [
        { oauth: { ...APP, region: 'ap' } },
        'pagerDuty.oauth.region must be us or eu, not "ap"',
      ],
      [
        { oauth: { ...APP, subDomain: 'acme services.write' } },
        "pagerDuty.oauth.subDomain must be the account's subdomain",
      ],
      [
        { oauth: { ...APP, tokenUrl: 'ftp://identity' } },
        'pagerDuty.oauth.tokenUrl must be an http(s) URL, not "ftp://identity"',
      ],
      [
        {
          accounts: [
            { id: 'a', apiToken: 't', apiBaseUrl: 'api.pagerduty.com' },
          ],
        },
        'pagerDuty.accounts[0].apiBaseUrl must be an http(s) URL, not "api.pagerduty.com"',
      ],
      [
        {
          accounts: [
            { id: 'a', apiToken: 't' },
            { id: 'b', apiToken: 't' },
          ],
        },
        'pagerDuty.accounts: mark one account isDefault: true',
      ],
      [
        {
          accounts: [
            { id: 'a', apiToken: 't', isDefault: true },
            { id: 'b', apiToken: 't', isDefault: true },
          ],
        },
        'pagerDuty.accounts: only one account may be isDefault, not a, b',
      ],
      [
        { accounts: [{ apiToken: 't' }] },
        'pagerDuty.accounts[0].id is required',
      ],
      [
        {
          accounts: [
            { id: 'a', apiToken: 't' },
            { id: 'a', apiToken: 't' },
          ],
        },
        'pagerDuty.accounts[1].id: "a" is used by an earlier account',
      ],
      [
        { accounts: [{ id: 'a' }] },
        'pagerDuty.accounts[0] needs apiToken or oauth',
      ],
      [
        {
          accounts: [{ id: 'a', oauth: { clientId: 'c', clientSecret: 's' } }],
        },
        'pagerDuty.accounts[0].oauth.subDomain is required',
      ],
    ])(
      'refuses pagerDuty %j at start, naming the key',
      async (pagerDuty, message) => {
        const factories = await registeredFactories({ pagerDuty });
        await expect(async () =>
          create(factories.get('pagerduty-incident')!, {}),
        ).rejects.toThrow(message);
      },
    );
  });
});
