import '@testing-library/jest-dom';
import { screen, waitFor } from '@testing-library/react';
import {
  createExtensionTester,
  mockApis,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { AccessApi, accessApiRef } from './api';
import accessPlugin, {
  adminSubPage,
  entityAccessCard,
  entityAccessContent,
} from './alpha';
import { Entity } from '@backstage/catalog-model';
import { AccessFlowSummary } from '@jit-access/plugin-access-common';
import { clearCoverageCache, isAccessAvailable } from './coverage';
import { makeRequest } from './__testUtils__/sampleRequests';

// The new frontend system plugin, loaded the way `app.packages: all` loads it.

jest.setTimeout(30_000);

const empty = async () => ({ items: [] });
// One flow, for the services of the payments team (not a Resource).
const paymentsServices = {
  id: 'payments-services',
  title: 'Payments services',
  filter: [{ kind: 'component', 'spec.owner': 'group:default/payments' }],
} as Partial<AccessFlowSummary> as AccessFlowSummary;
const getFlows = jest.fn(async () => [paymentsServices]);
const fakeApi = {
  getFlows,
  getBundles: async () => [],
  getResources: empty,
  listRequests: empty,
  getRequest: async (id: string) =>
    makeRequest({ id, justification: 'new system route works' }),
} as unknown as AccessApi;

function entity(kind: string, owner: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name: 'x', namespace: 'default' },
    spec: { owner },
  };
}

// The admin sub-page's permission predicate makes the app finalize asynchronously (it asks
// the permission API after sign-in), which renderTestApp cannot do: render the plugin with
// the predicate removed, and check the predicate itself below.
const testPlugin = accessPlugin.withOverrides({
  extensions: [adminSubPage.override({ if: undefined })],
});

function render(path: string) {
  return renderTestApp({
    features: [testPlugin],
    apis: [
      [accessApiRef, fakeApi],
      [permissionApiRef, mockApis.permission()],
    ],
    initialRouteEntries: [path],
    // The request page links people to their catalog pages.
    mountedRoutes: {
      '/catalog/:namespace/:kind/:name': convertLegacyRouteRef(entityRouteRef),
    },
  });
}

describe('new frontend system plugin', () => {
  beforeEach(() => {
    clearCoverageCache();
    getFlows.mockClear();
  });

  it('shows the access page with its tabs, My Access first', async () => {
    render('/access');
    expect(
      await screen.findByText('You hold no access right now.', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
    for (const tab of ['My Access', 'New Request', 'Approvals', 'Admin'])
      expect((await screen.findAllByText(tab)).length).toBeGreaterThan(0);
  });

  it('gates the Admin sub-page on access.admin', () => {
    // The app evaluates this against the permissions it authorized after sign-in.
    expect((adminSubPage as unknown as { if?: unknown }).if).toEqual({
      permissions: { $contains: 'access.admin#update' },
    });
  });

  it('fetches the flows when the app starts, for the entity filter', async () => {
    const service = entity('Component', 'group:default/payments');
    const otherResource = entity('Resource', 'group:default/dba');
    // Before the flows are known: only Resources.
    expect(isAccessAvailable(service)).toBe(false);
    expect(isAccessAvailable(otherResource)).toBe(true);
    render('/access');
    await waitFor(() => expect(getFlows).toHaveBeenCalled(), {
      timeout: 10_000,
    });
    await waitFor(() => expect(isAccessAvailable(service)).toBe(true));
    expect(isAccessAvailable(otherResource)).toBe(false);
  });

  it("shows a request's page at /access/requests/:id", async () => {
    render('/access/requests/r-9');
    expect(
      (
        await screen.findAllByText('new system route works', undefined, {
          timeout: 10_000,
        })
      ).length,
    ).toBeGreaterThan(0);
  });

  it('adds the entity card and tab with the access filter', () => {
    const card = createExtensionTester(entityAccessCard);
    expect(card.get(EntityCardBlueprint.dataRefs.filterFunction)).toBe(
      isAccessAvailable,
    );
    expect(card.get(EntityCardBlueprint.dataRefs.type)).toBe('content');
    const content = createExtensionTester(entityAccessContent);
    expect(content.get(EntityContentBlueprint.dataRefs.title)).toBe('Access');
    expect(content.get(EntityContentBlueprint.dataRefs.filterFunction)).toBe(
      isAccessAvailable,
    );
  });
});
