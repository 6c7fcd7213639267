import '@testing-library/jest-dom';
import { alertApiRef } from '@backstage/core-plugin-api';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { Route, Routes } from 'react-router-dom';
import { accessApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { setupAccessBackendServer } from '../../__testUtils__/accessBackendServer';
import {
  cancelOpenRequest,
  requestAgainFromClosed,
} from '../../__testUtils__/myAccessActions';
import { AccessBackend, accessUrl } from '../../__testUtils__/accessServer';
import { ALICE, testAccessClient } from '../../__testUtils__/testAccessClient';
import { makeFlow } from '../../__testUtils__/sampleFlows';
import {
  inMinutes,
  makeClosed,
  makeGrant,
  makeRequest,
} from '../../__testUtils__/sampleRequests';
import { MyAccessPage } from './MyAccessPage';

// My Access with the real AccessClient, over HTTP, against a fake backend (msw) that
// lists alice's requests from fixtures; each test scripts what an action answers.

jest.setTimeout(30_000);

const { server, serveBackend } = setupAccessBackendServer();

/** A pending request as the backend shows it to alice, its requester. */
const pendingForAlice = () =>
  makeRequest({ awaiting: 'request', allowedActions: ['cancel', 'favorite'] });

/** Renders My Access with `mine` as alice's requests (and `all`, what an admin lists). */
async function renderPage(mine: AccessRequest[], all?: AccessRequest[]) {
  const backend = new AccessBackend({
    flows: [makeFlow('prod-db', 'Production databases')],
    lists: { mine, ...(all ? { all } : {}) },
  });
  serveBackend(backend);
  const alertApi = { post: jest.fn(), alert$: jest.fn() };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, testAccessClient(ALICE)],
        [alertApiRef, alertApi],
      ]}
    >
      <Routes>
        <Route path="/access/*" element={<MyAccessPage />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: ['/access'],
      mountedRoutes: {
        '/access': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
  return { backend, alertApi };
}

const openTable = () => screen.getByRole('table', { name: 'Open requests' });
const closedTable = () =>
  screen.getByRole('table', { name: 'Closed requests' });

describe('MyAccessPage over HTTP', () => {
  it("shows the caller's active access with a countdown, asked for with the caller's token", async () => {
    const grant = makeGrant(90, {
      resources: [
        {
          entityRef: 'resource:default/orders-db',
          permissions: ['read', 'write'],
        },
      ],
      allowedActions: ['revoke', 'extend', 'favorite'],
    });
    // Someone else's grant, which the backend lists for bob, not for alice.
    const others = makeGrant(30, {
      requester: 'user:default/bob',
      resources: [
        { entityRef: 'resource:default/billing-db', permissions: ['read'] },
      ],
      allowedActions: [],
    });
    const { backend } = await renderPage([grant], [grant, others]);

    const active = within(
      await screen.findByRole('list', { name: 'Active access' }),
    );
    expect(
      active.getByRole('link', { name: 'orders-db (read, write)' }),
    ).toHaveAttribute('href', `/access/requests/${grant.id}`);
    expect(active.getByTestId('expiry-countdown')).toHaveTextContent(
      /^1h (29|30)m$/,
    );
    expect(active.queryByText(/billing-db/)).not.toBeInTheDocument();

    const listings = backend.callsTo('GET', '/requests');
    expect(listings.length).toBeGreaterThan(0);
    expect(listings.every(c => c.caller === ALICE)).toBe(true);
    expect(
      listings.every(c => ['mine', 'favorites'].includes(c.query.view)),
    ).toBe(true);
  });

  it('cancels a pending request over HTTP and the row moves to Closed', async () => {
    const pending = pendingForAlice();
    const { backend, alertApi } = await renderPage([pending]);
    // The backend answers the cancelled request, and lists it so from then on.
    backend.on('post', '/requests/{id}/cancel', () => {
      const cancelled = makeClosed('cancelled', {
        id: pending.id,
        endReason: 'Cancelled by the requester',
        allowedActions: ['again', 'favorite'],
      });
      backend.fixtures.lists.mine = [cancelled];
      return cancelled;
    });

    await cancelOpenRequest();

    expect(
      await screen.findByText('No requests are waiting.'),
    ).toBeInTheDocument();
    const row = within(
      within(closedTable())
        .getByRole('link', { name: 'orders-db (read)' })
        .closest('tr')!,
    );
    expect(row.getByText('Cancelled')).toBeInTheDocument();

    const cancels = backend.callsTo('POST', '/requests/:id/cancel');
    expect(cancels).toHaveLength(1);
    expect(cancels[0]).toMatchObject({
      path: `/requests/${pending.id}/cancel`,
      caller: ALICE,
    });
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'Request cancelled' }),
    );
  });

  it("keeps the request and shows the backend's 409 when it moved on meanwhile", async () => {
    const pending = pendingForAlice();
    const { backend } = await renderPage([pending]);
    await screen.findByRole('button', { name: 'Cancel request' });
    // An approver approved it after the page loaded: the backend refuses the cancel.
    backend.failNext(
      'POST',
      '/requests/:id/cancel',
      409,
      `Request ${pending.id} is granting; only pending requests can be cancelled`,
    );

    await userEvent.click(
      screen.getByRole('button', { name: 'Cancel request' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.click(
      dialog.getByRole('button', { name: 'Cancel request' }),
    );
    expect(await dialog.findByRole('alert')).toHaveTextContent(
      `Request ${pending.id} is granting; only pending requests can be cancelled`,
    );
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('says why each section could not load when the backend fails', async () => {
    const backend = new AccessBackend({
      lists: { mine: [makeGrant(60)] },
    });
    // A database outage is an unexpected error: Backstage's error handler answers 500.
    backend.failAlways(
      'GET',
      '/requests',
      500,
      'The access database is not reachable',
    );
    serveBackend(backend);
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [accessApiRef, testAccessClient(ALICE)],
          [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
        ]}
      >
        <MyAccessPage />
      </TestApiProvider>,
    );
    for (const section of [
      'active access',
      'open requests',
      'closed requests',
      'recent requests',
      'favourites',
    ]) {
      expect(
        await screen.findByText(
          `Error: Could not load ${section}: The access database is not reachable`,
        ),
      ).toBeInTheDocument();
    }
  });

  it('shows the status of a 502 from a proxy that sends no JSON', async () => {
    server.use(
      http.get(
        accessUrl('/requests'),
        () =>
          new HttpResponse('upstream connect error', {
            status: 502,
            statusText: 'Bad Gateway',
            headers: { 'Content-Type': 'text/plain' },
          }),
      ),
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [accessApiRef, testAccessClient(ALICE)],
          [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
        ]}
      >
        <MyAccessPage />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(
        'Error: Could not load active access: Request failed with status 502 Bad Gateway, upstream connect error',
      ),
    ).toBeInTheDocument();
  });

  it("leaves a proxy's HTML error page out of the message", async () => {
    server.use(
      http.get(
        accessUrl('/requests'),
        () =>
          new HttpResponse(
            `<html><head><title>504</title></head><body>${'<p>Gateway Timeout</p>'.repeat(
              50,
            )}</body></html>`,
            {
              status: 504,
              statusText: 'Gateway Timeout',
              headers: { 'Content-Type': 'text/html' },
            },
          ),
      ),
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [accessApiRef, testAccessClient(ALICE)],
          [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
        ]}
      >
        <MyAccessPage />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(
        'Error: Could not load active access: Request failed with status 504 Gateway Timeout',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/<html>/)).not.toBeInTheDocument();
  });

  it('requests a closed one again and the new request shows as open', async () => {
    const closed = makeClosed('expired', {
      allowedActions: ['again', 'favorite'],
    });
    const { backend, alertApi } = await renderPage([closed]);
    // The backend creates a pending copy for bob to approve, listed first from then on.
    const fresh = makeRequest({
      againOf: closed.id,
      justification: 'INC-2, day two',
      approvers: ['user:default/bob'],
      createdAt: inMinutes(0),
      awaiting: 'request',
      allowedActions: ['cancel', 'favorite'],
    });
    backend.on('post', '/requests/{id}/again', () => {
      backend.fixtures.lists.mine = [fresh, closed];
      return { items: [fresh] };
    });
    await requestAgainFromClosed('INC-2, day two');
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(
      await within(openTable()).findByText('Pending Approval'),
    ).toBeInTheDocument();
    expect(backend.callsTo('POST', '/requests/:id/again')).toEqual([
      expect.objectContaining({
        path: `/requests/${closed.id}/again`,
        body: { justification: 'INC-2, day two' },
        idempotencyKey: expect.stringMatching(/\S{8,}/),
      }),
    ]);
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({
        message: 'Requested again: orders-db (read): Pending Approval',
      }),
    );
  });
});
