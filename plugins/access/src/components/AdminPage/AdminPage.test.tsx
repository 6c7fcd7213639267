import '@testing-library/jest-dom';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { alertApiRef } from '@backstage/core-plugin-api';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { useLocation } from 'react-router-dom';
import { AccessApi, accessApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { httpError } from '../../__testUtils__/httpError';
import { makeFlow } from '../../__testUtils__/sampleFlows';
import { makeClosed, makeRequest } from '../../__testUtils__/sampleRequests';
import { AdminPage } from './AdminPage';
import { auditEntry, fakePermissions } from '../../__testUtils__/adminData';

jest.setTimeout(30_000);

function fakeApi(over: Partial<AccessApi> = {}) {
  return {
    listRequests: jest.fn(async () => ({ items: [makeRequest({ id: 'r1' })] })),
    revoke: jest.fn(async (id: string) =>
      makeClosed('revoked', { id, allowedActions: [] }),
    ),
    getFlows: jest.fn(async () => [
      makeFlow('prod-db', 'Production databases', {
        description: 'Databases in production',
      }),
      makeFlow('cluster-breakglass', 'Cluster break-glass', {
        requesters: ['group:default/sre'],
        filter: [
          { kind: 'Resource', 'spec.type': 'kubernetes-cluster' },
          { 'metadata.tags': ['pci', 'prod'] },
        ],
        permissions: ['cluster-admin'],
        approval: {
          type: 'breakglass',
          approvers: ['group:default/platform-admins'],
          required: 1,
          allowSelfApproval: false,
          autoApproveChecks: [],
          requiredChecks: ['change-ticket'],
        },
        duration: { defaultSeconds: 1800, maxSeconds: 3600, extensions: 0 },
        provisioner: 'eks',
      }),
    ]),
    getAudit: jest.fn(async ({ cursor }: { cursor?: string } = {}) =>
      cursor === '41'
        ? { items: [auditEntry(40, { action: 'access-granted' })] }
        : {
            items: [
              auditEntry(42, { actor: 'check:oncall', severity: 'high' }),
              auditEntry(41, { details: { comment: 'entry 41' } }),
            ],
            nextCursor: '41',
          },
    ),
    getAuditCsv: jest.fn(
      async () =>
        new Blob([
          'id,at,actor,action,requestId,severity,fromStatus,toStatus,details\n42,2026-01-01T00:00:00.000Z,system,access-expired,,medium,granted,expired,{}\n',
        ]),
    ),
    verifyAudit: jest.fn(async () => ({
      ok: true,
      checked: 42,
      pending: 0,
      head: { seq: 42, hash: 'ab'.repeat(32) },
    })),
    ...over,
  };
}

function fakeCatalog(total = 25) {
  return {
    queryEntities: jest.fn(async () => ({
      items: Array.from({ length: Math.min(total, 20) }, (_, i) => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name: `db-${String(i).padStart(2, '0')}`,
          namespace: 'default',
          ...(i === 0 ? { title: 'Orders database' } : {}),
        },
      })),
      totalItems: total,
      pageInfo: {},
    })),
  };
}

/** The current URL's query, to check what the page keeps there. */
function ShowSearch() {
  return <output data-testid="search">{useLocation().search}</output>;
}
const search = () =>
  new URLSearchParams(screen.getByTestId('search').textContent ?? '');

async function renderAdmin(
  api: ReturnType<typeof fakeApi>,
  opts: {
    tab?: string;
    /** The page's query string, e.g. `?flowId=prod-db` (instead of `tab`). */
    search?: string;
    catalog?: ReturnType<typeof fakeCatalog>;
  } = {},
) {
  const alertApi = { post: jest.fn(), alert$: jest.fn() };
  const catalog = opts.catalog ?? fakeCatalog();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, api],
        [alertApiRef, alertApi],
        [catalogApiRef, catalog],
        [
          permissionApiRef,
          fakePermissions(['access.admin', 'access.audit.read']),
        ],
      ]}
    >
      <AdminPage />
      <ShowSearch />
    </TestApiProvider>,
    {
      routeEntries: [opts.search ?? (opts.tab ? `/?tab=${opts.tab}` : '/')],
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        '/access': rootRouteRef,
      },
    },
  );
  return { alertApi, catalog };
}

// Carol's grant as the backend answers an admin: they may revoke it.
const granted = makeRequest({
  id: 'g1',
  requester: 'user:default/carol',
  createdBy: 'user:default/carol',
  status: 'granted',
  awaiting: undefined,
  allowedActions: ['revoke'],
  grantedAt: new Date(Date.now() - 600_000).toISOString(),
  expiresAt: new Date(Date.now() + 3_000_000).toISOString(),
});

/** Carol's pending request as the backend answers an admin: nothing to do with it yet. */
const carolPending = (id: string) =>
  makeRequest({
    id,
    requester: 'user:default/carol',
    createdBy: 'user:default/carol',
    allowedActions: [],
  });

describe('AdminPage — all requests', () => {
  it('lists every request and filters by status on the server', async () => {
    const api = fakeApi({
      listRequests: jest.fn(async ({ status }: { status?: string[] }) =>
        status?.includes('granted')
          ? { items: [granted] }
          : { items: [makeRequest({ id: 'r1' }), granted] },
      ),
    });
    await renderAdmin(api);
    expect(await screen.findByTestId('row-r1')).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledWith({
      view: 'all',
      status: undefined,
      cursor: undefined,
      limit: 25,
    });
    expect(
      within(screen.getByTestId('row-r1')).getByLabelText(
        'Status: Pending Approval',
      ),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: /Status/ }));
    await userEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'Active',
      }),
    );
    await userEvent.click(
      within(screen.getByRole('listbox')).getByRole('option', {
        name: 'Granting',
      }),
    );
    await userEvent.keyboard('{Escape}');
    await waitFor(() =>
      expect(api.listRequests).toHaveBeenLastCalledWith({
        view: 'all',
        status: ['granted', 'granting'],
        cursor: undefined,
        limit: 25,
      }),
    );
    await waitFor(() =>
      expect(screen.queryByTestId('row-r1')).not.toBeInTheDocument(),
    );
    expect(screen.getByTestId('row-g1')).toBeInTheDocument();
  });

  it('says when no request has the chosen statuses', async () => {
    const api = fakeApi({
      listRequests: jest.fn(async ({ status }: { status?: string[] }) =>
        status ? { items: [] } : { items: [makeRequest({ id: 'r1' })] },
      ),
    });
    await renderAdmin(api);
    await screen.findByTestId('row-r1');
    await userEvent.click(screen.getByRole('button', { name: /Status/ }));
    await userEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'Failed',
      }),
    );
    expect(
      await screen.findByText('No requests match these filters'),
    ).toBeInTheDocument();
    expect(search().get('status')).toBe('failed');
  });

  it('reads the filters from the URL and sends them to the server', async () => {
    const api = fakeApi({
      listRequests: jest.fn(async () => ({ items: [granted] })),
    });
    await renderAdmin(api, {
      search:
        '/?status=granted,expired&requester=user:default/carol&entityRef=resource:default/orders-db&flowId=prod-db',
    });
    expect(await screen.findByTestId('row-g1')).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledTimes(1);
    expect(api.listRequests).toHaveBeenCalledWith({
      view: 'all',
      status: ['granted', 'expired'],
      requester: 'user:default/carol',
      entityRef: 'resource:default/orders-db',
      flowId: 'prod-db',
      cursor: undefined,
      limit: 25,
    });
    expect(screen.getByRole('textbox', { name: 'Requester' })).toHaveValue(
      'user:default/carol',
    );
    expect(screen.getByRole('textbox', { name: 'Resource' })).toHaveValue(
      'resource:default/orders-db',
    );
    expect(
      await screen.findByRole('button', { name: /Production databases/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: /Active, Expired/ }),
    ).toBeInTheDocument();
  });

  it('filters by requester, resource and flow, keeping them in the URL', async () => {
    const api = fakeApi();
    await renderAdmin(api);
    await screen.findByTestId('row-r1');
    expect(search().toString()).toBe('');

    // Applied on Enter, not per keystroke.
    const requester = screen.getByRole('textbox', { name: 'Requester' });
    await userEvent.type(requester, 'carol');
    expect(api.listRequests).toHaveBeenCalledTimes(1);
    await userEvent.type(requester, '{Enter}');
    await waitFor(() =>
      expect(api.listRequests).toHaveBeenLastCalledWith(
        expect.objectContaining({ view: 'all', requester: 'carol' }),
      ),
    );
    expect(search().get('requester')).toBe('carol');

    // Applied when the field loses focus.
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Resource' }),
      'Resource:Default/Orders-DB',
    );
    await userEvent.tab();
    await waitFor(() =>
      expect(api.listRequests).toHaveBeenLastCalledWith(
        expect.objectContaining({
          requester: 'carol',
          entityRef: 'Resource:Default/Orders-DB',
        }),
      ),
    );

    // The flows come from the configuration.
    await userEvent.click(screen.getByRole('button', { name: /Flow/ }));
    await userEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: /Cluster break-glass/,
      }),
    );
    await waitFor(() =>
      expect(api.listRequests).toHaveBeenLastCalledWith({
        view: 'all',
        status: undefined,
        requester: 'carol',
        entityRef: 'Resource:Default/Orders-DB',
        flowId: 'cluster-breakglass',
        cursor: undefined,
        limit: 25,
      }),
    );
    expect(Object.fromEntries(search())).toEqual({
      requester: 'carol',
      entityRef: 'Resource:Default/Orders-DB',
      flowId: 'cluster-breakglass',
    });

    // Clearing drops every filter from the URL and the fields.
    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    await waitFor(() => expect(search().toString()).toBe(''));
    expect(api.listRequests).toHaveBeenLastCalledWith(
      expect.objectContaining({
        requester: undefined,
        entityRef: undefined,
        flowId: undefined,
      }),
    );
    expect(screen.getByRole('textbox', { name: 'Requester' })).toHaveValue('');
    expect(screen.getByRole('textbox', { name: 'Resource' })).toHaveValue('');
    expect(
      screen.queryByRole('button', { name: 'Clear filters' }),
    ).not.toBeInTheDocument();
  });

  it('keeps the selected tab when filtering', async () => {
    const api = fakeApi();
    await renderAdmin(api, { search: '/?tab=requests' });
    await screen.findByTestId('row-r1');
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Requester' }),
      'dana{Enter}',
    );
    await waitFor(() => expect(search().get('requester')).toBe('dana'));
    expect(search().get('tab')).toBe('requests');
  });

  it('does not send a ref that cannot be one, and says why', async () => {
    const api = fakeApi();
    await renderAdmin(api);
    await screen.findByTestId('row-r1');
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Requester' }),
      'group:default/sre{Enter}',
    );
    expect(
      await screen.findByText('A user, like user:default/alice or alice'),
    ).toBeInTheDocument();
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Resource' }),
      'orders-db{Enter}',
    );
    expect(
      await screen.findByText('An entity ref, like resource:default/orders-db'),
    ).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledTimes(1);
    expect(search().toString()).toBe('');
  });

  it('says when nothing matches the filters, and clears them', async () => {
    const api = fakeApi({
      listRequests: jest.fn(async ({ flowId }: { flowId?: string }) =>
        flowId ? { items: [] } : { items: [makeRequest({ id: 'r1' })] },
      ),
    });
    // A flow no longer configured can still be filtered by (and is shown by its id).
    await renderAdmin(api, { search: '/?flowId=retired-flow' });
    expect(
      await screen.findByText('No requests match these filters'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: /retired-flow/ }),
    ).toBeInTheDocument();
    // One in the toolbar, one in the empty state: the latter.
    const clear = screen.getAllByRole('button', { name: 'Clear filters' });
    expect(clear).toHaveLength(2);
    await userEvent.click(clear[1]);
    expect(await screen.findByTestId('row-r1')).toBeInTheDocument();
    expect(search().toString()).toBe('');
  });

  it('pages with the filters kept', async () => {
    const api = fakeApi({
      listRequests: jest.fn(async ({ cursor }: { cursor?: string }) =>
        cursor
          ? {
              items: [carolPending('r2')],
            }
          : {
              items: [carolPending('r1')],
              nextCursor: 'c2',
            },
      ),
    });
    await renderAdmin(api, { search: '/?requester=carol&flowId=prod-db' });
    await screen.findByTestId('row-r1');
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByTestId('row-r2')).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenLastCalledWith({
      view: 'all',
      status: undefined,
      requester: 'carol',
      entityRef: undefined,
      flowId: 'prod-db',
      cursor: 'c2',
      limit: 25,
    });
  });

  it('revokes an active grant only with a reason', async () => {
    const api = fakeApi({
      listRequests: jest.fn(async () => ({
        items: [makeRequest({ id: 'r1' }), granted],
      })),
    });
    const { alertApi } = await renderAdmin(api);
    await screen.findByTestId('row-g1');
    // Only active grants can be revoked.
    expect(
      within(screen.getByTestId('row-r1')).queryByRole('button', {
        name: /Revoke/,
      }),
    ).not.toBeInTheDocument();
    await userEvent.click(
      within(screen.getByTestId('row-g1')).getByRole('button', {
        name: 'Revoke: carol',
      }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    const confirm = dialog.getByRole('button', { name: 'Revoke' });
    expect(confirm).toBeDisabled();
    await userEvent.type(
      dialog.getByRole('textbox', { name: /Reason/ }),
      'left the team',
    );
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(api.revoke).toHaveBeenCalledWith('g1', 'left the team'),
    );
    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          severity: 'success',
          message: 'Revoked: carol: orders-db (read)',
        }),
      ),
    );
    expect(api.listRequests).toHaveBeenCalledTimes(2);
  });

  it('warns when the provisioner could not revoke yet', async () => {
    const api = fakeApi({
      listRequests: jest.fn(async () => ({ items: [granted] })),
      revoke: jest.fn(async () => ({
        ...granted,
        lastError: 'eks answered 503',
        ending: {
          as: 'revoked' as const,
          reason: 'Revoked by user:default/admin',
          by: 'user:default/admin',
          at: new Date().toISOString(),
        },
      })),
    });
    const { alertApi } = await renderAdmin(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Revoke: carol' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.type(dialog.getByRole('textbox', { name: /Reason/ }), 'x');
    await userEvent.click(dialog.getByRole('button', { name: 'Revoke' }));
    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          severity: 'warning',
          message: expect.stringContaining('eks answered 503'),
        }),
      ),
    );
  });

  it("shows the backend's message when listing fails", async () => {
    const api = fakeApi({
      listRequests: jest.fn(async () => {
        throw await httpError(
          403,
          'Only access admins may list all requests (access.admin)',
        );
      }),
    });
    await renderAdmin(api);
    expect(
      await screen.findByText(
        'Error: Could not load the requests: Only access admins may list all requests (access.admin)',
      ),
    ).toBeInTheDocument();
  });
});

describe('AdminPage — flows', () => {
  it('shows the flows in precedence order and their rules', async () => {
    const api = fakeApi();
    const { catalog } = await renderAdmin(api, { tab: 'flows' });
    const summaries = await screen.findAllByRole('button', {
      expanded: false,
    });
    expect(summaries.map(s => s.textContent)).toEqual([
      expect.stringContaining('1. Production databases'),
      expect.stringContaining('2. Cluster break-glass'),
    ]);
    // Matching entities are only asked for when a flow is opened.
    expect(catalog.queryEntities).not.toHaveBeenCalled();

    await userEvent.click(summaries[1]);
    const table = within(
      await screen.findByRole('table', { name: 'Flow Cluster break-glass' }),
    );
    expect(table.getByText('group:default/sre')).toBeInTheDocument();
    expect(
      table.getByText('kubernetes-cluster', { exact: false }),
    ).toBeInTheDocument();
    expect(table.getByText('or')).toBeInTheDocument();
    expect(
      table.getByText('pci or prod', { exact: false }),
    ).toBeInTheDocument();
    expect(
      table.getByText('group:default/platform-admins'),
    ).toBeInTheDocument();
    expect(table.getByText('not used (break-glass flow)')).toBeInTheDocument();
    expect(table.getByText(/Required:\s*change-ticket/)).toBeInTheDocument();
    expect(
      table.getByText('default 30m, max 1h, no extensions'),
    ).toBeInTheDocument();
    expect(table.getByText('eks')).toBeInTheDocument();
  });

  it('lists the entities a flow matches when it is opened', async () => {
    const api = fakeApi();
    const { catalog } = await renderAdmin(api, { tab: 'flows' });
    await userEvent.click(
      await screen.findByRole('button', { name: /1\. Production databases/ }),
    );
    expect(
      await screen.findByText('25 catalog entities match (first 20 shown).'),
    ).toBeInTheDocument();
    const list = within(
      screen.getByRole('list', {
        name: 'Entities matching Production databases',
      }),
    );
    expect(list.getAllByRole('listitem')).toHaveLength(20);
    expect(list.getByRole('link', { name: 'Orders database' })).toHaveAttribute(
      'href',
      '/catalog/default/resource/db-00',
    );
    expect(list.getByText('resource:default/db-19')).toBeInTheDocument();
    expect(catalog.queryEntities).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: [{ kind: 'Resource', 'spec.type': 'database' }],
        limit: 20,
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
        ],
      }),
    );
  });

  it('says when a flow matches nothing', async () => {
    await renderAdmin(fakeApi(), { tab: 'flows', catalog: fakeCatalog(0) });
    await userEvent.click(
      await screen.findByRole('button', { name: /1\. Production databases/ }),
    );
    expect(
      await screen.findByText(/No catalog entity matches this filter/),
    ).toBeInTheDocument();
  });

  it('says when no flow is configured', async () => {
    await renderAdmin(fakeApi({ getFlows: jest.fn(async () => []) }), {
      tab: 'flows',
    });
    expect(await screen.findByText('No flows configured')).toBeInTheDocument();
  });
});

describe('AdminPage — audit log', () => {
  it('pages through the audit log and shows details on demand', async () => {
    const api = fakeApi();
    await renderAdmin(api, { tab: 'audit' });
    const row = within(await screen.findByTestId('audit-42'));
    expect(row.getByText('check:oncall')).toBeInTheDocument();
    expect(row.getByText('request-approved')).toBeInTheDocument();
    expect(row.getByText('high')).toBeInTheDocument();
    expect(row.getByText('Pending Approval → Granting')).toBeInTheDocument();
    expect(row.getByRole('link', { name: '6f1c2a8e' })).toHaveAttribute(
      'href',
      '/access/requests/6f1c2a8e-0000-4000-8000-000000000001',
    );
    expect(api.getAudit).toHaveBeenCalledWith({ cursor: undefined, limit: 50 });

    expect(screen.queryByText(/"comment": "entry 42"/)).not.toBeInTheDocument();
    await userEvent.click(row.getByRole('button', { name: 'Show details' }));
    expect(
      await screen.findByText(/"comment": "entry 42"/),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByTestId('audit-40')).toBeInTheDocument();
    expect(api.getAudit).toHaveBeenLastCalledWith({ cursor: '41', limit: 50 });
    expect(screen.queryByTestId('audit-42')).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Previous page' }),
    );
    expect(await screen.findByTestId('audit-42')).toBeInTheDocument();
  });

  it('exports the audit log as access-audit.csv', async () => {
    const created: Blob[] = [];
    const downloads: { download: string; href: string }[] = [];
    const originalCreate = URL.createObjectURL;
    const originalRevoke = URL.revokeObjectURL;
    URL.createObjectURL = jest.fn((b: Blob) => {
      created.push(b);
      return 'blob:audit';
    });
    URL.revokeObjectURL = jest.fn();
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        downloads.push({ download: this.download, href: this.href });
      });
    try {
      const api = fakeApi();
      const { alertApi } = await renderAdmin(api, { tab: 'audit' });
      await userEvent.click(
        await screen.findByRole('button', { name: 'Export CSV' }),
      );
      await waitFor(() =>
        expect(downloads).toEqual([
          { download: 'access-audit.csv', href: 'blob:audit' },
        ]),
      );
      expect(api.getAuditCsv).toHaveBeenCalledWith({
        cursor: undefined,
        limit: 1000,
      });
      expect(created).toHaveLength(1);
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          severity: 'success',
          message: 'Exported 1 audit entries to access-audit.csv',
        }),
      );
      await waitFor(() =>
        expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:audit'),
      );
    } finally {
      click.mockRestore();
      URL.createObjectURL = originalCreate;
      URL.revokeObjectURL = originalRevoke;
    }
  });

  it('reports a failed export', async () => {
    const api = fakeApi({
      getAuditCsv: jest.fn(async () => {
        throw await httpError(
          403,
          'Only access admins may read the audit log (access.audit.read)',
        );
      }),
    });
    const { alertApi } = await renderAdmin(api, { tab: 'audit' });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Export CSV' }),
    );
    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          severity: 'error',
          message:
            'Could not export the audit log: Only access admins may read the audit log (access.audit.read)',
        }),
      ),
    );
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeEnabled();
  });

  it('verifies the audit trail and says what it found', async () => {
    const api = fakeApi();
    const { alertApi } = await renderAdmin(api, { tab: 'audit' });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Verify integrity' }),
    );
    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          severity: 'success',
          message:
            'The audit trail is intact: 42 sealed entries checked (chain head #42).',
        }),
      ),
    );

    (api.verifyAudit as jest.Mock).mockResolvedValueOnce({
      ok: false,
      checked: 4,
      pending: 0,
      head: { seq: 4, hash: 'cd'.repeat(32) },
      problem: { seq: 5, id: '17', reason: 'was changed after it was sealed' },
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Verify integrity' }),
    );
    await waitFor(() =>
      expect(alertApi.post).toHaveBeenLastCalledWith(
        expect.objectContaining({
          severity: 'error',
          message:
            'The audit trail was tampered with: entry #5 (id 17) was changed after it was sealed. 4 entries before it are intact.',
        }),
      ),
    );
  });
});
