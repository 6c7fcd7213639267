import '@testing-library/jest-dom';
import { alertApiRef } from '@backstage/core-plugin-api';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { accessApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import {
  AccessBackend,
  errorResponse,
  page,
} from '../../__testUtils__/accessServer';
import { testAccessClient } from '../../__testUtils__/testAccessClient';
import { setupAccessBackendServer } from '../../__testUtils__/accessBackendServer';
import { makeFlow } from '../../__testUtils__/sampleFlows';
import { inMinutes, makeRequest } from '../../__testUtils__/sampleRequests';
import { AdminPage } from './AdminPage';
import { fakePermissions } from '../../__testUtils__/adminData';

// The admin's "All requests" filters with the real AccessClient, over HTTP, against a
// fake backend (msw): what the URL and the fields say is what GET /requests gets. The
// fake answers each filter with the requests the test says match it, so a row shows only
// when the page sent exactly that filter.

jest.setTimeout(30_000);

const ADMIN = 'user:default/pat';
const CAROL = 'user:default/carol';
const BILLING = 'resource:default/billing-db';
const EKS = 'resource:default/prod-eks';

const { serveBackend } = setupAccessBackendServer();

// As the backend shows them to pat, an admin: who may revoke what is granted.
const fromAlice = makeRequest({
  createdAt: inMinutes(-10),
  allowedActions: [],
});
const carolBilling = makeRequest({
  awaiting: undefined,
  allowedActions: ['revoke'],
  requester: CAROL,
  createdBy: CAROL,
  status: 'granted',
  resources: [{ entityRef: BILLING, permissions: ['write'] }],
  createdAt: inMinutes(-20),
});
// Break-glass access whose review is done: nothing waits, and pat may revoke it.
const carolEks = makeRequest({
  awaiting: undefined,
  allowedActions: ['revoke'],
  requester: CAROL,
  createdBy: CAROL,
  flowId: 'cluster-breakglass',
  flowTitle: 'Cluster break-glass',
  approvalType: 'breakglass',
  breakGlass: true,
  review: {
    status: 'acknowledged',
    reviewer: 'user:default/bob',
    at: inMinutes(-25),
  },
  status: 'granted',
  resources: [{ entityRef: EKS, permissions: ['cluster-admin'] }],
  createdAt: inMinutes(-30),
});
const FLOWS = [
  makeFlow('prod-db', 'Production databases'),
  makeFlow('cluster-breakglass', 'Cluster break-glass'),
];

/**
 * What GET /requests?view=all answers per filter (the query without view, limit and
 * cursor), as the backend matches them: e.g. entity refs whatever their case.
 */
const MATCHES: Record<string, AccessRequest[]> = {
  '': [fromAlice, carolBilling, carolEks],
  'requester=carol&status=granted': [carolBilling, carolEks],
  'entityRef=Resource:Default/Billing-DB': [carolBilling],
  'entityRef=Resource:Default/Billing-DB&flowId=cluster-breakglass': [],
  'flowId=cluster-breakglass': [carolEks],
};

/** Renders the tab at `search`; `setUp` scripts the backend first. */
async function renderPage(
  search = '/',
  matches = MATCHES,
  setUp: (backend: AccessBackend) => void = () => {},
) {
  const backend = new AccessBackend({ flows: FLOWS });
  backend.on('get', '/requests', ({ query }) => {
    const filters = [...query]
      .filter(([k]) => !['view', 'limit', 'cursor'].includes(k))
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const matching = query.get('view') === 'all' ? matches[filters] : undefined;
    return matching
      ? page(matching, query)
      : errorResponse(500, `The test scripts no answer for ${filters}`);
  });
  setUp(backend);
  serveBackend(backend);
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, testAccessClient(ADMIN)],
        [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
        [catalogApiRef, { queryEntities: jest.fn() }],
        [permissionApiRef, fakePermissions(['access.admin'])],
      ]}
    >
      <AdminPage />
    </TestApiProvider>,
    {
      routeEntries: [search],
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        '/access': rootRouteRef,
      },
    },
  );
  return backend;
}

const rows = () =>
  screen
    .getAllByRole('row')
    .map(r => r.getAttribute('data-testid'))
    .filter(Boolean);

describe('AdminPage — all requests over HTTP', () => {
  it('sends the filters in the URL as query parameters', async () => {
    const backend = await renderPage('/?requester=carol&status=granted');
    expect(
      await screen.findByTestId(`row-${carolBilling.id}`),
    ).toBeInTheDocument();
    expect(rows()).toEqual([`row-${carolBilling.id}`, `row-${carolEks.id}`]);
    expect(backend.callsTo('GET', '/requests')).toEqual([
      expect.objectContaining({
        query: {
          view: 'all',
          status: 'granted',
          requester: 'carol',
          limit: '25',
        },
        caller: ADMIN,
      }),
    ]);
  });

  it('narrows by resource and flow, and says when nothing matches', async () => {
    const backend = await renderPage();
    await screen.findByTestId(`row-${fromAlice.id}`);
    expect(rows()).toHaveLength(3);

    // Entity refs match whatever their case.
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Resource' }),
      'Resource:Default/Billing-DB{Enter}',
    );
    await waitFor(() => expect(rows()).toEqual([`row-${carolBilling.id}`]));

    await userEvent.click(screen.getByRole('button', { name: /Flow/ }));
    await userEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: /Cluster break-glass/,
      }),
    );
    expect(
      await screen.findByText('No requests match these filters'),
    ).toBeInTheDocument();
    expect(backend.callsTo('GET', '/requests').at(-1)?.query).toEqual({
      view: 'all',
      entityRef: 'Resource:Default/Billing-DB',
      flowId: 'cluster-breakglass',
      limit: '25',
    });

    // Without the resource, the flow's request shows.
    await userEvent.clear(screen.getByRole('textbox', { name: 'Resource' }));
    await userEvent.tab();
    await waitFor(() => expect(rows()).toEqual([`row-${carolEks.id}`]));
  });

  it("shows the backend's 400, naming the field, for a ref it refuses", async () => {
    await renderPage('/?entityRef=a:b:c:d', {}, backend =>
      backend.failNext(
        'GET',
        '/requests',
        400,
        'Invalid query: entityRef: "a:b:c:d" is not an entity ref like resource:default/orders-db',
      ),
    );
    expect(
      await screen.findByText(
        'Error: Could not load the requests: Invalid query: entityRef: "a:b:c:d" is not an entity ref like resource:default/orders-db',
      ),
    ).toBeInTheDocument();
  });

  it('pages through filtered requests with the filters on every page', async () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      makeRequest({
        requester: CAROL,
        createdBy: CAROL,
        createdAt: inMinutes(-100 - i),
        allowedActions: [],
      }),
    );
    const backend = await renderPage('/?requester=user:default/carol', {
      'requester=user:default/carol': many,
    });
    await screen.findByTestId(`row-${many[0].id}`);
    expect(rows()).toEqual(many.slice(0, 25).map(r => `row-${r.id}`));
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() =>
      expect(rows()).toEqual(many.slice(25).map(r => `row-${r.id}`)),
    );
    const calls = backend.callsTo('GET', '/requests');
    expect(calls.at(-1)?.query).toEqual({
      view: 'all',
      requester: 'user:default/carol',
      cursor: expect.any(String),
      limit: '25',
    });
  });
});
