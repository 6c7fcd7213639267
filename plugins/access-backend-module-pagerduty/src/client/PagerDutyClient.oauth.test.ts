import {
  BASE_URL,
  OAUTH_APP,
  setupPagerDutyApi,
  TOKEN_URL,
} from '../__testUtils__/pagerDutyApi';
import { PagerDutyClient } from './PagerDutyClient';

const api = setupPagerDutyApi();

/** A client signed in as PagerDuty's Scoped OAuth app, on a clock the test moves. */
function oauthClient(
  app: Partial<typeof OAUTH_APP> & { region?: string } = {},
) {
  const clock = { now: Date.parse('2026-12-07T09:00:00Z') };
  const client = new PagerDutyClient({
    oauth: { ...OAUTH_APP, ...app, tokenUrl: TOKEN_URL },
    apiBaseUrl: BASE_URL,
    now: () => clock.now,
    // answers are not kept, so every call reaches PagerDuty
    answerCacheTtlMs: 0,
    cacheTtlMs: 0,
  });
  return { client, clock };
}

const bearerOf = (i: number) =>
  api.state.requests[i].headers.get('authorization');

describe('PagerDutyClient with a Scoped OAuth app', () => {
  it('gets a token for the account with read scopes only, once for concurrent calls', async () => {
    const { client } = oauthClient();
    await Promise.all([
      client.findUserByEmail('sam@acme.example'),
      client.listOnCalls({ userIds: ['PSAM001'] }),
    ]);
    expect(api.state.tokenRequests).toEqual([
      {
        grant_type: 'client_credentials',
        client_id: OAUTH_APP.clientId,
        client_secret: OAUTH_APP.clientSecret,
        scope:
          'as_account-us.acme users.read oncalls.read schedules.read escalation_policies.read services.read incidents.read',
      },
    ]);
    expect([bearerOf(0), bearerOf(1)]).toEqual([
      'Bearer pd-access-1',
      'Bearer pd-access-1',
    ]);
  });

  it('names the region in the scope', async () => {
    const { client } = oauthClient({ region: 'eu' });
    await client.findUserByEmail('sam@acme.example');
    expect(api.state.tokenRequests[0].scope).toMatch(/^as_account-eu\.acme /);
  });

  it('renews the token five minutes before it expires', async () => {
    const { client, clock } = oauthClient();
    await client.findUserByEmail('sam@acme.example');
    clock.now += 54 * 60_000;
    await client.findUserByEmail('sam@acme.example');
    expect(api.state.tokenRequests).toHaveLength(1);
    clock.now += 60_000;
    await client.findUserByEmail('sam@acme.example');
    expect(api.state.tokenRequests).toHaveLength(2);
    expect(bearerOf(2)).toBe('Bearer pd-access-2');
  });

  it('gets a new token once when PagerDuty no longer takes the one it has', async () => {
    const { client } = oauthClient();
    await client.findUserByEmail('sam@acme.example');
    api.state.accessTokens = []; // revoked in PagerDuty
    expect(await client.findUserByEmail('sam@acme.example')).toMatchObject({
      id: 'PSAM001',
    });
    expect(api.state.tokenRequests).toHaveLength(2);
  });

  it('is an error naming the config, without the secret, when PagerDuty refuses the app', async () => {
    const { client } = oauthClient({ clientSecret: 'wrong-secret-9911' });
    const error = await client
      .findUserByEmail('sam@acme.example')
      .catch(e => e);
    expect(error.message).toBe(
      "PagerDuty refused the OAuth app's credentials (401: Client authentication failed); check pagerDuty.oauth",
    );
    expect(
      api.state.requests.filter(r => r.url.origin === BASE_URL),
    ).toHaveLength(0);
  });
});
