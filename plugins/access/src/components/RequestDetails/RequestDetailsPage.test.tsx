import '@testing-library/jest-dom';
import { alertApiRef, identityApiRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import { AccessApi, accessApiRef, AccessClient } from '../../api';
import { rootRouteRef } from '../../routes';
import { RequestDetailsPage } from './RequestDetailsPage';
import { FakeAccessApi } from '../../__testUtils__/fakeAccessApi';
import {
  inMinutes,
  makeClosed,
  makeGrant,
  makeRequest,
} from '../../__testUtils__/sampleRequests';

jest.setTimeout(30_000);

const ID = '6f1c2b9e-8d3a-4c1e-9b7a-0a1b2c3d4e5f';

/** The real client against a fake backend answering with `status` and `body`. */
function client(status: number, body: unknown) {
  const calls: string[] = [];
  const api = new AccessClient({
    discoveryApi: { getBaseUrl: async id => `http://backend/api/${id}` },
    fetchApi: {
      fetch: async (input: RequestInfo | URL) => {
        calls.push(String(input));
        return new Response(JSON.stringify(body), {
          status,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    },
  });
  return { api, calls };
}

/** Backstage's error body, as the backend sends it. */
function errorBody(status: number, name: string, message: string) {
  return {
    error: { name, message },
    request: { method: 'GET', url: `/api/access/requests/${ID}` },
    response: { statusCode: status },
  };
}

async function renderDetails(
  api: AccessApi,
  id = ID,
  viewer = 'user:default/alice',
) {
  const alertApi = { post: jest.fn(), alert$: jest.fn() };
  const identityApi = {
    getBackstageIdentity: async () => ({
      type: 'user' as const,
      userEntityRef: viewer,
      ownershipEntityRefs: [viewer],
    }),
  };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, api],
        [identityApiRef, identityApi],
        [alertApiRef, alertApi],
      ]}
    >
      <Routes>
        <Route path="/access/requests/:id" element={<RequestDetailsPage />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: [`/access/requests/${id}`],
      mountedRoutes: {
        '/access': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
  return { alertApi };
}

describe('RequestDetailsPage', () => {
  it('says there is no such request on 404', async () => {
    const { api, calls } = client(
      404,
      errorBody(404, 'NotFoundError', `No access request ${ID}`),
    );
    await renderDetails(api);
    expect(await screen.findByText('No such request')).toBeInTheDocument();
    expect(
      screen.getByText(
        `There is no access request with id ${ID}. It may have been mistyped.`,
      ),
    ).toBeInTheDocument();
    expect(calls).toEqual([`http://backend/api/access/requests/${ID}`]);
  });

  it('says the user may not see the request on 403', async () => {
    const { api } = client(
      403,
      errorBody(403, 'NotAllowedError', `You may not see access request ${ID}`),
    );
    await renderDetails(api);
    expect(
      await screen.findByText('You may not see this request'),
    ).toBeInTheDocument();
    expect(screen.queryByText('No such request')).not.toBeInTheDocument();
  });

  it('treats an id that is not a UUID as no such request', async () => {
    const { api } = client(
      400,
      errorBody(400, 'InputError', 'id: must be a request id (UUID)'),
    );
    await renderDetails(api, 'nope');
    expect(await screen.findByText('No such request')).toBeInTheDocument();
    expect(screen.getByText('"nope" is not a request id.')).toBeInTheDocument();
  });

  it("shows other errors with the backend's message", async () => {
    const { api } = client(500, errorBody(500, 'Error', 'database is down'));
    await renderDetails(api);
    expect(
      await screen.findByText(
        'Error: Could not load the request: database is down',
      ),
    ).toBeInTheDocument();
  });

  it('loads the request again on "Try again"', async () => {
    const api = new FakeAccessApi([makeRequest({ id: ID })]);
    const getRequest = jest
      .spyOn(api, 'getRequest')
      .mockRejectedValueOnce(new Error('database is down'));
    await renderDetails(api);
    await screen.findByText(
      'Error: Could not load the request: database is down',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByRole('heading', { name: 'Access request' }),
    ).toBeInTheDocument();
    expect(getRequest).toHaveBeenCalledTimes(2);
  });

  it('shows a loading state', async () => {
    const api = new AccessClient({
      discoveryApi: { getBaseUrl: async () => 'http://backend/api/access' },
      fetchApi: { fetch: () => new Promise<Response>(() => {}) },
    });
    await renderDetails(api);
    expect(
      await screen.findByLabelText('Loading the request'),
    ).toBeInTheDocument();
  });

  it('shows the request: status, resources, flow, people, times and timeline', async () => {
    const request: AccessRequest = makeGrant(90, {
      id: ID,
      requester: 'user:default/alice',
      createdBy: 'service:itsm-workflow',
      resources: [
        {
          entityRef: 'resource:default/orders-db',
          permissions: ['read', 'write'],
        },
        { entityRef: 'resource:payments/ledger', permissions: ['read'] },
      ],
      justification: 'Ticket CHG-42',
      durationSeconds: 5400,
      extensionsUsed: 1,
      extensionsAllowed: 2,
      againOf: '11111111-2222-4333-8444-555555555555',
    });
    const { api } = client(200, request);
    await renderDetails(api);

    expect(
      await screen.findByRole('heading', { name: 'Access request' }),
    ).toBeInTheDocument();
    // InfoCard titles are not headings; the card holds the title and the content.
    const facts = within(
      screen.getByText('Details').closest('.MuiCard-root') as HTMLElement,
    );
    expect(facts.getByText('Active')).toBeInTheDocument();
    expect(facts.getByRole('link', { name: 'orders-db' })).toHaveAttribute(
      'href',
      '/catalog/default/resource/orders-db',
    );
    expect(
      facts.getByRole('link', { name: 'payments/ledger' }),
    ).toHaveAttribute('href', '/catalog/payments/resource/ledger');
    expect(facts.getByText('write')).toBeInTheDocument();
    expect(facts.getByText('Production databases')).toBeInTheDocument();
    expect(facts.getByRole('link', { name: 'alice' })).toHaveAttribute(
      'href',
      '/catalog/default/user/alice',
    );
    // A service submitted it for Alice: shown as text, not as a catalog link.
    expect(facts.getByText('Submitted by')).toBeInTheDocument();
    expect(facts.getAllByText('service itsm-workflow').length).toBeGreaterThan(
      0,
    );
    expect(facts.getByText('Ticket CHG-42')).toBeInTheDocument();
    expect(facts.getByText('1h 30m')).toBeInTheDocument();
    expect(facts.getByText('1 of 2 used')).toBeInTheDocument();
    expect(facts.getByTestId('expiry-countdown')).toHaveTextContent(
      /^1h 2\dm$/,
    );
    expect(
      facts.getByRole('link', { name: 'an earlier request' }),
    ).toHaveAttribute(
      'href',
      '/access/requests/11111111-2222-4333-8444-555555555555',
    );
    expect(screen.getByTestId('request-timeline')).toBeInTheDocument();
    expect(screen.getByTestId('timeline-granted')).toHaveTextContent(
      'Access granted',
    );
  });

  it('shows why a grant failed', async () => {
    const request = makeClosed('failed', {
      id: ID,
      endedAt: inMinutes(-1),
      endReason: 'Provisioner failed',
      lastError: 'IAM: role not found',
    });
    const { api } = client(200, request);
    await renderDetails(api);
    expect(
      await screen.findByText(/could not grant this access/),
    ).toHaveTextContent('IAM: role not found');
  });

  it('says why the access details cannot be shown', async () => {
    const message =
      'Your access details cannot be shown: they were encrypted with key "k1", which is no longer configured. The access itself is not affected; ask an access admin.';
    await renderDetails(
      new FakeAccessApi([
        makeGrant(60, { id: ID, accessDetailsError: message }),
      ]),
    );
    expect(await screen.findByText(message)).toBeInTheDocument();
  });

  it('lets the requester act on their own request and reloads it', async () => {
    const api = new FakeAccessApi([
      makeGrant(60, { id: ID, accessDetails: { host: 'db.internal' } }),
    ]).onAction('revoke', id => makeClosed('revoked', { id }));
    const revoke = jest.spyOn(api, 'revoke');
    await renderDetails(api);
    const actions = within(
      await screen.findByRole('group', { name: 'Request actions' }),
    );
    expect(screen.getByText('db.internal')).toBeInTheDocument();
    expect(actions.getByRole('button', { name: 'Extend' })).toBeInTheDocument();
    await userEvent.click(actions.getByRole('button', { name: 'Revoke' }));
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.click(dialog.getByRole('button', { name: 'Revoke' }));
    expect(revoke).toHaveBeenCalledWith(ID, undefined);
    await waitFor(() =>
      expect(screen.getByTestId('timeline-ended')).toHaveTextContent(
        'Ended: Revoked',
      ),
    );
    expect(
      screen.getByRole('button', { name: 'Request again' }),
    ).toBeInTheDocument();
  });

  it('offers cancel on a pending request and request again on an ended one', async () => {
    await renderDetails(new FakeAccessApi([makeRequest({ id: ID })]));
    const group = await screen.findByRole('group', { name: 'Request actions' });
    expect(
      within(group)
        .getAllByRole('button')
        .map(b => b.textContent || b.getAttribute('aria-label')),
    ).toEqual(['Cancel request', 'Star request']);
  });

  it('offers no actions to anyone but the requester', async () => {
    // What the backend answers bob for alice's request: nothing he may do.
    await renderDetails(
      new FakeAccessApi([
        makeClosed('expired', { id: ID, allowedActions: [] }),
      ]),
      ID,
      'user:default/bob',
    );
    expect(await screen.findByText('Ended: Expired')).toBeInTheDocument();
    expect(
      screen.queryByRole('group', { name: 'Request actions' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Request again' }),
    ).not.toBeInTheDocument();
  });

  it("offers an approver no holder's actions, even those the backend allows him", async () => {
    // What the backend answers bob, an approver, for alice's active access: he may
    // revoke it, from his approvals page; this page's actions are the holder's.
    await renderDetails(
      new FakeAccessApi([
        makeGrant(30, { id: ID, allowedActions: ['revoke'] }),
      ]),
      ID,
      'user:default/bob',
    );
    expect(
      (await screen.findAllByLabelText('Status: Active')).length,
    ).toBeGreaterThan(0);
    expect(
      screen.queryByRole('group', { name: 'Request actions' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Revoke/ }),
    ).not.toBeInTheDocument();
  });
});
