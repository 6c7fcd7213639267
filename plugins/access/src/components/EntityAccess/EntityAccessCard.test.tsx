import '@testing-library/jest-dom';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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
import { signalApiRef } from '@backstage/plugin-signals-react';
import { AccessApi, accessApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { EntityAccessCard } from './EntityAccessCard';
import { clearCoverageCache, knownCoverage } from '../../coverage';
import { makeFlow } from '../../__testUtils__/sampleFlows';
import { makeGrant, makeRequest } from '../../__testUtils__/sampleRequests';
import {
  ORDERS_DB,
  ordersDb,
  summary,
} from '../../__testUtils__/entityAccessData';

function fakeApi(over: Partial<AccessApi> = {}) {
  return {
    getEntityAccess: jest.fn(async () => summary()),
    getFlows: jest.fn(async () => [
      makeFlow('prod-db', 'Production databases', {
        duration: { defaultSeconds: 7200, maxSeconds: 28800, extensions: 1 },
      }),
      makeFlow('prod-db-admin', 'Production database admin', {
        permissions: ['admin'],
        duration: { defaultSeconds: 3600, maxSeconds: 7200, extensions: 0 },
        approval: {
          type: 'manual',
          approvers: ['group:default/dba'],
          required: 2,
          allowSelfApproval: false,
          autoApproveChecks: [],
          requiredChecks: [],
        },
      }),
    ]),
    previewRequest: jest.fn(async body => ({
      items: [
        {
          entityRef: ORDERS_DB,
          permissions: body.resources![0].permissions,
          flowId: 'prod-db',
          flowTitle: 'Production databases',
          approvalType: 'manual' as const,
          approvers: ['user:default/bob', 'group:default/dba'],
          requiredApprovals: 1,
          checks: [],
          durationSeconds: body.durationSeconds ?? 7200,
          maxDurationSeconds: 28800,
          justificationRequired: true,
          autoApproved: false,
        },
      ],
    })),
    submitRequest: jest.fn(async () => ({
      items: [makeRequest({ id: 'new-1', status: 'pending' })],
    })),
    ...over,
  } as unknown as jest.Mocked<AccessApi>;
}

async function renderCard(api: AccessApi, extraApis: any[] = []) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, api],
        [permissionApiRef, mockApis.permission()],
        ...extraApis,
      ]}
    >
      <EntityProvider entity={ordersDb}>
        <EntityAccessCard />
      </EntityProvider>
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/access': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

// Dialog flows type into several fields; this machine class is slow.
jest.setTimeout(30_000);

describe('EntityAccessCard', () => {
  beforeEach(() => clearCoverageCache());

  it('shows a progress bar while loading', async () => {
    const api = fakeApi({
      getEntityAccess: jest.fn(() => new Promise(() => {})),
    });
    await renderCard(api);
    // core-components' Progress appears after a short delay.
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('shows the backend error when loading fails', async () => {
    const api = fakeApi({
      getEntityAccess: jest.fn(async () => {
        throw new Error('entityRef: no entity "resource:default/orders-db"');
      }),
    });
    await renderCard(api);
    expect(
      await screen.findByText(
        'Error: Could not load access: entityRef: no entity "resource:default/orders-db"',
      ),
    ).toBeInTheDocument();
  });

  it('loads again on "Try again" after a failure', async () => {
    const api = fakeApi();
    api.getEntityAccess.mockRejectedValueOnce(new Error('Service Unavailable'));
    await renderCard(api);
    await screen.findByText(
      'Error: Could not load access: Service Unavailable',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByRole('button', { name: 'Request access' }),
    ).toBeInTheDocument();
    expect(api.getEntityAccess).toHaveBeenCalledTimes(2);
    expect(screen.queryByText(/Could not load access/)).not.toBeInTheDocument();
  });

  it('renders nothing for an entity no flow covers, and remembers that', async () => {
    const api = fakeApi({
      getEntityAccess: jest.fn(async () =>
        summary({ covered: false, permissions: [] }),
      ),
    });
    const { container } = await renderCard(api);
    await waitFor(() => expect(api.getEntityAccess).toHaveBeenCalled());
    await waitFor(() => expect(knownCoverage(ORDERS_DB)).toBe(false));
    expect(screen.queryByText('Access')).not.toBeInTheDocument();
    expect(container.textContent).toBe('');
  });

  it('shows active access with time left and how to connect', async () => {
    const api = fakeApi({
      getEntityAccess: jest.fn(async () =>
        summary({
          mine: [
            makeGrant(60.5, {
              id: 'r1',
              accessDetails: { host: 'orders-db.prod:5432', user: 'alice_tmp' },
            }),
          ],
        }),
      ),
    });
    await renderCard(api);
    expect(await screen.findByText('Active')).toBeInTheDocument();
    expect(screen.getByTestId('expiry-countdown')).toHaveTextContent(
      /^1h 00m$/,
    );
    const details = screen.getByLabelText('How to connect');
    expect(
      within(details).getByText('orders-db.prod:5432'),
    ).toBeInTheDocument();
    expect(within(details).getByText('alice_tmp')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Details' })).toHaveAttribute(
      'href',
      '/access/requests/r1',
    );
    expect(knownCoverage(ORDERS_DB)).toBe(true);
  });

  it('shows a pending request as waiting for approval', async () => {
    const api = fakeApi({
      getEntityAccess: jest.fn(async () => summary({ mine: [makeRequest()] })),
    });
    await renderCard(api);
    expect(await screen.findByText('Pending Approval')).toBeInTheDocument();
    expect(
      screen.getByText('Waiting for approval from bob, carol'),
    ).toBeInTheDocument();
  });

  it('says so when the caller may request nothing', async () => {
    const api = fakeApi({
      getEntityAccess: jest.fn(async () => summary({ permissions: [] })),
    });
    await renderCard(api);
    expect(
      await screen.findByText(
        'No access flow lets you request access to this entity.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Request access' }),
    ).not.toBeInTheDocument();
  });

  it('shows who holds access to owners and admins', async () => {
    const api = fakeApi({
      getEntityAccess: jest.fn(async () =>
        summary({
          canSeeHolders: true,
          holders: [
            // As the backend answers the entity's owner, neither dana, one of her
            // approvers nor an admin: nothing they may do with it.
            makeGrant(60.5, {
              id: 'h1',
              requester: 'user:default/dana',
              createdBy: 'user:default/dana',
              allowedActions: [],
              resources: [
                { entityRef: ORDERS_DB, permissions: ['read', 'write'] },
              ],
            }),
          ],
        }),
      ),
    });
    await renderCard(api);
    const list = await screen.findByRole('list', {
      name: 'Who holds access now',
    });
    expect(within(list).getByText('dana')).toBeInTheDocument();
    expect(within(list).getByText(/read, write/)).toBeInTheDocument();
    expect(within(list).getByTestId('expiry-countdown')).toHaveTextContent(
      '1h 00m',
    );
  });

  it('does not list holders for other people', async () => {
    await renderCard(fakeApi());
    await screen.findByRole('button', { name: 'Request access' });
    expect(screen.queryByText('Who holds access now')).not.toBeInTheDocument();
  });

  it('requests access from a dialog: preview, submit once, show the outcome, refresh', async () => {
    const user = userEvent.setup({ delay: null });
    const api = fakeApi();
    (api.getEntityAccess as jest.Mock)
      .mockResolvedValueOnce(summary())
      .mockResolvedValue(summary({ mine: [makeRequest({ id: 'new-1' })] }));
    await renderCard(api);

    await user.click(
      await screen.findByRole('button', { name: 'Request access' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Request access to orders-db',
    });
    // The deciding flow is shown next to each permission.
    expect(
      within(dialog).getByText('decided by Production databases'),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText('decided by Production database admin'),
    ).toBeInTheDocument();

    await user.click(within(dialog).getByRole('checkbox', { name: /read/ }));
    // Duration defaults to the flow's default (2h), and says its max.
    const hours = within(dialog).getByRole('spinbutton', { name: /Duration/ });
    await waitFor(() => expect(hours).toHaveValue(2));
    expect(
      within(dialog).getByText('Default 2h, at most 8h'),
    ).toBeInTheDocument();

    // Preview: who approves.
    expect(
      await within(dialog).findByText(/Needs 1 approval from bob, dba/),
    ).toBeInTheDocument();
    expect(api.previewRequest).toHaveBeenLastCalledWith({
      resources: [{ entityRef: ORDERS_DB, permissions: ['read'] }],
      durationSeconds: 7200,
    });

    await user.type(
      within(dialog).getByRole('textbox', { name: /Justification/ }),
      'INC-42 slow queries',
    );
    await user.click(
      within(dialog).getByRole('button', { name: 'Submit request' }),
    );

    expect(
      await within(dialog).findByText(/Waiting for approval from bob, carol/),
    ).toBeInTheDocument();
    expect(api.submitRequest).toHaveBeenCalledTimes(1);
    const [body, options] = (api.submitRequest as jest.Mock).mock.calls[0];
    expect(body).toEqual({
      resources: [{ entityRef: ORDERS_DB, permissions: ['read'] }],
      durationSeconds: 7200,
      justification: 'INC-42 slow queries',
    });
    expect(options.idempotencyKey).toMatch(/^[0-9a-f-]{32,36}$/);

    await user.click(within(dialog).getByRole('button', { name: 'Done' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    // The card refreshed and shows the new pending request.
    expect(await screen.findByText('Pending Approval')).toBeInTheDocument();
    expect(api.getEntityAccess).toHaveBeenCalledTimes(2);
  });

  it('shows granted access at once for an automatic flow', async () => {
    const user = userEvent.setup({ delay: null });
    const api = fakeApi({
      getEntityAccess: jest.fn(async () =>
        summary({
          permissions: [
            {
              permission: 'read',
              flowId: 'staging-db',
              flowTitle: 'Staging databases',
            },
          ],
        }),
      ),
      getFlows: jest.fn(async () => [
        makeFlow('staging-db', 'Staging databases', {
          justification: 'optional',
          approval: {
            type: 'automatic',
            approvers: [],
            required: 0,
            allowSelfApproval: false,
            autoApproveChecks: [],
            requiredChecks: [],
          },
        }),
      ]),
      previewRequest: jest.fn(async () => ({
        items: [
          {
            entityRef: ORDERS_DB,
            permissions: ['read'],
            flowId: 'staging-db',
            flowTitle: 'Staging databases',
            approvalType: 'automatic' as const,
            approvers: [],
            requiredApprovals: 0,
            checks: [],
            durationSeconds: 7200,
            maxDurationSeconds: 28800,
            justificationRequired: false,
            autoApproved: true,
          },
        ],
      })),
      submitRequest: jest.fn(async () => ({
        items: [
          makeGrant(60.5, { id: 'auto-1', flowTitle: 'Staging databases' }),
        ],
      })),
    });
    await renderCard(api);
    await user.click(
      await screen.findByRole('button', { name: 'Request access' }),
    );
    const dialog = await screen.findByRole('dialog');
    // The only permission is preselected.
    expect(
      within(dialog).getByRole('checkbox', { name: /read/ }),
    ).toBeChecked();
    expect(
      await within(dialog).findByText(/Approved automatically/),
    ).toBeInTheDocument();
    await user.click(
      within(dialog).getByRole('button', { name: 'Submit request' }),
    );
    expect(await within(dialog).findByText('Request sent')).toBeInTheDocument();
    expect(within(dialog).getByText('Active')).toBeInTheDocument();
    expect(within(dialog).getByText(/Active now, ends in/)).toBeInTheDocument();
  });

  it('checks the form before submitting: permission, duration max, justification', async () => {
    const user = userEvent.setup({ delay: null });
    const api = fakeApi();
    await renderCard(api);
    await user.click(
      await screen.findByRole('button', { name: 'Request access' }),
    );
    const dialog = await screen.findByRole('dialog');

    await user.click(
      within(dialog).getByRole('button', { name: 'Submit request' }),
    );
    expect(
      within(dialog).getByText('Choose at least one permission'),
    ).toBeInTheDocument();

    await user.click(within(dialog).getByRole('checkbox', { name: /admin/ }));
    const hours = within(dialog).getByRole('spinbutton', { name: /Duration/ });
    await waitFor(() => expect(hours).toHaveValue(1));
    await user.clear(hours);
    await user.type(hours, '3');
    expect(
      within(dialog).getByText('At most 2h for Production database admin'),
    ).toBeInTheDocument();
    await user.click(
      within(dialog).getByRole('button', { name: 'Submit request' }),
    );
    expect(
      within(dialog).getAllByText('Required by Production database admin')
        .length,
    ).toBeGreaterThan(0);
    expect(api.submitRequest).not.toHaveBeenCalled();
  });

  it("shows the backend's message when the submission is refused, and retries with the same key", async () => {
    const user = userEvent.setup({ delay: null });
    const submitRequest = jest
      .fn()
      .mockRejectedValueOnce(
        new Error(
          'durationSeconds: 32400s is longer than flow "prod-db" allows (max 8h = 28800s)',
        ),
      )
      .mockResolvedValueOnce({ items: [makeRequest({ id: 'x' })] });
    const api = fakeApi({ submitRequest });
    await renderCard(api);
    await user.click(
      await screen.findByRole('button', { name: 'Request access' }),
    );
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('checkbox', { name: /read/ }));
    await user.type(
      within(dialog).getByRole('textbox', { name: /Justification/ }),
      'why',
    );
    await user.click(
      within(dialog).getByRole('button', { name: 'Submit request' }),
    );
    expect(
      await within(dialog).findByText(/longer than flow "prod-db" allows/),
    ).toBeInTheDocument();
    await user.click(
      within(dialog).getByRole('button', { name: 'Submit request' }),
    );
    expect(await within(dialog).findByText('Request sent')).toBeInTheDocument();
    expect(submitRequest.mock.calls[0][1].idempotencyKey).toBe(
      submitRequest.mock.calls[1][1].idempotencyKey,
    );
  });

  it('shows a preview error from the backend', async () => {
    const user = userEvent.setup({ delay: null });
    const api = fakeApi({
      previewRequest: jest.fn(async () => {
        throw new Error(
          'resources: flow "prod-db-admin" needs 2 approver(s) but only 1 can approve',
        );
      }),
    });
    await renderCard(api);
    await user.click(
      await screen.findByRole('button', { name: 'Request access' }),
    );
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('checkbox', { name: /admin/ }));
    expect(
      await within(dialog).findByText(
        /needs 2 approver\(s\) but only 1 can approve/,
      ),
    ).toBeInTheDocument();
  });

  it('reloads when the backend signals a change', async () => {
    let push: ((m: unknown) => void) | undefined;
    const signalApi = {
      subscribe: jest.fn((_channel: string, cb: (m: unknown) => void) => {
        push = cb;
        return { unsubscribe: jest.fn() };
      }),
    };
    const api = fakeApi();
    (api.getEntityAccess as jest.Mock)
      .mockResolvedValueOnce(summary({ mine: [makeRequest()] }))
      .mockResolvedValue(
        summary({
          mine: [makeGrant(60.5)],
        }),
      );
    await renderCard(api, [[signalApiRef, signalApi]]);
    expect(await screen.findByText('Pending Approval')).toBeInTheDocument();
    expect(signalApi.subscribe).toHaveBeenCalledWith(
      'access-requests',
      expect.any(Function),
    );
    act(() => push!({ requestId: 'r1' }));
    expect(await screen.findByText('Active')).toBeInTheDocument();
  });
});
