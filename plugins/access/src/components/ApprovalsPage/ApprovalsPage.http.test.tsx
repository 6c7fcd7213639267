import '@testing-library/jest-dom';
import { alertApiRef, identityApiRef } from '@backstage/core-plugin-api';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { accessApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { AccessBackend } from '../../__testUtils__/accessServer';
import { testAccessClient } from '../../__testUtils__/testAccessClient';
import { setupAccessBackendServer } from '../../__testUtils__/accessBackendServer';
import { inMinutes, makeRequest } from '../../__testUtils__/sampleRequests';
import { ApprovalsPage } from './ApprovalsPage';

// The approvals queue with the real AccessClient, over HTTP, against a fake backend (msw)
// that lists fixtures; each test scripts what a decision answers. bob approves; alice and
// carol ask.

jest.setTimeout(30_000);

const BOB = 'user:default/bob';

const { serveBackend } = setupAccessBackendServer();

// As the backend shows them to bob: waiting for his decision.
const forBob: Partial<AccessRequest> = {
  approvers: [BOB, 'user:default/dana'],
  awaiting: 'request',
  allowedActions: ['approve', 'reject'],
};
const fromAlice = makeRequest({
  ...forBob,
  justification: 'INC-1234: slow queries',
});
const fromCarol = makeRequest({
  ...forBob,
  requester: 'user:default/carol',
  createdBy: 'user:default/carol',
  resources: [
    { entityRef: 'resource:default/billing-db', permissions: ['write'] },
  ],
});
// Not bob's to decide: the backend lists it for dana only.
const notMine = makeRequest({
  requester: 'user:default/erin',
  approvers: ['user:default/dana'],
  allowedActions: [],
});

/** The backend's answer to bob's vote on `r`: his decision recorded, nothing left to do. */
function decidedByBob(
  r: AccessRequest,
  decision: 'approved' | 'rejected',
  comment?: string,
): AccessRequest {
  const at = inMinutes(0);
  return {
    ...r,
    approvals: [
      {
        approver: BOB,
        decision,
        kind: 'request',
        at,
        ...(comment ? { comment } : {}),
      },
    ],
    awaiting: undefined,
    allowedActions: [],
  };
}

/** When bob approves alice's request it is granted and leaves his queue. */
function scriptApproval(backend: AccessBackend) {
  backend.on('post', '/requests/{id}/approve', ({ body }) => {
    backend.fixtures.lists.approvals = [fromCarol];
    return {
      ...decidedByBob(fromAlice, 'approved', body?.comment),
      status: 'granted',
      grantedAt: inMinutes(0),
      expiresAt: inMinutes(60),
      allowedActions: ['revoke'],
    };
  });
}

async function renderPage() {
  const backend = new AccessBackend({
    lists: { approvals: [fromAlice, fromCarol], all: [notMine] },
  });
  serveBackend(backend);
  const alertApi = { post: jest.fn(), alert$: jest.fn() };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, testAccessClient(BOB)],
        [alertApiRef, alertApi],
        [identityApiRef, mockApis.identity({ userEntityRef: BOB })],
      ]}
    >
      <ApprovalsPage />
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        '/access': rootRouteRef,
      },
    },
  );
  return { backend, alertApi };
}

const waiting = () =>
  screen.getByRole('table', { name: 'Waiting for my decision' });

describe('ApprovalsPage over HTTP', () => {
  it("lists only what waits for the caller's decision", async () => {
    const { backend } = await renderPage();
    expect(
      await screen.findByTestId(`row-${fromAlice.id}`),
    ).toBeInTheDocument();
    expect(screen.getByTestId(`row-${fromCarol.id}`)).toBeInTheDocument();
    expect(screen.queryByTestId(`row-${notMine.id}`)).not.toBeInTheDocument();
    expect(backend.callsTo('GET', '/requests')[0]).toMatchObject({
      query: { view: 'approvals', limit: '25' },
      caller: BOB,
    });
  });

  it('approves with a comment: POST /approve with the comment, and the request leaves the list', async () => {
    const { backend, alertApi } = await renderPage();
    scriptApproval(backend);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Approve: alice (orders-db)' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.type(
      dialog.getByLabelText('Comment (optional)'),
      'ok for the incident',
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Approve' }));

    await waitFor(() =>
      expect(
        screen.queryByTestId(`row-${fromAlice.id}`),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByTestId(`row-${fromCarol.id}`)).toBeInTheDocument();
    expect(backend.callsTo('POST', '/requests/:id/approve')).toEqual([
      expect.objectContaining({
        path: `/requests/${fromAlice.id}/approve`,
        body: { comment: 'ok for the incident' },
        contentType: 'application/json',
        caller: BOB,
      }),
    ]);
    // The backend's answer says it is granted, not waiting for more approvals.
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({
        severity: 'success',
        message: 'Approved: alice: orders-db (read) — New request',
      }),
    );
  });

  it('approves without a comment with an empty body', async () => {
    const { backend } = await renderPage();
    scriptApproval(backend);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Approve: alice (orders-db)' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.click(dialog.getByRole('button', { name: 'Approve' }));
    await waitFor(() =>
      expect(backend.callsTo('POST', '/requests/:id/approve')).toHaveLength(1),
    );
    expect(backend.callsTo('POST', '/requests/:id/approve')[0].body).toEqual(
      {},
    );
  });

  it('rejects with a reason: POST /reject with the reason, and the request leaves the list', async () => {
    const { backend, alertApi } = await renderPage();
    // The backend ends it, and lists it as decided by bob from then on.
    backend.on('post', '/requests/{id}/reject', ({ body }) => {
      const rejected: AccessRequest = {
        ...decidedByBob(fromCarol, 'rejected', body.reason),
        status: 'rejected',
        endedAt: inMinutes(0),
        endReason: `Rejected by ${BOB}: ${body.reason}`,
      };
      backend.fixtures.lists = { approvals: [fromAlice], decided: [rejected] };
      return rejected;
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reject: carol (billing-db)' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.type(
      dialog.getByRole('textbox', { name: /Reason/ }),
      '  use the staging copy  ',
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Reject' }));

    await waitFor(() =>
      expect(
        screen.queryByTestId(`row-${fromCarol.id}`),
      ).not.toBeInTheDocument(),
    );
    expect(within(waiting()).getByTestId(`row-${fromAlice.id}`)).toBeVisible();
    // The dialog sends the reason trimmed.
    expect(backend.callsTo('POST', '/requests/:id/reject')).toEqual([
      expect.objectContaining({
        path: `/requests/${fromCarol.id}/reject`,
        body: { reason: 'use the staging copy' },
      }),
    ]);
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({
        message: 'Rejected: carol: billing-db (write) — New request',
      }),
    );

    // What bob decided shows on the other tab, with the status the backend gives now.
    await userEvent.click(screen.getByRole('tab', { name: 'Decided by me' }));
    const row = within(await screen.findByTestId(`row-${fromCarol.id}`));
    expect(row.getByLabelText('Status: Rejected')).toBeInTheDocument();
  });

  it("keeps the dialog open with the backend's 409 when someone else decided first", async () => {
    const { backend } = await renderPage();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Approve: alice (orders-db)' }),
    );
    // dana rejected it while bob's dialog was open: the backend refuses his vote.
    backend.failNext(
      'POST',
      '/requests/:id/approve',
      409,
      `Request ${fromAlice.id} is rejected and waits for no decision`,
    );
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.click(dialog.getByRole('button', { name: 'Approve' }));
    expect(await dialog.findByRole('alert')).toHaveTextContent(
      `Already decided or changed meanwhile: Request ${fromAlice.id} is rejected and waits for no decision`,
    );
  });
});
