import '@testing-library/jest-dom';
import { screen } from '@testing-library/react';
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
import accessPlugin, { entityAccessCard, entityAccessContent } from './alpha';
import { isAccessAvailable } from './components/EntityAccess/coverage';
import { makeRequest } from './testUtils/sampleRequests';

// The new frontend system plugin, loaded the way `app.packages: all` loads it.

jest.setTimeout(30_000);

const empty = async () => ({ items: [] });
const fakeApi = {
  getFlows: async () => [],
  getBundles: async () => [],
  getResources: empty,
  listRequests: empty,
  getRequest: async (id: string) =>
    makeRequest({ id, justification: 'new system route works' }),
} as unknown as AccessApi;

function render(path: string) {
  return renderTestApp({
    features: [accessPlugin],
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
