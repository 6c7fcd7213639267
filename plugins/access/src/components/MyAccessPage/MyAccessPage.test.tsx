import '@testing-library/jest-dom';
import { alertApiRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  AccessRequest,
  AccessRequestAction,
} from '@jit-access/plugin-access-common';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import { AccessApi, accessApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { rememberSubmission } from '../../hooks';
import {
  cancelOpenRequest,
  openDialogFromTable,
  requestAgainFromClosed,
} from '../../__testUtils__/myAccessActions';
import { FakeAccessApi } from '../../__testUtils__/fakeAccessApi';
import { withFocusVisible } from '../../__testUtils__/focusVisible';
import {
  inMinutes,
  makeClosed,
  makeGrant,
  makeRequest,
} from '../../__testUtils__/sampleRequests';
import { MyAccessPage } from './MyAccessPage';

/** What a signal carries (JsonObject, without depending on @backstage/types). */
type JsonObject = Parameters<Parameters<SignalApi['subscribe']>[1]>[0];

function fakeSignals() {
  const listeners: ((message: JsonObject) => void)[] = [];
  const api: SignalApi = {
    subscribe<T extends JsonObject>(
      _channel: string,
      onMessage: (m: T) => void,
    ) {
      listeners.push(onMessage as (m: JsonObject) => void);
      return { unsubscribe: () => {} };
    },
  };
  return {
    api,
    // Signals arrive outside React's event handlers, hence act().
    publish: (message: JsonObject) =>
      act(() => listeners.forEach(l => l(message))),
  };
}

jest.setTimeout(30_000);

async function renderPage(
  api: AccessApi,
  options: { mountRoutes?: boolean; path?: string } = {},
) {
  const alertApi = { post: jest.fn(), alert$: jest.fn() };
  const signals = fakeSignals();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, api],
        [alertApiRef, alertApi],
        [signalApiRef, signals.api],
      ]}
    >
      {/* Mounted as the app would, so relative links resolve against /access. */}
      <Routes>
        <Route path="/access/*" element={<MyAccessPage />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: [options.path ?? '/access'],
      mountedRoutes:
        options.mountRoutes === false
          ? {}
          : {
              '/access': rootRouteRef,
              '/catalog/:namespace/:kind/:name': entityRouteRef,
            },
    },
  );
  return { alertApi, signals };
}

const activeList = () => screen.getByRole('list', { name: 'Active access' });
const openTable = () => screen.getByRole('table', { name: 'Open requests' });
const closedTable = () =>
  screen.getByRole('table', { name: 'Closed requests' });

/** What the holder may do with a grant whose extension waits for approval. */
const EXTENSION_PENDING: Partial<AccessRequest> = {
  awaiting: 'extension',
  allowedActions: ['cancel', 'revoke', 'favorite'],
};

/** The backend's answer to request again: a new pending request. */
const requestedAgain = (id: string, justification: string) =>
  makeRequest({ againOf: id, justification, createdAt: inMinutes(0) });

/** The backend's answer to starring or unstarring `r`. */
const starring = (r: AccessRequest) => (_id: string, favorite: boolean) => ({
  ...r,
  favorite,
});

describe('MyAccessPage', () => {
  describe('loading, empty and error states', () => {
    it('shows a progress bar in every section while loading', async () => {
      const api = new FakeAccessApi();
      api.listRequests = () => new Promise(() => {});
      await renderPage(api);
      // Backstage's Progress appears after its own 250 ms delay, started
      // separately in each section, so wait for each one.
      for (const section of [
        'Active access',
        'Open requests',
        'Closed requests',
        'Recent requests',
        'Favourites',
      ]) {
        expect(
          await screen.findByLabelText(`Loading ${section}`),
        ).toBeInTheDocument();
      }
    });

    it('says what each empty section means and links to New Request', async () => {
      await renderPage(new FakeAccessApi());
      expect(
        await screen.findByText('You hold no access right now.'),
      ).toBeInTheDocument();
      // A LinkButton: an anchor with the button role.
      expect(
        screen.getByRole('button', { name: 'New request' }),
      ).toHaveAttribute('href', '/access/new');
      expect(screen.getByText('No requests are waiting.')).toBeInTheDocument();
      expect(screen.getByText('No closed requests yet.')).toBeInTheDocument();
      expect(screen.getByText('Nothing closed yet.')).toBeInTheDocument();
      expect(
        screen.getByText('Star a request to keep it here.'),
      ).toBeInTheDocument();
    });

    it('leaves out the New Request link when the route is not bound', async () => {
      await renderPage(new FakeAccessApi(), { mountRoutes: false });
      expect(
        await screen.findByText('You hold no access right now.'),
      ).toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: 'New request' }),
      ).not.toBeInTheDocument();
    });

    it("shows each section's error with the backend's message", async () => {
      const api = new FakeAccessApi([makeGrant(60)]);
      const list = api.listRequests.bind(api);
      api.listRequests = async q => {
        if (q.status?.includes('expired'))
          throw new Error('status: unknown status "expird"');
        return list(q);
      };
      await renderPage(api);
      expect(
        await screen.findByText(
          'Error: Could not load closed requests: status: unknown status "expird"',
        ),
      ).toBeInTheDocument();
      expect(
        screen.getByText(
          'Error: Could not load recent requests: status: unknown status "expird"',
        ),
      ).toBeInTheDocument();
      // The other sections still work.
      expect(
        within(activeList()).getByRole('link', { name: 'orders-db (read)' }),
      ).toBeInTheDocument();
      expect(screen.getByText('No requests are waiting.')).toBeInTheDocument();
    });

    it('shows an error in every section when the backend fails', async () => {
      const api = new FakeAccessApi();
      api.listRequests = async () => {
        throw new Error('Service Unavailable');
      };
      await renderPage(api);
      for (const section of [
        'active access',
        'open requests',
        'closed requests',
        'recent requests',
        'favourites',
      ]) {
        expect(
          await screen.findByText(
            `Error: Could not load ${section}: Service Unavailable`,
          ),
        ).toBeInTheDocument();
      }
    });

    it('keeps the items on screen when a refresh fails', async () => {
      const api = new FakeAccessApi([makeGrant(60)]);
      const { signals } = await renderPage(api);
      await screen.findByRole('list', { name: 'Active access' });
      api.listRequests = async () => {
        throw new Error('Service Unavailable');
      };
      signals.publish({ requestId: 'x', status: 'granted', action: 'x' });
      expect(
        await screen.findByText(
          'Error: Could not refresh active access: Service Unavailable',
        ),
      ).toBeInTheDocument();
      expect(
        within(activeList()).getByRole('link', { name: 'orders-db (read)' }),
      ).toBeInTheDocument();
    });
  });

  describe('trying again', () => {
    it('loads a failed section again on "Try again"', async () => {
      const api = new FakeAccessApi([makeClosed('expired')]);
      const list = api.listRequests.bind(api);
      let failing = true;
      api.listRequests = async q => {
        if (failing && q.status?.includes('expired'))
          throw new Error('Service Unavailable');
        return list(q);
      };
      await renderPage(api);
      await screen.findByText(
        'Error: Could not load closed requests: Service Unavailable',
      );
      // Closed and Recent failed; each has its own button.
      const buttons = screen.getAllByRole('button', { name: 'Try again' });
      expect(buttons).toHaveLength(2);
      failing = false;
      const before = api.listCalls.length;
      await userEvent.click(buttons[1]);
      expect(
        await screen.findByRole('table', { name: 'Closed requests' }),
      ).toBeInTheDocument();
      // Only that section asked again.
      expect(api.listCalls.slice(before)).toEqual([
        expect.objectContaining({ view: 'mine', limit: 20 }),
      ]);
      expect(
        screen.getByText(
          'Error: Could not load recent requests: Service Unavailable',
        ),
      ).toBeInTheDocument();
    });

    it('tries a failed refresh again, keeping the items meanwhile', async () => {
      const api = new FakeAccessApi([makeGrant(60)]);
      const { signals } = await renderPage(api);
      await screen.findByRole('list', { name: 'Active access' });
      const list = api.listRequests.bind(api);
      api.listRequests = async () => {
        throw new Error('Service Unavailable');
      };
      signals.publish({ requestId: 'x', status: 'granted', action: 'x' });
      await screen.findByText(
        'Error: Could not refresh active access: Service Unavailable',
      );
      api.listRequests = list;
      const buttons = await screen.findAllByRole('button', {
        name: 'Try again',
      });
      await userEvent.click(buttons[0]);
      await waitFor(() =>
        expect(
          screen.queryByText(
            'Error: Could not refresh active access: Service Unavailable',
          ),
        ).not.toBeInTheDocument(),
      );
      expect(
        within(activeList()).getByRole('link', { name: 'orders-db (read)' }),
      ).toBeInTheDocument();
    });
  });

  describe('after a submission', () => {
    it('lists the requests just submitted in a banner on top, until dismissed', async () => {
      const items = [
        makeRequest({ groupId: 'group-a', flowTitle: 'Production databases' }),
        makeGrant(60, {
          groupId: 'group-a',
          flowId: 'staging-db',
          flowTitle: 'Staging databases',
          approvalType: 'automatic',
        }),
      ];
      rememberSubmission(items);
      const api = new FakeAccessApi(items);
      await renderPage(api, { path: '/access?submitted=group-a' });
      const banner = await screen.findByRole('region', {
        name: 'Submitted: 2 requests',
      });
      expect(
        within(banner).getByRole('heading', { name: 'Submitted: 2 requests' }),
      ).toHaveFocus();
      const rows = within(banner).getAllByTestId('submitted-request');
      expect(rows).toHaveLength(2);
      expect(
        within(rows[0]).getByRole('link', { name: 'Production databases' }),
      ).toHaveAttribute('href', `/access/requests/${items[0].id}`);
      expect(
        within(rows[0]).getByLabelText('Status: Pending Approval'),
      ).toBeInTheDocument();
      expect(
        within(rows[0]).getByText('Waiting for 1 approval from bob or carol.'),
      ).toBeInTheDocument();
      expect(
        within(rows[1]).getByLabelText('Status: Active'),
      ).toBeInTheDocument();
      expect(
        within(banner).getByRole('link', { name: 'Make another request' }),
      ).toHaveAttribute('href', '/access/new');
      // Remembered from New Request: no lookup needed.
      expect(api.listCalls).not.toContainEqual({ view: 'mine', limit: 100 });

      await userEvent.click(
        within(banner).getByRole('button', { name: 'Dismiss' }),
      );
      await waitFor(() =>
        expect(
          screen.queryByRole('region', { name: /^Submitted/ }),
        ).not.toBeInTheDocument(),
      );
      // The sections stay.
      expect(activeList()).toBeInTheDocument();
    });

    it("finds a submission it does not remember (after a reload) among the user's requests", async () => {
      const mine = makeRequest({ groupId: 'group-b' });
      const other = makeRequest({ groupId: 'group-c' });
      const api = new FakeAccessApi([mine, other]);
      await renderPage(api, { path: '/access?submitted=group-b' });
      const banner = await screen.findByRole('region', {
        name: 'Submitted: 1 request',
      });
      expect(within(banner).getAllByTestId('submitted-request')).toHaveLength(
        1,
      );
      expect(
        within(banner).getByRole('link', { name: 'Production databases' }),
      ).toHaveAttribute('href', `/access/requests/${mine.id}`);
      expect(api.listCalls).toContainEqual({ view: 'mine', limit: 100 });
    });

    it('shows no banner for a submission it cannot find', async () => {
      const api = new FakeAccessApi([makeGrant(60)]);
      await renderPage(api, { path: '/access?submitted=nope' });
      await screen.findByRole('list', { name: 'Active access' });
      await waitFor(() =>
        expect(api.listCalls).toContainEqual({ view: 'mine', limit: 100 }),
      );
      expect(
        screen.queryByRole('region', { name: /^Submitted/ }),
      ).not.toBeInTheDocument();
    });

    it("follows the submitted requests' status when the backend signals a change", async () => {
      const pending = makeRequest({
        groupId: 'group-d',
        approvalType: 'automatic',
        approvers: [],
        requiredApprovals: 0,
        awaiting: undefined,
        allowedActions: ['cancel', 'favorite'],
      });
      rememberSubmission([pending]);
      const api = new FakeAccessApi([pending]);
      const { signals } = await renderPage(api, {
        path: '/access?submitted=group-d',
      });
      const banner = await screen.findByRole('region', {
        name: 'Submitted: 1 request',
      });
      expect(
        within(banner).getByText('Waiting for its checks.'),
      ).toBeInTheDocument();
      api.requests = [makeGrant(60, { id: pending.id, groupId: 'group-d' })];
      signals.publish({
        requestId: pending.id,
        status: 'granted',
        action: 'access-granted',
      });
      expect(
        await within(banner).findByLabelText('Status: Active'),
      ).toBeInTheDocument();
    });
  });

  describe('Active', () => {
    it('shows the grant, its flow, countdown, break-glass marker and details link', async () => {
      const grant = makeGrant(125.5, {
        breakGlass: true,
        approvalType: 'breakglass',
        resources: [
          {
            entityRef: 'resource:default/orders-db',
            permissions: ['read', 'write'],
          },
          { entityRef: 'resource:payments/ledger', permissions: ['read'] },
        ],
      });
      await renderPage(new FakeAccessApi([grant]));
      const item = within(
        await screen.findByRole('list', { name: 'Active access' }),
      );
      expect(
        item.getByRole('link', {
          name: 'orders-db (read, write), payments/ledger (read)',
        }),
      ).toHaveAttribute('href', `/access/requests/${grant.id}`);
      expect(item.getByText('Break-glass')).toBeInTheDocument();
      expect(item.getByText(/Production databases/)).toBeInTheDocument();
      expect(item.getByText(/extensions used 0 of 1/)).toBeInTheDocument();
      expect(item.getByTestId('expiry-countdown')).toHaveTextContent('2h 05m');
    });

    it('formats the countdown for days, hours and minutes', async () => {
      const api = new FakeAccessApi([
        makeGrant(2 * 24 * 60 + 3 * 60 + 1, { flowTitle: 'Days' }),
        makeGrant(61.5, { flowTitle: 'Hours' }),
        makeGrant(4.25, { flowTitle: 'Minutes' }),
      ]);
      await renderPage(api);
      const list = await screen.findByRole('list', { name: 'Active access' });
      const countdowns = within(list)
        .getAllByTestId('expiry-countdown')
        .map(e => e.textContent);
      expect(countdowns).toEqual(
        expect.arrayContaining([
          '2d 3h',
          '1h 01m',
          expect.stringMatching(/^4m (1[0-5])s$/),
        ]),
      );
    });

    it('links to the request relative to the page when the route is not bound', async () => {
      const grant = makeGrant(60);
      await renderPage(new FakeAccessApi([grant]), { mountRoutes: false });
      const link = await screen.findByRole('link', {
        name: 'orders-db (read)',
      });
      expect(link).toHaveAttribute('href', `/access/requests/${grant.id}`);
    });

    it('shows access details, masks secrets until revealed and copies values', async () => {
      const writeText = jest.fn().mockResolvedValue(undefined);
      Object.assign(window.navigator, { clipboard: { writeText } });
      const grant = makeGrant(60, {
        accessDetails: { host: 'orders.db.internal', password: 's3cr3t' },
      });
      const { alertApi } = await renderPage(new FakeAccessApi([grant]));
      const details = await screen.findByRole('table', {
        name: 'Access details',
      });
      expect(
        within(details).getByText('orders.db.internal'),
      ).toBeInTheDocument();
      expect(within(details).queryByText('s3cr3t')).not.toBeInTheDocument();
      expect(
        within(details).getByLabelText('password (hidden)'),
      ).toBeInTheDocument();

      await userEvent.click(
        within(details).getByRole('button', { name: 'Show password' }),
      );
      expect(within(details).getByText('s3cr3t')).toBeInTheDocument();
      await userEvent.click(
        within(details).getByRole('button', { name: 'Hide password' }),
      );
      expect(within(details).queryByText('s3cr3t')).not.toBeInTheDocument();

      await userEvent.click(
        within(details).getByRole('button', { name: 'Copy password' }),
      );
      expect(writeText).toHaveBeenCalledWith('s3cr3t');
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          message: 'password copied to the clipboard',
        }),
      );
    });

    it('warns while a revocation is being retried', async () => {
      const grant = makeGrant(-1, {
        ending: {
          as: 'expired',
          reason: 'Access expired',
          by: 'system',
          at: inMinutes(-1),
        },
        lastError: 'IAM answered 503',
        allowedActions: ['favorite'],
      });
      await renderPage(new FakeAccessApi([grant]));
      const list = within(
        await screen.findByRole('list', { name: 'Active access' }),
      );
      expect(
        list.getByText(/could not revoke this access yet; it keeps retrying/),
      ).toHaveTextContent('IAM answered 503');
      expect(
        list.getByText('Being revoked: Access expired'),
      ).toBeInTheDocument();
      expect(list.getByRole('button', { name: 'Revoke' })).toHaveAttribute(
        'aria-disabled',
        'true',
      );
    });

    it('revokes after confirmation, with a reason, and reloads', async () => {
      const grant = makeGrant(60);
      const api = new FakeAccessApi([grant]).onAction('revoke', id =>
        makeClosed('revoked', { id }),
      );
      const revoke = jest.spyOn(api, 'revoke');
      const { alertApi } = await renderPage(api);
      await userEvent.click(
        within(
          await screen.findByRole('list', { name: 'Active access' }),
        ).getByRole('button', { name: 'Revoke' }),
      );
      const dialog = await screen.findByRole('dialog', {
        name: 'Revoke access?',
      });
      await userEvent.type(
        within(dialog).getByLabelText('Reason (optional)'),
        'done early',
      );
      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Revoke' }),
      );
      expect(revoke).toHaveBeenCalledWith(grant.id, 'done early');
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          message: 'Access revoked',
          severity: 'success',
        }),
      );
      expect(
        await screen.findByText('You hold no access right now.'),
      ).toBeInTheDocument();
      // It is now a closed request.
      expect(
        within(closedTable()).getByRole('link', { name: 'orders-db (read)' }),
      ).toBeInTheDocument();
    });

    it('does not revoke when the dialog is dismissed', async () => {
      const api = new FakeAccessApi([makeGrant(60)]);
      const revoke = jest.spyOn(api, 'revoke');
      await renderPage(api);
      await userEvent.click(
        await screen.findByRole('button', { name: 'Revoke' }),
      );
      const dialog = await screen.findByRole('dialog', {
        name: 'Revoke access?',
      });
      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Keep access' }),
      );
      await waitFor(() =>
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
      );
      expect(revoke).not.toHaveBeenCalled();
    });

    it('reports a revocation the provisioner could not finish yet', async () => {
      const grant = makeGrant(60);
      const api = new FakeAccessApi([grant]);
      api.revoke = async () => ({
        ...grant,
        ending: {
          as: 'revoked',
          reason: 'Revoked by the holder',
          by: grant.requester,
          at: inMinutes(0),
        },
        lastError: 'IAM answered 503',
      });
      const { alertApi } = await renderPage(api);
      await userEvent.click(
        await screen.findByRole('button', { name: 'Revoke' }),
      );
      const dialog = await screen.findByRole('dialog');
      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Revoke' }),
      );
      await waitFor(() =>
        expect(alertApi.post).toHaveBeenCalledWith({
          message: 'Revocation in progress: IAM answered 503',
          severity: 'warning',
        }),
      );
    });

    it("keeps the dialog open with the backend's message when revoking fails", async () => {
      const api = new FakeAccessApi([makeGrant(60)]);
      api.revoke = async () => {
        throw new Error('Access of request x is already being revoked');
      };
      await renderPage(api);
      await userEvent.click(
        await screen.findByRole('button', { name: 'Revoke' }),
      );
      const dialog = await screen.findByRole('dialog');
      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Revoke' }),
      );
      expect(await within(dialog).findByRole('alert')).toHaveTextContent(
        'Access of request x is already being revoked',
      );
      expect(screen.getByRole('dialog')).toBeInTheDocument();
    });

    it("extends within the flow's max, requiring the flow's justification", async () => {
      const grant = makeGrant(30);
      const api = new FakeAccessApi([grant]).onAction(
        'extend',
        (_id, durationSeconds, justification) => ({
          ...grant,
          ...EXTENSION_PENDING,
          extension: {
            status: 'pending',
            durationSeconds,
            justification,
            requestedAt: inMinutes(0),
          },
        }),
      );
      const extend = jest.spyOn(api, 'extend');
      const { alertApi } = await renderPage(api);
      await userEvent.click(
        await screen.findByRole('button', { name: 'Extend' }),
      );
      const dialog = within(
        await screen.findByRole('dialog', { name: 'Extend access' }),
      );
      expect(
        await dialog.findByText(
          'Flow "Production databases" allows at most 8h per extension',
        ),
      ).toBeInTheDocument();

      const hours = dialog.getByLabelText(/Extra time \(hours\)/);
      const submit = dialog.getByRole('button', { name: 'Request extension' });
      await userEvent.clear(hours);
      await userEvent.type(hours, '10');
      expect(dialog.getByText('At most 8h for this flow')).toBeInTheDocument();
      expect(submit).toBeDisabled();

      await userEvent.clear(hours);
      await userEvent.type(hours, '2');
      // The flow requires a justification.
      expect(submit).toBeDisabled();
      await userEvent.type(
        dialog.getByLabelText(/Justification/),
        'still debugging',
      );
      expect(submit).toBeEnabled();
      await userEvent.click(submit);

      expect(extend).toHaveBeenCalledWith(grant.id, 7200, 'still debugging');
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          message: 'Extension requested; it waits for approval',
        }),
      );
      // The list now shows the pending extension, and Extend explains why it is off.
      expect(
        await screen.findByText(/Extension of 2h waiting for approval/),
      ).toBeInTheDocument();
      expect(screen.getByRole('button', { name: 'Extend' })).toHaveAttribute(
        'aria-disabled',
        'true',
      );
      expect(
        screen.getByRole('button', { name: 'Extend' }),
      ).toHaveAccessibleDescription(
        'An extension is already waiting for approval',
      );
    });

    it("shows the backend's refusal of an extension in the dialog", async () => {
      const api = new FakeAccessApi([makeGrant(30)]);
      api.flows = [{ ...api.flows[0], justification: 'optional' }];
      api.extend = async () => {
        throw new Error(
          'durationSeconds: at most 28800s (8h) for flow "prod-db"',
        );
      };
      await renderPage(api);
      await userEvent.click(
        await screen.findByRole('button', { name: 'Extend' }),
      );
      const dialog = within(await screen.findByRole('dialog'));
      await dialog.findByText(/allows at most 8h/);
      await userEvent.click(
        dialog.getByRole('button', { name: 'Request extension' }),
      );
      expect(await dialog.findByRole('alert')).toHaveTextContent(
        'durationSeconds: at most 28800s (8h) for flow "prod-db"',
      );
    });

    it('says when the flow was removed after the list loaded, and shows the refusal', async () => {
      // The list (and its allowedActions) came before a config change removed the flow;
      // the dialog loads the flows when it opens.
      const api = new FakeAccessApi([makeGrant(30)]);
      api.extend = async () => {
        throw new Error(
          'Flow "prod-db" no longer exists; request the access again',
        );
      };
      await renderPage(api);
      const extendButton = await screen.findByRole('button', {
        name: 'Extend',
      });
      api.flows = [];
      await userEvent.click(extendButton);
      const dialog = within(await screen.findByRole('dialog'));
      expect(
        await dialog.findByText('Flow "Production databases" no longer exists'),
      ).toBeInTheDocument();
      // Without the flow there is no limit or justification rule to check as typed.
      await userEvent.click(
        dialog.getByRole('button', { name: 'Request extension' }),
      );
      expect(await dialog.findByRole('alert')).toHaveTextContent(
        'Flow "prod-db" no longer exists; request the access again',
      );
    });

    it('reports an extension refused by checks', async () => {
      const grant = makeGrant(30);
      const api = new FakeAccessApi([grant]);
      api.flows = [{ ...api.flows[0], justification: 'optional' }];
      api.extend = async () => ({
        ...grant,
        extension: {
          status: 'rejected',
          durationSeconds: 3600,
          justification: '',
          requestedAt: inMinutes(0),
          decidedAt: inMinutes(0),
          reason: 'Required check "oncall" failed: not on call',
        },
      });
      const { alertApi } = await renderPage(api);
      await userEvent.click(
        await screen.findByRole('button', { name: 'Extend' }),
      );
      const dialog = within(await screen.findByRole('dialog'));
      await dialog.findByText(/allows at most 8h/);
      await userEvent.click(
        dialog.getByRole('button', { name: 'Request extension' }),
      );
      await waitFor(() =>
        expect(alertApi.post).toHaveBeenCalledWith({
          message:
            'Extension refused: Required check "oncall" failed: not on call',
          severity: 'warning',
        }),
      );
    });

    const noExtend: AccessRequestAction[] = ['revoke', 'favorite'];
    it.each<[string, Partial<AccessRequest>, string]>([
      [
        'all extensions are used',
        { extensionsUsed: 1, extensionsAllowed: 1, allowedActions: noExtend },
        'Already extended 1 time(s), the most flow "Production databases" allows',
      ],
      [
        'the flow allows none',
        { extensionsUsed: 0, extensionsAllowed: 0, allowedActions: noExtend },
        'Flow "Production databases" does not allow extensions',
      ],
      [
        'an extension is pending',
        {
          ...EXTENSION_PENDING,
          extension: {
            status: 'pending',
            durationSeconds: 3600,
            justification: '',
            requestedAt: inMinutes(-1),
          },
        },
        'An extension is already waiting for approval',
      ],
    ])('disables Extend when %s, saying why', async (_, over, reason) => {
      const api = new FakeAccessApi([makeGrant(30, over)]);
      await renderPage(api);
      const button = await screen.findByRole('button', { name: 'Extend' });
      expect(button).toHaveAttribute('aria-disabled', 'true');
      expect(button).toHaveAccessibleDescription(reason);
      await userEvent.hover(button);
      expect(await screen.findByRole('tooltip')).toHaveTextContent(reason);
      await userEvent.click(button);
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });

    it('cancels a pending extension', async () => {
      const grant = makeGrant(30, {
        ...EXTENSION_PENDING,
        extension: {
          status: 'pending',
          durationSeconds: 3600,
          justification: '',
          requestedAt: inMinutes(-1),
        },
      });
      // As the backend answers: the extension stays, closed as rejected, and nothing
      // waits any more (withdrawPendingExtension).
      const api = new FakeAccessApi([grant]).onAction('cancel', id =>
        makeGrant(30, {
          id,
          extension: {
            ...grant.extension!,
            status: 'rejected',
            reason: 'Cancelled by the requester',
            decidedAt: inMinutes(0),
          },
        }),
      );
      const cancel = jest.spyOn(api, 'cancel');
      await renderPage(api);
      await userEvent.click(
        await screen.findByRole('button', { name: 'Cancel extension' }),
      );
      const dialog = within(await screen.findByRole('dialog'));
      await userEvent.click(
        dialog.getByRole('button', { name: 'Cancel extension' }),
      );
      expect(cancel).toHaveBeenCalledWith(grant.id);
      await waitFor(() =>
        expect(
          screen.queryByText(/waiting for approval/),
        ).not.toBeInTheDocument(),
      );
      expect(
        screen.queryByRole('button', { name: 'Cancel extension' }),
      ).not.toBeInTheDocument();
      // The grant may be extended again.
      expect(
        screen.getByRole('button', { name: 'Extend' }),
      ).not.toHaveAttribute('aria-disabled', 'true');
    });

    it('stars and unstars, and the favourites follow', async () => {
      const grant = makeGrant(30);
      const api = new FakeAccessApi([grant]).onAction(
        'setFavorite',
        starring(grant),
      );
      const setFavorite = jest.spyOn(api, 'setFavorite');
      await renderPage(api);
      const list = await screen.findByRole('list', { name: 'Active access' });
      const star = within(list).getByRole('button', { name: 'Star request' });
      expect(star).toHaveAttribute('aria-pressed', 'false');
      await userEvent.click(star);
      expect(setFavorite).toHaveBeenCalledWith(grant.id, true);
      const favourites = await screen.findByRole('list', {
        name: 'Favourites',
      });
      expect(
        within(favourites).getByRole('link', { name: 'orders-db (read)' }),
      ).toBeInTheDocument();

      await userEvent.click(
        within(list).getByRole('button', { name: 'Unstar request' }),
      );
      expect(setFavorite).toHaveBeenLastCalledWith(grant.id, false);
      expect(
        await screen.findByText('Star a request to keep it here.'),
      ).toBeInTheDocument();
    });

    it('reports a failed star', async () => {
      const api = new FakeAccessApi([makeGrant(30)]);
      api.setFavorite = async () => {
        throw new Error('Only the requester can star a request');
      };
      const { alertApi } = await renderPage(api);
      await userEvent.click(
        await screen.findByRole('button', { name: 'Star request' }),
      );
      await waitFor(() =>
        expect(alertApi.post).toHaveBeenCalledWith({
          message:
            'Could not star the request: Only the requester can star a request',
          severity: 'error',
        }),
      );
    });
  });

  describe('Open requests', () => {
    it('shows who still has to approve, the checks and how long it waited', async () => {
      const pending = makeRequest({
        createdAt: inMinutes(-125),
        approvers: [
          'user:default/bob',
          'user:default/carol',
          'user:default/dan',
        ],
        requiredApprovals: 2,
        approvals: [
          {
            approver: 'user:default/carol',
            decision: 'approved',
            kind: 'request',
            at: inMinutes(-60),
          },
        ],
        checks: [
          {
            checkId: 'change-ticket',
            type: 'webhook',
            outcome: 'passed',
            detail: 'CHG-42 is approved',
            at: inMinutes(-124),
          },
          {
            checkId: 'oncall',
            type: 'pagerduty-oncall',
            outcome: 'failed',
            detail: 'not on call for DBA',
            at: inMinutes(-124),
          },
        ],
      });
      await renderPage(new FakeAccessApi([pending]));
      const row = within(
        (
          await screen.findByRole('table', { name: 'Open requests' })
        ).querySelector('tbody tr') as HTMLElement,
      );
      expect(
        row.getByRole('link', { name: 'orders-db (read)' }),
      ).toHaveAttribute('href', `/access/requests/${pending.id}`);
      expect(row.getByText('Pending Approval')).toBeInTheDocument();
      expect(
        row.getByText(
          '1 more approval needed from bob, dan; approved by carol',
        ),
      ).toBeInTheDocument();
      expect(
        row.getByLabelText('Check change-ticket passed: CHG-42 is approved'),
      ).toBeInTheDocument();
      const failed = row.getByLabelText(
        'Check oncall failed: not on call for DBA',
      );
      await userEvent.hover(failed);
      expect(await screen.findByRole('tooltip')).toHaveTextContent(
        'not on call for DBA',
      );
      expect(row.getByText(/^2h 0[45]m$/)).toBeInTheDocument();
    });

    it('says when a request waits for its checks or is being granted', async () => {
      await renderPage(
        new FakeAccessApi([
          makeRequest({
            approvalType: 'automatic',
            requiredApprovals: 0,
            approvers: [],
            flowTitle: 'Staging',
            awaiting: undefined,
            allowedActions: ['cancel', 'favorite'],
          }),
          makeRequest({
            status: 'granting',
            createdAt: inMinutes(-1),
            awaiting: undefined,
            allowedActions: ['favorite'],
          }),
        ]),
      );
      const table = within(
        await screen.findByRole('table', { name: 'Open requests' }),
      );
      expect(table.getByText('Waiting for checks')).toBeInTheDocument();
      expect(table.getByText('Approved; being granted')).toBeInTheDocument();
      const cancels = table.getAllByRole('button', { name: 'Cancel request' });
      // The granting one (newest, first) can no longer be cancelled.
      expect(cancels[0]).toHaveAttribute('aria-disabled', 'true');
      expect(cancels[0]).toHaveAccessibleDescription(
        'Being granted; it can no longer be cancelled',
      );
      expect(cancels[1]).not.toHaveAttribute('aria-disabled');
    });

    it('cancels after confirmation and moves the request to closed', async () => {
      const pending = makeRequest();
      const api = new FakeAccessApi([pending]).onAction('cancel', id =>
        makeClosed('cancelled', { id }),
      );
      const cancel = jest.spyOn(api, 'cancel');
      const { alertApi } = await renderPage(api);
      await cancelOpenRequest();
      expect(cancel).toHaveBeenCalledWith(pending.id);
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({ message: 'Request cancelled' }),
      );
      expect(
        await screen.findByText('No requests are waiting.'),
      ).toBeInTheDocument();
      expect(within(closedTable()).getByText('Cancelled')).toBeInTheDocument();
    });

    it('keeps the request when cancelling is refused', async () => {
      const api = new FakeAccessApi([makeRequest()]);
      api.cancel = async () => {
        throw new Error(
          'Request x is granting; only pending requests can be cancelled',
        );
      };
      await renderPage(api);
      await userEvent.click(
        await screen.findByRole('button', { name: 'Cancel request' }),
      );
      const dialog = within(await screen.findByRole('dialog'));
      await userEvent.click(
        dialog.getByRole('button', { name: 'Cancel request' }),
      );
      expect(await dialog.findByRole('alert')).toHaveTextContent(
        'only pending requests can be cancelled',
      );
      await userEvent.click(
        dialog.getByRole('button', { name: 'Keep request' }),
      );
      await waitFor(() =>
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
      );
      expect(
        within(openTable()).getByText('Pending Approval'),
      ).toBeInTheDocument();
    });
  });

  describe('Closed requests', () => {
    function manyClosed(n: number): AccessRequest[] {
      const statuses = [
        'expired',
        'revoked',
        'rejected',
        'failed',
        'cancelled',
      ] as const;
      return Array.from({ length: n }, (_, i) =>
        makeClosed(statuses[i % statuses.length], {
          // Newest first: db-0 is the newest.
          createdAt: new Date(Date.UTC(2025, 0, 1) - i * 60_000).toISOString(),
          resources: [
            { entityRef: `resource:default/db-${i}`, permissions: ['read'] },
          ],
        }),
      );
    }

    it('pages through 5,000 closed requests 20 at a time with cursors', async () => {
      const api = new FakeAccessApi(manyClosed(5000));
      await renderPage(api);
      const table = await screen.findByRole('table', {
        name: 'Closed requests',
      });
      expect(within(table).getAllByRole('row')).toHaveLength(21); // header + 20
      expect(
        within(table).getByRole('link', { name: 'db-0 (read)' }),
      ).toBeInTheDocument();
      expect(
        within(table).getByRole('link', { name: 'db-19 (read)' }),
      ).toBeInTheDocument();
      expect(
        within(table).queryByRole('link', { name: 'db-20 (read)' }),
      ).not.toBeInTheDocument();

      const pager = within(
        screen.getByRole('navigation', { name: 'Closed requests pages' }),
      );
      expect(pager.getByRole('button', { name: 'Previous' })).toBeDisabled();
      expect(pager.getByText('Page 1')).toBeInTheDocument();
      await userEvent.click(pager.getByRole('button', { name: 'Next' }));
      expect(
        await within(closedTable()).findByRole('link', {
          name: 'db-20 (read)',
        }),
      ).toBeInTheDocument();
      expect(
        within(closedTable()).queryByRole('link', { name: 'db-19 (read)' }),
      ).not.toBeInTheDocument();
      expect(pager.getByText('Page 2')).toBeInTheDocument();

      await userEvent.click(pager.getByRole('button', { name: 'Previous' }));
      expect(
        await within(closedTable()).findByRole('link', { name: 'db-0 (read)' }),
      ).toBeInTheDocument();
      expect(pager.getByText('Page 1')).toBeInTheDocument();

      // Never more than one page per call, and never the whole history.
      const closedCalls = api.listCalls.filter(q =>
        q.status?.includes('expired'),
      );
      expect(closedCalls.every(q => (q.limit ?? 0) <= 20)).toBe(true);
      expect(closedCalls.map(q => q.cursor)).toEqual(
        expect.arrayContaining([undefined, '20']),
      );
    });

    it('disables Next on the last page', async () => {
      await renderPage(new FakeAccessApi(manyClosed(25)));
      const pager = within(
        await screen.findByRole('navigation', {
          name: 'Closed requests pages',
        }),
      );
      await userEvent.click(pager.getByRole('button', { name: 'Next' }));
      expect(
        await within(closedTable()).findByRole('link', {
          name: 'db-24 (read)',
        }),
      ).toBeInTheDocument();
      expect(within(closedTable()).getAllByRole('row')).toHaveLength(6);
      expect(pager.getByRole('button', { name: 'Next' })).toBeDisabled();
    });

    it('shows every ended status with its reason', async () => {
      await renderPage(
        new FakeAccessApi([
          makeClosed('rejected', { endReason: 'use the staging copy' }),
          makeClosed('failed', { endReason: 'IAM: role not found' }),
        ]),
      );
      const table = within(
        await screen.findByRole('table', { name: 'Closed requests' }),
      );
      expect(table.getByText('Rejected')).toBeInTheDocument();
      expect(table.getByText('use the staging copy')).toHaveAttribute(
        'title',
        'use the staging copy',
      );
      // The chip carries the full reason for screen readers and keyboard users.
      const failed = table.getByLabelText('Status: Failed');
      expect(failed).toHaveAccessibleDescription('Reason: IAM: role not found');
      expect(failed).toHaveAttribute('tabindex', '0');
      expect(
        screen.queryByRole('navigation', { name: 'Closed requests pages' }),
      ).not.toBeInTheDocument();
    });

    it('shows the full reason in a tooltip when the status is focused from the keyboard', async () => {
      const reason =
        'Rejected by dana: use the read replica for reporting queries; production is for the service only, see RUNBOOK-12';
      await renderPage(
        new FakeAccessApi([makeClosed('rejected', { endReason: reason })]),
      );
      const table = within(
        await screen.findByRole('table', { name: 'Closed requests' }),
      );
      const chip = table.getByLabelText('Status: Rejected');
      expect(chip).toHaveAccessibleDescription(`Reason: ${reason}`);
      // Reachable by keyboard: focusable, and its tooltip opens on keyboard focus.
      expect(chip).toHaveAttribute('tabindex', '0');
      const restore = withFocusVisible();
      try {
        act(() => chip.focus());
        expect(await screen.findByRole('tooltip')).toHaveTextContent(reason);
      } finally {
        restore();
      }
    });

    it('requests again with a new justification', async () => {
      const old = makeClosed('expired');
      const api = new FakeAccessApi([old]).onAction(
        'requestAgain',
        requestedAgain,
      );
      const requestAgain = jest.spyOn(api, 'requestAgain');
      const { alertApi } = await renderPage(api);
      await requestAgainFromClosed('INC-2, day two');
      expect(requestAgain).toHaveBeenCalledWith(old.id, 'INC-2, day two', {
        idempotencyKey: expect.stringMatching(/\S{8,}/),
      });
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          message: 'Requested again: orders-db (read): Pending Approval',
          severity: 'success',
        }),
      );
      // The new request shows up as open.
      await waitFor(() =>
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
      );
      expect(
        await within(openTable()).findByText('Pending Approval'),
      ).toBeInTheDocument();
    });

    it('warns when the new request was rejected by its checks', async () => {
      const old = makeClosed('expired');
      const api = new FakeAccessApi([old]);
      api.requestAgain = async () => ({
        items: [
          makeClosed('rejected', {
            endReason: 'Required check "change-ticket" failed: ticket is draft',
          }),
        ],
      });
      const { alertApi } = await renderPage(api);
      await requestAgainFromClosed();
      await waitFor(() =>
        expect(alertApi.post).toHaveBeenCalledWith({
          message:
            'Requested again, but Required check "change-ticket" failed: ticket is draft',
          severity: 'warning',
        }),
      );
    });

    it("shows the backend's refusal of request again", async () => {
      const api = new FakeAccessApi([makeClosed('expired')]);
      api.requestAgain = async () => {
        throw new Error(
          'justification: flow "prod-db" (Production databases) requires a justification',
        );
      };
      await renderPage(api);
      const dialog = await requestAgainFromClosed();
      expect(await dialog.findByRole('alert')).toHaveTextContent(
        'justification: flow "prod-db" (Production databases) requires a justification',
      );
    });

    it('sends the same idempotency key when request again is confirmed a second time', async () => {
      const api = new FakeAccessApi([makeClosed('expired')]);
      const keys: (string | undefined)[] = [];
      api.requestAgain = async (_id, _justification, options) => {
        keys.push(options?.idempotencyKey);
        throw new Error('Failed to fetch');
      };
      await renderPage(api);
      const dialog = await openDialogFromTable(
        'Closed requests',
        'Request again',
      );
      const submit = dialog.getByRole('button', { name: 'Submit request' });
      await userEvent.click(submit);
      await dialog.findByRole('alert');
      await userEvent.click(submit);
      await waitFor(() => expect(keys).toHaveLength(2));
      expect(keys[0]).toMatch(/\S{8,}/);
      expect(keys[1]).toBe(keys[0]);
    });

    it('stars a closed request', async () => {
      const old = makeClosed('expired');
      const api = new FakeAccessApi([old]).onAction(
        'setFavorite',
        starring(old),
      );
      await renderPage(api);
      await userEvent.click(
        within(
          await screen.findByRole('table', { name: 'Closed requests' }),
        ).getByRole('button', { name: 'Star request' }),
      );
      await waitFor(() =>
        expect(
          within(closedTable()).getByRole('button', { name: 'Unstar request' }),
        ).toHaveAttribute('aria-pressed', 'true'),
      );
    });
  });

  describe('Recent & favourites', () => {
    it('shows the last three closed requests and the starred ones', async () => {
      const closed = [0, 1, 2, 3].map(i =>
        makeClosed('expired', {
          createdAt: inMinutes(-10 - i),
          resources: [
            {
              entityRef: `resource:default/recent-${i}`,
              permissions: ['read'],
            },
          ],
        }),
      );
      const starredGrant = makeGrant(30, {
        favorite: true,
        resources: [
          { entityRef: 'resource:default/starred', permissions: ['write'] },
        ],
      });
      const api = new FakeAccessApi([...closed, starredGrant]);
      await renderPage(api);
      const recent = within(
        await screen.findByRole('list', { name: 'Recent requests' }),
      );
      expect(recent.getAllByRole('link').map(l => l.textContent)).toEqual([
        'recent-0 (read)',
        'recent-1 (read)',
        'recent-2 (read)',
      ]);
      expect(
        recent.getAllByRole('button', { name: 'Request again' }),
      ).toHaveLength(3);
      expect(api.listCalls).toContainEqual(
        expect.objectContaining({ view: 'favorites' }),
      );
      const favourites = within(
        screen.getByRole('list', { name: 'Favourites' }),
      );
      expect(
        favourites.getByRole('link', { name: 'starred (write)' }),
      ).toBeInTheDocument();
      // Active access cannot be requested again.
      expect(
        favourites.queryByRole('button', { name: 'Request again' }),
      ).not.toBeInTheDocument();
    });

    it('shows 50 favourites, says there are more and shows more on demand', async () => {
      const starred = Array.from({ length: 60 }, (_, i) =>
        makeClosed('expired', {
          favorite: true,
          resources: [
            {
              entityRef: `resource:default/fav-${String(i).padStart(2, '0')}`,
              permissions: ['read'],
            },
          ],
        }),
      );
      const api = new FakeAccessApi(starred);
      await renderPage(api);
      const favourites = await screen.findByRole('list', {
        name: 'Favourites',
      });
      expect(within(favourites).getAllByRole('listitem')).toHaveLength(50);
      // One more than shown is asked for, to know there are more.
      expect(api.listCalls).toContainEqual(
        expect.objectContaining({ view: 'favorites', limit: 51 }),
      );
      expect(
        screen.getByText('Showing your 50 most recently starred.'),
      ).toBeInTheDocument();
      await userEvent.click(
        screen.getByRole('button', { name: 'Show 50 more' }),
      );
      await waitFor(() =>
        expect(
          within(screen.getByRole('list', { name: 'Favourites' })).getAllByRole(
            'listitem',
          ),
        ).toHaveLength(60),
      );
      expect(api.listCalls).toContainEqual(
        expect.objectContaining({ view: 'favorites', limit: 101 }),
      );
      expect(
        screen.queryByRole('button', { name: /^Show \d+ more$/ }),
      ).not.toBeInTheDocument();
      expect(
        screen.queryByText(/most recently starred/),
      ).not.toBeInTheDocument();
    });

    it('says when the favourites reach the most the backend returns', async () => {
      const starred = Array.from({ length: 230 }, (_, i) =>
        makeClosed('expired', {
          favorite: true,
          resources: [
            { entityRef: `resource:default/fav-${i}`, permissions: ['read'] },
          ],
        }),
      );
      const api = new FakeAccessApi(starred);
      await renderPage(api);
      for (const more of [50, 50, 50]) {
        await userEvent.click(
          await screen.findByRole('button', { name: `Show ${more} more` }),
        );
      }
      expect(
        await screen.findByText(
          'Showing your 200 most recently starred, the most this list holds; unstar some to see older ones.',
        ),
      ).toBeInTheDocument();
      expect(
        within(screen.getByRole('list', { name: 'Favourites' })).getAllByRole(
          'listitem',
        ),
      ).toHaveLength(200);
      expect(api.listCalls).toContainEqual(
        expect.objectContaining({ view: 'favorites', limit: 200 }),
      );
      // 200 rendered rows take 14 s on an idle 2-core machine; a loaded one passed 30 s
    }, 120_000);

    it('requests a recent one again', async () => {
      const old = makeClosed('revoked');
      const api = new FakeAccessApi([old]).onAction(
        'requestAgain',
        requestedAgain,
      );
      const requestAgain = jest.spyOn(api, 'requestAgain');
      await renderPage(api);
      await userEvent.click(
        within(
          await screen.findByRole('list', { name: 'Recent requests' }),
        ).getByRole('button', { name: 'Request again' }),
      );
      const dialog = within(await screen.findByRole('dialog'));
      await userEvent.type(dialog.getByLabelText('Justification'), 'again');
      await userEvent.click(
        dialog.getByRole('button', { name: 'Submit request' }),
      );
      expect(requestAgain).toHaveBeenCalledWith(old.id, 'again', {
        idempotencyKey: expect.stringMatching(/\S{8,}/),
      });
    });
  });

  it('refreshes every section when the backend signals a change', async () => {
    const pending = makeRequest();
    const api = new FakeAccessApi([pending]);
    const { signals } = await renderPage(api);
    await screen.findByRole('table', { name: 'Open requests' });
    // Someone approves elsewhere; the backend grants and signals.
    api.requests = [makeGrant(60, { id: pending.id })];
    signals.publish({
      requestId: pending.id,
      status: 'granted',
      action: 'access-granted',
    });
    expect(
      await screen.findByRole('list', { name: 'Active access' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('No requests are waiting.'),
    ).toBeInTheDocument();
  });
});
