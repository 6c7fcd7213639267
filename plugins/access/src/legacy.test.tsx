import '@testing-library/jest-dom';
import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AccessApi, accessApiRef } from './api';
import {
  AccessPage,
  EntityAccessCard,
  EntityAccessContent,
  accessPlugin,
} from './index';
import { rootRouteRef } from './routes';
import { makeRequest } from './testUtils/sampleRequests';
import { ordersDb, summary } from './components/EntityAccess/testData';

// The legacy exports, rendered the way a legacy (`createApp` from core-app-api) app would.

jest.setTimeout(30_000);

const empty = async () => ({ items: [] });
const fakeApi: AccessApi = {
  getFlows: async () => [],
  getBundles: async () => [],
  getResources: empty,
  previewRequest: empty,
  submitRequest: empty,
  listRequests: empty,
  getRequest: async id =>
    makeRequest({ id, justification: 'legacy route works' }),
  approve: async id => makeRequest({ id }),
  reject: async id => makeRequest({ id }),
  cancel: async id => makeRequest({ id }),
  revoke: async id => makeRequest({ id }),
  requestAgain: empty,
  extend: async id => makeRequest({ id }),
  setFavorite: async id => makeRequest({ id }),
  getAudit: empty,
  getAuditCsv: async () => new Blob(['']),
  verifyAudit: async () => ({
    ok: true,
    checked: 0,
    pending: 0,
    head: { seq: 0, hash: '' },
  }),
  getEntityAccess: async () =>
    summary({
      canSeeHolders: true,
      holders: [],
      mine: [
        makeRequest({
          status: 'granted',
          expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        }),
      ],
    }),
  getEntityHistory: async () => ({
    items: [makeRequest({ justification: 'history row' })],
  }),
};

function wrap(children: JSX.Element) {
  return (
    <TestApiProvider
      apis={[
        [accessApiRef, fakeApi],
        [permissionApiRef, mockApis.permission()],
      ]}
    >
      {children}
    </TestApiProvider>
  );
}

const mountedRoutes = {
  '/access': rootRouteRef,
  '/catalog/:namespace/:kind/:name': entityRouteRef,
};

describe('legacy frontend system exports', () => {
  it('declares the plugin with its API and root route', () => {
    expect(accessPlugin.getId()).toBe('access');
    expect(accessPlugin.routes.root).toBe(rootRouteRef);
    expect(Array.from(accessPlugin.getApis(), f => f.api.id)).toContain(
      accessApiRef.id,
    );
  });

  it('renders AccessPage with its tabs', async () => {
    await renderInTestApp(
      wrap(
        <Routes>
          <Route path="/access/*" element={<AccessPage />} />
        </Routes>,
      ),
      { routeEntries: ['/access'], mountedRoutes },
    );
    expect(
      await screen.findByText('Just-in-time access to infrastructure'),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('tab', { name: 'My Access' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Approvals' })).toBeInTheDocument();
    // The real My Access page, with nothing held.
    expect(
      await screen.findByText('You hold no access right now.'),
    ).toBeInTheDocument();
  });

  it("routes /access/requests/:id to the request's page", async () => {
    await renderInTestApp(
      wrap(
        <Routes>
          <Route path="/access/*" element={<AccessPage />} />
        </Routes>,
      ),
      { routeEntries: ['/access/requests/r-7'], mountedRoutes },
    );
    expect(
      (await screen.findAllByText('legacy route works')).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
  });

  it('renders EntityAccessCard and EntityAccessContent inside an EntityProvider', async () => {
    await renderInTestApp(
      wrap(
        <EntityProvider entity={ordersDb}>
          <EntityAccessCard />
          <EntityAccessContent />
        </EntityProvider>,
      ),
      { mountedRoutes },
    );
    expect(await screen.findByText('Your access')).toBeInTheDocument();
    expect(screen.getByText('Active')).toBeInTheDocument();
    expect(
      screen.getByText('Nobody holds access right now.'),
    ).toBeInTheDocument();
    expect(await screen.findByText('history row')).toBeInTheDocument();
  });
});
