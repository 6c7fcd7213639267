// The real AccessClient as a signed-in user's app builds it, pointed at the example app's
// backend, for component tests over HTTP (not part of the plugin's exports).
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { AccessClient } from '../api';

/** The example app's backend: where the discovery API below says `access` lives. */
export const BACKEND_BASE_URL = 'http://localhost:7007';

/** The caller tests act as unless they say otherwise (the sample requests' requester). */
export const ALICE = 'user:default/alice';

/** A discovery API that places every plugin on the example app's backend. */
export function testDiscoveryApi(): DiscoveryApi {
  return {
    getBaseUrl: async (pluginId: string) =>
      `${BACKEND_BASE_URL}/api/${pluginId}`,
  };
}

/**
 * A fetch API that really fetches (msw answers), with the caller's Backstage token, as
 * the app's fetch API does for a signed-in user. The fake backend takes the token for the
 * caller's user ref.
 */
export function testFetchApi(caller: string = ALICE): FetchApi {
  return {
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('Authorization', `Bearer ${caller}`);
      return fetch(input, { ...init, headers });
    },
  };
}

/** The real access client, talking HTTP to the fake backend as `caller`. */
export function testAccessClient(caller: string = ALICE): AccessClient {
  return new AccessClient({
    discoveryApi: testDiscoveryApi(),
    fetchApi: testFetchApi(caller),
  });
}
