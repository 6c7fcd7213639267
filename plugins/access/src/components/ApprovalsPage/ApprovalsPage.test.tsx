import '@testing-library/jest-dom';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { alertApiRef, identityApiRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { AccessApi, accessApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { ApprovalsPage } from './ApprovalsPage';
import { httpError } from '../../__testUtils__/httpError';
import { inMinutes, makeRequest } from '../../__testUtils__/sampleRequests';

// Rendering the whole page and typing into dialogs is slow on small CI machines.
jest.setTimeout(30_000);

const DANA = 'user:default/dana';

/**
 * A request dana's decision settled, as the backend answers her (allowedActions.ts): as
 * one of its approvers she may revoke it while it is granted, else nothing is left to do.
 */
function settled(
  id: string,
  status: 'granted' | 'rejected',
  over: Partial<AccessRequest> = {},
): AccessRequest {
  return makeRequest({
    id,
    status,
    approvers: ['user:default/bob', 'user:default/carol', DANA],
    awaiting: undefined,
    allowedActions: status === 'granted' ? ['revoke'] : [],
    ...over,
  });
}

function fakeApi(over: Partial<AccessApi> = {}) {
  return {
    listRequests: jest.fn(async () => ({ items: [] as AccessRequest[] })),
    approve: jest.fn(async (id: string) => settled(id, 'granted')),
    reject: jest.fn(async (id: string) => settled(id, 'rejected')),
    ...over,
  };
}

async function renderPage(
  api: ReturnType<typeof fakeApi>,
  opts: { route?: string } = {},
) {
  const alertApi = { post: jest.fn(), alert$: jest.fn() };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, api],
        [alertApiRef, alertApi],
        [
          identityApiRef,
          mockApis.identity({ userEntityRef: 'user:default/dana' }),
        ],
      ]}
    >
      <ApprovalsPage />
    </TestApiProvider>,
    {
      routeEntries: [opts.route ?? '/'],
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        '/access': rootRouteRef,
      },
    },
  );
  return { alertApi };
}

/**
 * A request in dana's queue: she is one of its approvers and the backend lets her approve
 * or reject it, unless the test says what the backend allows.
 */
function waiting(over: Partial<AccessRequest> = {}): AccessRequest {
  return makeRequest({
    approvers: ['user:default/bob', 'user:default/carol', DANA],
    allowedActions: ['approve', 'reject'],
    ...over,
  });
}

const pendingWithChecks = waiting({
  id: 'r1',
  justification: 'INC-1234: slow queries',
  requiredApprovals: 2,
  approvals: [
    {
      approver: 'user:default/bob',
      decision: 'approved',
      kind: 'request',
      comment: 'fine by me',
      at: inMinutes(-10),
    },
  ],
  checks: [
    {
      checkId: 'change-ticket',
      type: 'webhook',
      outcome: 'passed',
      detail: 'CHG-1 is approved',
      at: inMinutes(-29),
    },
    {
      checkId: 'oncall',
      type: 'pagerduty',
      outcome: 'error',
      detail: 'pagerduty answered 502',
      at: inMinutes(-29),
    },
  ],
});

// Granted access: as an approver, dana may also revoke it (allowedActions.ts).
const extension = waiting({
  id: 'r2',
  requester: 'user:default/carol',
  createdBy: 'user:default/carol',
  status: 'granted',
  awaiting: 'extension',
  allowedActions: ['approve', 'reject', 'revoke'],
  resources: [
    { entityRef: 'resource:default/analytics-db', permissions: ['read'] },
  ],
  grantedAt: inMinutes(-120),
  expiresAt: inMinutes(30),
  extension: {
    status: 'pending',
    durationSeconds: 5400,
    justification: 'still debugging',
    requestedAt: inMinutes(-5),
  },
});

const review = waiting({
  id: 'r3',
  requester: 'user:default/erin',
  createdBy: 'user:default/erin',
  status: 'granted',
  awaiting: 'review',
  allowedActions: ['approve', 'reject', 'revoke'],
  approvalType: 'breakglass',
  flowTitle: 'Cluster break-glass',
  breakGlass: true,
  review: { status: 'pending' },
  resources: [
    { entityRef: 'resource:default/prod-eks', permissions: ['cluster-admin'] },
  ],
  justification: 'outage',
  grantedAt: inMinutes(-60),
});

describe('ApprovalsPage — waiting for me', () => {
  it('shows progress while loading', async () => {
    const api = fakeApi({ listRequests: jest.fn(() => new Promise(() => {})) });
    await renderPage(api);
    expect(screen.getByTestId('progress')).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledWith({
      view: 'approvals',
      cursor: undefined,
      limit: 25,
    });
  });

  it('says when nothing is waiting', async () => {
    await renderPage(fakeApi());
    expect(
      await screen.findByText('Nothing is waiting for you'),
    ).toBeInTheDocument();
  });

  it("shows the backend's error and retries", async () => {
    const api = fakeApi({
      listRequests: jest
        .fn()
        .mockRejectedValueOnce(await httpError(500, 'database unavailable'))
        .mockResolvedValue({ items: [] }),
    });
    await renderPage(api);
    // The backend's message is in the panel's title, not only in its collapsed details.
    expect(
      await screen.findByText(
        'Error: Could not load your approvals: database unavailable',
      ),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByText('Nothing is waiting for you'),
    ).toBeInTheDocument();
  });

  it('lists each request with what it waits for, checks, approvals and age', async () => {
    const api = fakeApi({
      listRequests: jest.fn(async () => ({
        items: [pendingWithChecks, extension, review],
      })),
    });
    await renderPage(api);

    const r1 = within(await screen.findByTestId('row-r1'));
    expect(r1.getByText('alice')).toBeInTheDocument();
    expect(r1.getByText('orders-db')).toBeInTheDocument();
    expect(r1.getByText('(read)')).toBeInTheDocument();
    expect(r1.getByText('New request')).toBeInTheDocument();
    expect(r1.getByText(/Production databases/)).toBeInTheDocument();
    expect(r1.getByText('1h')).toBeInTheDocument();
    expect(r1.getByText('INC-1234: slow queries')).toBeInTheDocument();
    expect(r1.getByText('change-ticket: passed')).toBeInTheDocument();
    expect(
      r1.getByLabelText('Check oncall error: pagerduty answered 502'),
    ).toBeInTheDocument();
    expect(r1.getByText('1 of 2')).toBeInTheDocument();
    expect(r1.getByText('30 minutes ago')).toBeInTheDocument();
    expect(
      r1.getByRole('button', { name: 'Approve: alice (orders-db)' }),
    ).toBeEnabled();

    const r2 = within(screen.getByTestId('row-r2'));
    expect(r2.getByText('Extension')).toBeInTheDocument();
    expect(r2.getByText('+1h 30m more')).toBeInTheDocument();
    expect(r2.getByText('still debugging')).toBeInTheDocument();
    expect(r2.getByText('0 of 1')).toBeInTheDocument();
    expect(r2.getByText('5 minutes ago')).toBeInTheDocument();

    const r3 = within(screen.getByTestId('row-r3'));
    expect(r3.getByText('Break-glass review')).toBeInTheDocument();
    expect(r3.getByText('One reviewer decides')).toBeInTheDocument();
    expect(r3.getByText('1 hour ago')).toBeInTheDocument();
    expect(
      r3.getByRole('button', { name: 'Acknowledge: erin (prod-eks)' }),
    ).toBeInTheDocument();
    expect(
      r3.getByRole('button', { name: 'Revoke: erin (prod-eks)' }),
    ).toBeInTheDocument();
  });

  it('offers only the decisions the backend allows', async () => {
    const api = fakeApi({
      listRequests: jest.fn(async () => ({
        items: [
          waiting({ id: 'r1', allowedActions: [] }),
          // A break-glass review of access still being granted cannot be rejected yet.
          waiting({
            ...review,
            status: 'granting',
            allowedActions: ['approve'],
          }),
        ],
      })),
    });
    await renderPage(api);
    const r1 = within(await screen.findByTestId('row-r1'));
    expect(r1.getByText('Nothing to decide')).toBeInTheDocument();
    expect(r1.queryByRole('button')).not.toBeInTheDocument();
    expect(
      r1.getByRole('checkbox', {
        name: 'Select the request of alice for orders-db',
      }),
    ).toBeDisabled();
    const r3 = within(screen.getByTestId('row-r3'));
    expect(
      r3.getByRole('button', { name: 'Acknowledge: erin (prod-eks)' }),
    ).toBeInTheDocument();
    expect(r3.queryByRole('button', { name: /^Re/ })).not.toBeInTheDocument();
    await userEvent.click(
      r3.getByRole('checkbox', {
        name: 'Select the request of erin for prod-eks',
      }),
    );
    expect(
      screen.getByRole('button', { name: 'Approve selected' }),
    ).toBeEnabled();
    expect(
      screen.getByRole('button', { name: 'Reject selected' }),
    ).toBeDisabled();
  });

  it('approves with an optional comment and reloads the list', async () => {
    const api = fakeApi({
      listRequests: jest
        .fn()
        .mockResolvedValueOnce({ items: [waiting({ id: 'r1' })] })
        .mockResolvedValue({ items: [] }),
    });
    const { alertApi } = await renderPage(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Approve: alice (orders-db)' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    expect(dialog.getByText('Approve access request')).toBeInTheDocument();
    await waitFor(() =>
      expect(dialog.getByLabelText('Comment (optional)')).toHaveFocus(),
    );
    expect(dialog.getByRole('button', { name: 'Approve' })).toBeEnabled();
    await userEvent.type(
      dialog.getByLabelText('Comment (optional)'),
      'ok for the incident',
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Approve' }));

    await waitFor(() =>
      expect(api.approve).toHaveBeenCalledWith('r1', 'ok for the incident'),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({
        severity: 'success',
        message: 'Approved: alice: orders-db (read) — New request',
      }),
    );
    expect(
      await screen.findByText('Nothing is waiting for you'),
    ).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledTimes(2);
  });

  it('says when more approvals are still needed', async () => {
    const r = waiting({ id: 'r1', requiredApprovals: 2 });
    const api = fakeApi({
      listRequests: jest.fn(async () => ({ items: [r] })),
      approve: jest.fn(async () => ({
        ...r,
        approvals: [
          {
            approver: 'user:default/dana',
            decision: 'approved' as const,
            kind: 'request' as const,
            at: new Date().toISOString(),
          },
        ],
      })),
    });
    const { alertApi } = await renderPage(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Approve: alice (orders-db)' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.click(dialog.getByRole('button', { name: 'Approve' }));
    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          message: expect.stringMatching(/^Approval recorded \(1 of 2\)/),
        }),
      ),
    );
    expect(api.approve).toHaveBeenCalledWith('r1', undefined);
  });

  it('rejects only with a reason', async () => {
    const api = fakeApi({
      listRequests: jest.fn(async () => ({
        items: [waiting({ id: 'r1' })],
      })),
    });
    await renderPage(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reject: alice (orders-db)' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    const confirm = dialog.getByRole('button', { name: 'Reject' });
    expect(confirm).toBeDisabled();
    const reason = dialog.getByRole('textbox', { name: /Reason/ });
    await userEvent.type(reason, '   ');
    expect(confirm).toBeDisabled();
    await userEvent.clear(reason);
    await userEvent.type(reason, 'use the staging copy');
    expect(confirm).toBeEnabled();
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(api.reject).toHaveBeenCalledWith('r1', 'use the staging copy'),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it("keeps the dialog open with the backend's message when a decision fails", async () => {
    const api = fakeApi({
      listRequests: jest.fn(async () => ({
        items: [waiting({ id: 'r1' })],
      })),
      reject: jest.fn(async () => {
        throw await httpError(
          403,
          'You cannot decide on your own access request',
        );
      }),
    });
    await renderPage(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reject: alice (orders-db)' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.type(dialog.getByRole('textbox', { name: /Reason/ }), 'no');
    await userEvent.click(dialog.getByRole('button', { name: 'Reject' }));
    expect(
      await dialog.findByText('You cannot decide on your own access request'),
    ).toBeInTheDocument();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('revokes a break-glass review with the revoke wording', async () => {
    const api = fakeApi({
      listRequests: jest.fn(async () => ({ items: [review] })),
    });
    await renderPage(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Revoke: erin (prod-eks)' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    expect(dialog.getByText('Revoke break-glass access')).toBeInTheDocument();
    await userEvent.type(
      dialog.getByRole('textbox', { name: /Reason/ }),
      'not an outage',
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Revoke' }));
    await waitFor(() =>
      expect(api.reject).toHaveBeenCalledWith('r3', 'not an outage'),
    );
  });

  it('approves several together and reports the one someone else decided', async () => {
    const items = [
      waiting({ id: 'r1' }),
      waiting({ id: 'r2', requester: 'user:default/carol' }),
      waiting({ id: 'r3', requester: 'user:default/erin' }),
    ];
    const api = fakeApi({
      listRequests: jest.fn(async () => ({ items })),
      approve: jest.fn(async (id: string) => {
        if (id === 'r2')
          throw await httpError(
            409,
            'Request r2 is rejected and waits for no decision',
          );
        return settled(id, 'granted');
      }),
    });
    const { alertApi } = await renderPage(api);
    await screen.findByTestId('row-r1');
    expect(
      screen.getByRole('button', { name: 'Approve selected' }),
    ).toBeDisabled();
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select all on this page' }),
    );
    expect(screen.getByText('3 selected')).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Approve selected' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    expect(dialog.getByText('Approve 3 selected')).toBeInTheDocument();
    await userEvent.type(dialog.getByLabelText('Comment (optional)'), 'ok');
    await userEvent.click(dialog.getByRole('button', { name: 'Approve all' }));

    const results = within(
      await dialog.findByRole('list', { name: 'Results' }),
    );
    expect((api.approve as jest.Mock).mock.calls).toEqual([
      ['r1', 'ok'],
      ['r2', 'ok'],
      ['r3', 'ok'],
    ]);
    expect(results.getAllByText(/: Approved$/)).toHaveLength(2);
    expect(
      results.getByText(
        /Already decided or changed meanwhile: Request r2 is rejected and waits for no decision/,
      ),
    ).toBeInTheDocument();
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({
        severity: 'warning',
        message: 'Approved 2 of 3; 1 failed (see the list)',
      }),
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(api.listRequests).toHaveBeenCalledTimes(2));
    expect(screen.getByText('0 selected')).toBeInTheDocument();
  });

  it('rejects a selection with one reason', async () => {
    const items = [
      waiting({ id: 'r1' }),
      waiting({ id: 'r2', requester: 'user:default/carol' }),
    ];
    const api = fakeApi({ listRequests: jest.fn(async () => ({ items })) });
    await renderPage(api);
    await userEvent.click(
      await screen.findByRole('checkbox', {
        name: 'Select the request of carol for orders-db',
      }),
    );
    expect(screen.getByText('1 selected')).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('checkbox', {
        name: 'Select the request of alice for orders-db',
      }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Reject selected' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    const confirm = dialog.getByRole('button', { name: 'Reject all' });
    expect(confirm).toBeDisabled();
    await userEvent.type(
      dialog.getByRole('textbox', { name: /Reason/ }),
      'freeze',
    );
    await userEvent.click(confirm);
    await dialog.findByRole('list', { name: 'Results' });
    // In page order, whatever order they were ticked in.
    expect((api.reject as jest.Mock).mock.calls).toEqual([
      ['r1', 'freeze'],
      ['r2', 'freeze'],
    ]);
  });

  it('pages with the server cursor', async () => {
    const api = fakeApi({
      listRequests: jest.fn(async ({ cursor }: { cursor?: string }) =>
        cursor === 'c2'
          ? {
              items: [waiting({ id: 'r9', requester: 'user:default/zoe' })],
            }
          : { items: [waiting({ id: 'r1' })], nextCursor: 'c2' },
      ),
    });
    await renderPage(api);
    await screen.findByTestId('row-r1');
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByTestId('row-r9')).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenLastCalledWith({
      view: 'approvals',
      cursor: 'c2',
      limit: 25,
    });
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    await userEvent.click(
      screen.getByRole('button', { name: 'Previous page' }),
    );
    expect(await screen.findByTestId('row-r1')).toBeInTheDocument();
  });
});

describe('ApprovalsPage — decided by me', () => {
  it('lists my decisions with the current status', async () => {
    const decided = settled('d1', 'granted', {
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      approvals: [
        {
          approver: 'user:default/bob',
          decision: 'approved',
          kind: 'request',
          at: inMinutes(-50),
        },
        {
          approver: 'user:default/dana',
          decision: 'approved',
          kind: 'request',
          comment: 'go ahead',
          at: inMinutes(-45),
        },
      ],
    });
    const rejected = settled('d2', 'rejected', {
      requester: 'user:default/carol',
      endReason: 'use staging',
      approvals: [
        {
          approver: 'user:default/dana',
          decision: 'rejected',
          kind: 'request',
          comment: 'use staging',
          at: inMinutes(-20),
        },
      ],
    });
    const api = fakeApi({
      listRequests: jest.fn(async ({ view }: { view: string }) =>
        view === 'decided' ? { items: [decided, rejected] } : { items: [] },
      ),
    });
    await renderPage(api);
    await userEvent.click(screen.getByRole('tab', { name: 'Decided by me' }));

    const d1 = within(await screen.findByTestId('row-d1'));
    expect(
      d1.getByText('Approved', { selector: 'strong' }),
    ).toBeInTheDocument();
    expect(d1.getByText('“go ahead”')).toBeInTheDocument();
    expect(d1.getByText('45 minutes ago')).toBeInTheDocument();
    // bob's approval is not mine
    expect(d1.queryByText('50 minutes ago')).not.toBeInTheDocument();
    expect(d1.getByLabelText('Status: Active')).toBeInTheDocument();

    const d2 = within(screen.getByTestId('row-d2'));
    expect(
      d2.getByText('Rejected', { selector: 'strong' }),
    ).toBeInTheDocument();
    expect(d2.getByLabelText('Status: Rejected')).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledWith({
      view: 'decided',
      cursor: undefined,
      limit: 25,
    });
  });

  it('opens on the decided tab from the URL and says when empty', async () => {
    const api = fakeApi();
    await renderPage(api, { route: '/?tab=decided' });
    expect(
      await screen.findByText('You have not decided on any request yet'),
    ).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledWith(
      expect.objectContaining({ view: 'decided' }),
    );
  });
});
