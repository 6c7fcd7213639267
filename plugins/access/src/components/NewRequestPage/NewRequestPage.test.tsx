import '@testing-library/jest-dom';
import { alertApiRef, identityApiRef } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { AccessFlowSummary } from '@jit-access/plugin-access-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import { accessApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { MyAccessPage } from '../MyAccessPage';
import { NewRequestPage } from './NewRequestPage';
import {
  asAccessApi,
  fakeAccessApi,
  FakeAccessApi,
  FLOWS,
  manyResources,
  ORDERS_DB,
  RESOURCES,
} from '../../__testUtils__/newRequestData';

// Full-page renders with Material UI are slow on shared CI machines.
jest.setTimeout(30_000);

/** The catalog's type facet under each filter, keyed by the filter's JSON. */
type Facets = Record<string, string[]>;

async function renderPage(
  fake: FakeAccessApi = fakeAccessApi(),
  path = '/access/new',
  options: {
    /** Catalog API answering facet queries; absent: the app has none. */
    catalog?: { getEntityFacets: jest.Mock };
    ownershipEntityRefs?: string[];
  } = {},
) {
  const alertApi = {
    post: jest.fn(),
    alert$: jest.fn(),
  };
  const identityApi = {
    getBackstageIdentity: async () => ({
      type: 'user' as const,
      userEntityRef: 'user:default/alice',
      ownershipEntityRefs: options.ownershipEntityRefs ?? [
        'user:default/alice',
      ],
    }),
  };
  const user = userEvent.setup({ delay: null });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, asAccessApi(fake)],
        [alertApiRef, alertApi],
        [identityApiRef, identityApi],
        ...(options.catalog ? [[catalogApiRef, options.catalog] as const] : []),
      ]}
    >
      {/* As the app mounts them: a submission lands on My Access. */}
      <Routes>
        <Route path="/access" element={<MyAccessPage />} />
        <Route path="/access/new" element={<NewRequestPage />} />
      </Routes>
    </TestApiProvider>,
    { routeEntries: [path], mountedRoutes: { '/access': rootRouteRef } },
  );
  return { fake, user, alertApi };
}

/** A catalog API whose type facet answers from `facets`, by the filter asked with. */
function fakeCatalog(facets: Facets) {
  return {
    getEntityFacets: jest.fn(
      async (req: { filter: unknown; facets: string[] }) => {
        const types = facets[JSON.stringify(req.filter)];
        if (!types) throw new Error(`unexpected filter ${JSON.stringify(req)}`);
        return {
          facets: {
            'spec.type': types.map(value => ({ value, count: 1 })),
          },
        };
      },
    ),
  };
}

/** The Type filter's options, without "All types". */
function typeOptions(): string[] {
  return within(screen.getByLabelText('Type'))
    .getAllByRole('option')
    .map(o => o.getAttribute('value') ?? '')
    .filter(Boolean);
}

/** The banner My Access shows after a submission. */
const submittedBanner = (count: number) =>
  screen.findByRole(
    'region',
    { name: `Submitted: ${count} request${count === 1 ? '' : 's'}` },
    { timeout: 5000 },
  );

/** A permission checkbox in the search results (the selected list repeats them). */
const box = (name: string | RegExp) =>
  within(screen.getByRole('table', { name: 'Resources' })).getByRole(
    'checkbox',
    { name },
  );

async function tick(
  user: ReturnType<typeof userEvent.setup>,
  name: string | RegExp,
) {
  // Generous waits: the search is debounced and CI machines are slow.
  await waitFor(
    () =>
      expect(
        within(screen.getByRole('table', { name: 'Resources' })).getByRole(
          'checkbox',
          { name },
        ),
      ).toBeInTheDocument(),
    { timeout: 5000 },
  );
  await user.click(box(name));
}

function selected() {
  return screen.getByRole('region', { name: /Selected/ });
}

async function previewAndWait(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole('button', { name: 'Preview' }));
  return screen.findByRole('region', { name: 'Preview' });
}

describe('NewRequestPage – Resources', () => {
  it('searches by name, type and permission, with the query sent to the API', async () => {
    const { fake, user } = await renderPage();
    expect(await screen.findByText('Orders DB')).toBeInTheDocument();
    expect(fake.getResources).toHaveBeenLastCalledWith({
      q: undefined,
      type: undefined,
      permission: undefined,
      limit: 50,
    });

    await user.type(screen.getByLabelText('Search by name'), 'orders');
    await waitFor(() =>
      expect(fake.getResources).toHaveBeenLastCalledWith(
        expect.objectContaining({ q: 'orders' }),
      ),
    );
    await waitFor(() =>
      expect(screen.queryByText('staging-db')).not.toBeInTheDocument(),
    );
    // Typing is debounced: one call for the whole word, not one per key.
    const qs = fake.getResources.mock.calls.map(c => c[0]?.q);
    expect(qs).not.toContain('o');

    await user.selectOptions(screen.getByLabelText('Type'), 'database');
    await waitFor(() =>
      expect(fake.getResources).toHaveBeenLastCalledWith({
        q: 'orders',
        type: 'database',
        permission: undefined,
        limit: 50,
      }),
    );

    // Permission options come from the flows, not just from what is loaded.
    await user.selectOptions(screen.getByLabelText('Permission'), 'admin');
    await waitFor(() =>
      expect(fake.getResources).toHaveBeenLastCalledWith({
        q: 'orders',
        type: 'database',
        permission: 'admin',
        limit: 50,
      }),
    );
    expect(
      await screen.findByRole('checkbox', {
        name: 'admin via Production database admin on Orders DB',
      }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('checkbox', { name: /^read via/ }),
    ).not.toBeInTheDocument();

    await user.clear(screen.getByLabelText('Search by name'));
    await user.type(screen.getByLabelText('Search by name'), 'nothing');
    expect(await screen.findByText('No resources match')).toBeInTheDocument();
  });

  it('loads further pages with the cursor instead of fetching everything', async () => {
    const { fake, user } = await renderPage(
      fakeAccessApi(manyResources(120, 'db')),
    );
    await screen.findByText('db-0000');
    expect(screen.getAllByRole('row')).toHaveLength(51); // header + 50
    expect(screen.queryByText('db-0050')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('db-0099')).toBeInTheDocument();
    expect(fake.getResources).toHaveBeenLastCalledWith(
      expect.objectContaining({ cursor: '50', limit: 50 }),
    );
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('db-0119')).toBeInTheDocument();
    expect(screen.getByText('Showing 120')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Load more' }),
    ).not.toBeInTheDocument();
  });

  it('picks permissions per resource and keeps the selection across searches', async () => {
    const { user } = await renderPage();
    expect(
      within(await screen.findByRole('region', { name: /Selected/ })).getByText(
        'Selected (0)',
      ),
    ).toBeInTheDocument();

    // Each permission shows the flow that would decide it.
    expect(await screen.findAllByText('via Production databases')).toHaveLength(
      2,
    );
    await tick(user, 'read via Production databases on Orders DB');
    await tick(user, 'admin via Production database admin on Orders DB');
    expect(within(selected()).getByText('Selected (1)')).toBeInTheDocument();

    await user.type(screen.getByLabelText('Search by name'), 'staging');
    await waitFor(() =>
      expect(screen.queryByText('Orders of the shop')).not.toBeInTheDocument(),
    );
    await tick(user, 'write via Staging databases on staging-db');
    expect(within(selected()).getByText('Selected (2)')).toBeInTheDocument();
    // Orders DB is still picked, with both its permissions.
    expect(
      within(selected()).getByRole('checkbox', {
        name: 'admin via Production database admin on Orders DB',
      }),
    ).toBeChecked();
    expect(
      within(selected()).getByRole('checkbox', {
        name: 'write via Production databases on Orders DB',
      }),
    ).not.toBeChecked();

    await user.click(
      within(selected()).getByRole('button', { name: 'Remove Orders DB' }),
    );
    expect(within(selected()).getByText('Selected (1)')).toBeInTheDocument();
    expect(within(selected()).queryByText('Orders DB')).not.toBeInTheDocument();

    // Unticking the last permission drops the entity too.
    await user.click(box('write via Staging databases on staging-db'));
    expect(within(selected()).getByText('Selected (0)')).toBeInTheDocument();
  });

  it('stops at 1,000 resources and says why the 1,001st was not added', async () => {
    const fake = fakeAccessApi([...manyResources(1000, 'db'), ORDERS_DB]);
    const { user } = await renderPage(fake);
    await screen.findByText('db-0000');
    await user.selectOptions(screen.getByLabelText('Permission'), 'read');
    await user.type(screen.getByLabelText('Search by name'), 'db-');
    await waitFor(() =>
      expect(fake.getResources).toHaveBeenLastCalledWith(
        expect.objectContaining({ q: 'db-', permission: 'read' }),
      ),
    );
    await user.click(
      await screen.findByRole('button', {
        name: 'Add all matches with "read" (up to 1,000)',
      }),
    );
    expect(
      await within(selected()).findByText('Selected (1000)'),
    ).toBeInTheDocument();
    // The server was paged, never asked for everything at once.
    expect(fake.getResources).toHaveBeenCalledWith(
      expect.objectContaining({ q: 'db-', permission: 'read', limit: 200 }),
    );
    // Only the first 100 are rendered until asked.
    expect(
      within(selected()).getByRole('button', { name: 'Show all 1000' }),
    ).toBeInTheDocument();

    await user.clear(screen.getByLabelText('Search by name'));
    await user.type(screen.getByLabelText('Search by name'), 'orders');
    await tick(user, 'read via Production databases on Orders DB');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'You can request at most 1,000 resources at once: Orders DB was not added.',
    );
    expect(within(selected()).getByText('Selected (1000)')).toBeInTheDocument();
    expect(box('read via Production databases on Orders DB')).not.toBeChecked();
  }, 60_000);

  it("defaults the duration to the flow's default and refuses more than the smallest max", async () => {
    const { fake, user } = await renderPage();
    await tick(user, 'read via Production databases on Orders DB');
    const duration = screen.getByLabelText('Duration (hours)');
    expect(duration).toHaveValue(2);
    expect(
      screen.getByText('Default 2h; at most 8h ("Production databases").'),
    ).toBeInTheDocument();

    await user.clear(duration);
    await user.type(duration, '9');
    expect(
      screen.getByText(
        'At most 8h: flow "Production databases" allows no longer.',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Preview' })).toBeDisabled();

    // Admin is decided by a flow with a 2h max: the smallest max wins.
    await tick(user, 'admin via Production database admin on Orders DB');
    expect(
      screen.getByText(
        'At most 2h: flow "Production database admin" allows no longer.',
      ),
    ).toBeInTheDocument();

    await user.clear(duration);
    await user.type(duration, '1.5');
    await previewAndWait(user);
    expect(fake.previewRequest).toHaveBeenLastCalledWith({
      resources: [
        {
          entityRef: 'resource:default/orders-db',
          permissions: ['read', 'admin'],
        },
      ],
      durationSeconds: 5400,
    });
  });

  it('requires a justification when a deciding flow does, and says which', async () => {
    const { fake, user } = await renderPage();
    await tick(user, 'read via Staging databases on staging-db');
    expect(
      screen.getByText('Optional: why you need this access.'),
    ).toBeInTheDocument();

    await tick(user, 'read via Production databases on Orders DB');
    expect(
      screen.getByText('Required by flow "Production databases".'),
    ).toBeInTheDocument();
    await previewAndWait(user);
    await user.click(screen.getByRole('button', { name: 'Submit request' }));
    expect(
      screen.getByText(
        'A justification is required by flow "Production databases".',
      ),
    ).toBeInTheDocument();
    expect(fake.submitRequest).not.toHaveBeenCalled();
  });

  it('previews who approves, the checks and the duration, per flow', async () => {
    const { user } = await renderPage();
    await tick(user, 'read via Staging databases on staging-db');
    await tick(user, 'read via Production databases on Orders DB');
    await tick(user, 'admin via Production database admin on Orders DB');
    await tick(user, 'cluster-admin via Cluster break-glass on prod-eks');
    const preview = await previewAndWait(user);

    expect(
      within(preview).getByText('Preview: 4 requests for 4 resources'),
    ).toBeInTheDocument();
    const groups = within(preview).getAllByTestId('preview-group');
    const byFlow = (title: string) =>
      groups.find(g => within(g).queryByText(title))!;

    const staging = byFlow('Staging databases');
    expect(within(staging).getByText('Granted at once')).toBeInTheDocument();
    expect(within(staging).getByText('staging-db (read)')).toBeInTheDocument();
    expect(within(staging).getByText('1h (at most 4h)')).toBeInTheDocument();

    const prod = byFlow('Production databases');
    expect(
      within(prod).getByText(
        'May be auto-approved if check "on-call" passes; otherwise needs 1 approval from dana or erin',
      ),
    ).toBeInTheDocument();
    expect(within(prod).getByText('on-call')).toBeInTheDocument();
    expect(within(prod).getByText('2h (at most 8h)')).toBeInTheDocument();

    const admin = byFlow('Production database admin');
    expect(
      within(admin).getByText('Needs 2 approvals from dana, erin or finn'),
    ).toBeInTheDocument();
    expect(within(admin).getByText('None')).toBeInTheDocument();

    const glass = byFlow('Cluster break-glass');
    expect(
      within(glass).getByText(
        'Granted at once if check "incident-open" passes; reviewed afterwards by pat',
      ),
    ).toBeInTheDocument();

    // Changing the selection makes the preview stale until previewed again.
    await user.click(box('read via Staging databases on staging-db'));
    expect(
      screen.getByText(
        'The form changed since this preview; preview again before submitting.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Submit request' }),
    ).toBeDisabled();
  });

  it('submits once with an idempotency key, then lands on My Access listing the split requests', async () => {
    const { fake, user, alertApi } = await renderPage();
    await tick(user, 'read via Staging databases on staging-db');
    await tick(user, 'read via Production databases on Orders DB');
    await user.type(
      screen.getByLabelText(/Justification/),
      'INC-1234: slow queries',
    );
    await previewAndWait(user);
    await user.dblClick(screen.getByRole('button', { name: 'Submit request' }));

    const banner = await submittedBanner(2);
    expect(fake.submitRequest).toHaveBeenCalledTimes(1);
    expect(fake.submitRequest).toHaveBeenCalledWith(
      {
        resources: [
          { entityRef: 'resource:default/staging-db', permissions: ['read'] },
          { entityRef: 'resource:default/orders-db', permissions: ['read'] },
        ],
        justification: 'INC-1234: slow queries',
      },
      { idempotencyKey: expect.stringMatching(/\S{8,}/) },
    );

    // My Access, not New Request any more, with the banner focused on top.
    expect(
      screen.queryByRole('tab', { name: 'Resources' }),
    ).not.toBeInTheDocument();
    expect(await screen.findByText('Active access')).toBeInTheDocument();
    expect(
      within(banner).getByRole('heading', { name: 'Submitted: 2 requests' }),
    ).toHaveFocus();
    expect(
      within(banner).getByText(/Your submission was split by approval flow/),
    ).toBeInTheDocument();

    const requests = within(banner).getAllByTestId('submitted-request');
    expect(requests).toHaveLength(2);
    const staging = requests.find(r =>
      within(r).queryByText('Staging databases'),
    )!;
    expect(within(staging).getByText('Active')).toBeInTheDocument();
    const prod = requests.find(r =>
      within(r).queryByText('Production databases'),
    )!;
    expect(within(prod).getByText('Pending Approval')).toBeInTheDocument();
    expect(
      within(prod).getByText('Waiting for 1 approval from dana or erin.'),
    ).toBeInTheDocument();
    expect(
      within(prod).getByRole('link', { name: 'Production databases' }),
    ).toHaveAttribute(
      'href',
      expect.stringMatching(/^\/access\/requests\/[0-9a-f-]{36}$/),
    );
    // The banner says it all: no toast on top.
    expect(alertApi.post).not.toHaveBeenCalledWith(
      expect.objectContaining({ message: 'Submitted 2 requests' }),
    );

    expect(
      within(banner).getByRole('link', { name: 'Make another request' }),
    ).toHaveAttribute('href', '/access/new');
    await user.click(within(banner).getByRole('button', { name: 'Dismiss' }));
    await waitFor(() =>
      expect(
        screen.queryByRole('region', { name: /^Submitted/ }),
      ).not.toBeInTheDocument(),
    );
  });

  it('reuses the idempotency key when retrying the same submission, and only then', async () => {
    const fake = fakeAccessApi();
    const real = fake.submitRequest.getMockImplementation()!;
    fake.submitRequest
      .mockRejectedValueOnce(new Error('Failed to fetch'))
      .mockRejectedValueOnce(new Error('Failed to fetch'));
    const { user } = await renderPage(fake);
    await tick(user, 'read via Staging databases on staging-db');
    await previewAndWait(user);
    await user.click(screen.getByRole('button', { name: 'Submit request' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The request was not submitted: Failed to fetch',
    );
    await user.click(screen.getByRole('button', { name: 'Submit request' }));
    await waitFor(() => expect(fake.submitRequest).toHaveBeenCalledTimes(2));
    const [first, second] = fake.submitRequest.mock.calls;
    expect(second[1]?.idempotencyKey).toBe(first[1]?.idempotencyKey);

    // A different body is a different submission: a new key.
    fake.submitRequest.mockImplementation(real);
    await user.type(screen.getByLabelText(/Justification/), 'checking');
    await user.click(screen.getByRole('button', { name: 'Submit request' }));
    expect(await submittedBanner(1)).toBeInTheDocument();
    const third = fake.submitRequest.mock.calls[2];
    expect(third[1]?.idempotencyKey).not.toBe(first[1]?.idempotencyKey);
  });

  it('prefills from a deep link and says which entities it could not find', async () => {
    const { fake } = await renderPage(
      fakeAccessApi(),
      '/access/new?entity=resource:default/orders-db&permission=read&entity=resource:default/nope',
    );
    expect(
      await within(selected()).findByText('Selected (1)'),
    ).toBeInTheDocument();
    expect(
      within(selected()).getByRole('checkbox', {
        name: 'read via Production databases on Orders DB',
      }),
    ).toBeChecked();
    expect(
      within(selected()).getByRole('checkbox', {
        name: 'write via Production databases on Orders DB',
      }),
    ).not.toBeChecked();
    expect(
      screen.getByText(
        'No resource "resource:default/nope" that you can request: it is not in the catalog, or no access flow lets you request it.',
      ),
    ).toBeInTheDocument();
    expect(fake.getResources).toHaveBeenCalledWith(
      expect.objectContaining({ q: 'orders-db' }),
    );
    // The deep link's duration default is known right away.
    expect(screen.getByLabelText('Duration (hours)')).toHaveValue(2);
  });

  it('pairs several entity and permission params and refuses permissions not offered', async () => {
    await renderPage(
      fakeAccessApi(),
      '/access/new?entity=resource:default/orders-db&entity=resource:default/staging-db&permission=write&permission=drop',
    );
    expect(
      await within(selected()).findByText('Selected (2)'),
    ).toBeInTheDocument();
    expect(
      within(selected()).getByRole('checkbox', {
        name: 'write via Production databases on Orders DB',
      }),
    ).toBeChecked();
    expect(
      screen.getByText(
        'You cannot request "drop" on staging-db; it offers read, write.',
      ),
    ).toBeInTheDocument();
    expect(
      within(selected()).getByText('Choose at least one permission.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Choose a permission for staging-db.'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Preview' })).toBeDisabled();
  });

  it('shows API errors next to the form and the item they name', async () => {
    const fake = fakeAccessApi();
    fake.previewRequest.mockRejectedValueOnce(
      new Error(
        'resources[1]: no access flow lets user:default/alice request "read" on resource:default/orders-db',
      ),
    );
    const { user } = await renderPage(fake);
    await tick(user, 'read via Staging databases on staging-db');
    await tick(user, 'read via Production databases on Orders DB');
    await user.click(screen.getByRole('button', { name: 'Preview' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'The preview was refused: resources[1]: no access flow lets user:default/alice request "read" on resource:default/orders-db (item 2: Orders DB (resource:default/orders-db))',
    );
    // The message also sits under the item it names.
    expect(
      within(selected()).getByText(/^resources\[1\]: no access flow/),
    ).toBeInTheDocument();

    fake.previewRequest.mockRejectedValueOnce(
      new Error(
        'durationSeconds: 7200s is longer than flow "prod-db" allows (max 1h = 3600s)',
      ),
    );
    await user.click(screen.getByRole('button', { name: 'Preview' }));
    await waitFor(() =>
      expect(
        screen.getByLabelText('Duration (hours)'),
      ).toHaveAccessibleDescription(
        'durationSeconds: 7200s is longer than flow "prod-db" allows (max 1h = 3600s)',
      ),
    );
  });

  it('shows when resources cannot be loaded, and retries', async () => {
    const fake = fakeAccessApi(RESOURCES);
    fake.getResources.mockRejectedValueOnce(new Error('Catalog unavailable'));
    const { user } = await renderPage(fake);
    expect(
      await screen.findByText(
        'Error: Could not load resources: Catalog unavailable',
      ),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Orders DB')).toBeInTheDocument();
  });

  it('offers every type the catalog has under the flows the user may use, not just loaded ones', async () => {
    const flow = (
      id: string,
      requesters: string[],
      filter: AccessFlowSummary['filter'],
    ): AccessFlowSummary => ({ ...FLOWS[0], id, requesters, filter });
    const fake = fakeAccessApi();
    fake.getFlows.mockResolvedValue([
      flow('dbs', ['*'], [{ kind: 'Resource', 'spec.type': 'database' }]),
      flow(
        'queues',
        ['group:default/payments'],
        [
          { kind: 'Resource', 'spec.type': ['queue', 'topic'] },
          { kind: 'Component', 'spec.type': 'service' },
        ],
      ),
      // Not for alice: its types are not offered.
      flow('clusters', ['group:default/platform'], [{ kind: 'Cluster' }]),
    ]);
    const catalog = fakeCatalog({
      [JSON.stringify([{ kind: 'Resource', 'spec.type': 'database' }])]: [
        'database',
      ],
      [JSON.stringify([
        { kind: 'Resource', 'spec.type': ['queue', 'topic'] },
        { kind: 'Component', 'spec.type': 'service' },
      ])]: ['queue', 'topic', 'service'],
      [JSON.stringify([{ kind: 'Cluster' }])]: ['eks'],
    });
    const { user } = await renderPage(fake, '/access/new', {
      catalog,
      ownershipEntityRefs: ['user:default/alice', 'group:default/payments'],
    });
    await screen.findByText('Orders DB');
    await waitFor(() =>
      expect(typeOptions()).toEqual([
        'database',
        // Loaded from the first page (prod-eks).
        'kubernetes-cluster',
        'queue',
        'service',
        'topic',
      ]),
    );
    // One facet query per flow alice may use, with that flow's own filter.
    expect(catalog.getEntityFacets).toHaveBeenCalledTimes(2);
    expect(catalog.getEntityFacets).toHaveBeenCalledWith({
      filter: [{ kind: 'Resource', 'spec.type': 'database' }],
      facets: ['spec.type'],
    });

    // A type no loaded page had is picked and sent to the backend.
    await user.selectOptions(screen.getByLabelText('Type'), 'queue');
    await waitFor(() =>
      expect(fake.getResources).toHaveBeenLastCalledWith(
        expect.objectContaining({ type: 'queue' }),
      ),
    );
    expect(await screen.findByText('No resources match')).toBeInTheDocument();
    // Asked once for the page's life, not per search.
    expect(catalog.getEntityFacets).toHaveBeenCalledTimes(2);
  });

  it('falls back to the types of loaded pages when the catalog cannot be asked', async () => {
    const fake = fakeAccessApi();
    fake.getFlows.mockResolvedValue([
      { ...FLOWS[0], filter: [{ kind: 'Resource' }] },
    ]);
    const catalog = {
      getEntityFacets: jest.fn(async () => {
        throw new Error('catalog down');
      }),
    };
    await renderPage(fake, '/access/new', { catalog });
    await screen.findByText('Orders DB');
    await waitFor(() => expect(catalog.getEntityFacets).toHaveBeenCalled());
    expect(typeOptions()).toEqual(['database', 'kubernetes-cluster']);
  });

  it('says so when nothing is requestable at all', async () => {
    await renderPage(fakeAccessApi([]));
    expect(
      await screen.findByText('No resources you can request'),
    ).toBeInTheDocument();
  });

  it('loads the flows again on "Try again"', async () => {
    const fake = fakeAccessApi();
    fake.getFlows.mockRejectedValueOnce(new Error('Backend down'));
    const { user } = await renderPage(fake);
    await screen.findByText(
      'Warning: Could not load the access flows: Backend down',
    );
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() =>
      expect(
        screen.queryByText(/Could not load the access flows/),
      ).not.toBeInTheDocument(),
    );
    expect(fake.getFlows).toHaveBeenCalledTimes(2);
    // The flows' limits are known again without a preview.
    await tick(user, 'read via Production databases on Orders DB');
    expect(screen.getByLabelText('Duration (hours)')).toHaveValue(2);
  });

  it('warns when the flows cannot be loaded, and still works from the preview', async () => {
    const fake = fakeAccessApi();
    fake.getFlows.mockRejectedValue(new Error('Backend down'));
    const { user } = await renderPage(fake);
    expect(
      await screen.findByText(
        'Warning: Could not load the access flows: Backend down',
      ),
    ).toBeInTheDocument();
    await tick(user, 'read via Production databases on Orders DB');
    expect(
      screen.getByText("Each flow's default applies."),
    ).toBeInTheDocument();
    await previewAndWait(user);
    // Limits now come from the preview.
    expect(
      screen.getByText('Required by flow "Production databases".'),
    ).toBeInTheDocument();
  });
});

describe('NewRequestPage – Bundle', () => {
  it('submits a bundle with the ticked subset of its resources', async () => {
    const { fake, user } = await renderPage();
    await user.click(screen.getByRole('tab', { name: 'Bundle' }));
    await user.click(
      await screen.findByRole('radio', { name: /Incident kit/ }),
    );
    expect(
      screen.getByText('Incident kit: 3 of 3 selected'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('checkbox', { name: 'orders-db (read)' }),
    ).toBeChecked();

    await user.click(
      screen.getByRole('checkbox', { name: 'prod-eks (cluster-admin)' }),
    );
    expect(
      screen.getByText('Incident kit: 2 of 3 selected'),
    ).toBeInTheDocument();

    const panel = screen.getByRole('tabpanel', { name: 'Bundle' });
    await user.click(within(panel).getByRole('button', { name: 'Preview' }));
    const preview = await within(panel).findByRole('region', {
      name: 'Preview',
    });
    expect(
      within(preview).getByText('Preview: 2 requests for 2 resources'),
    ).toBeInTheDocument();
    expect(fake.previewRequest).toHaveBeenLastCalledWith({
      bundleId: 'incident-kit',
      resources: [
        { entityRef: 'resource:default/orders-db', permissions: ['read'] },
        { entityRef: 'resource:default/staging-db', permissions: ['read'] },
      ],
    });
    // The preview tells which flow needs a justification.
    expect(
      within(panel).getByText('Required by flow "Production databases".'),
    ).toBeInTheDocument();

    await user.type(within(panel).getByLabelText(/Justification/), 'on call');
    await user.clear(within(panel).getByLabelText('Duration (hours)'));
    await user.type(within(panel).getByLabelText('Duration (hours)'), '1');
    await user.click(within(panel).getByRole('button', { name: 'Preview' }));
    await waitFor(() =>
      expect(
        within(panel).getByRole('button', { name: 'Submit request' }),
      ).toBeEnabled(),
    );
    await user.click(
      within(panel).getByRole('button', { name: 'Submit request' }),
    );
    expect(await submittedBanner(2)).toBeInTheDocument();
    expect(fake.submitRequest).toHaveBeenCalledWith(
      {
        bundleId: 'incident-kit',
        resources: [
          { entityRef: 'resource:default/orders-db', permissions: ['read'] },
          { entityRef: 'resource:default/staging-db', permissions: ['read'] },
        ],
        durationSeconds: 3600,
        justification: 'on call',
      },
      { idempotencyKey: expect.any(String) },
    );
  });

  it('opens a deep-linked bundle', async () => {
    await renderPage(fakeAccessApi(), '/access/new?bundle=onboarding');
    expect(screen.getByRole('tab', { name: 'Bundle' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    expect(
      await screen.findByRole('radio', { name: /Onboarding/ }),
    ).toBeChecked();
    expect(screen.getByText('Onboarding: 1 of 1 selected')).toBeInTheDocument();
  });

  it('shows empty and error states for bundles', async () => {
    const empty = fakeAccessApi();
    empty.getBundles.mockResolvedValue([]);
    const first = await renderPage(empty);
    await first.user.click(screen.getByRole('tab', { name: 'Bundle' }));
    expect(await screen.findByText('No bundles')).toBeInTheDocument();
  });

  it('shows why bundles could not be loaded, and tries again', async () => {
    const failing = fakeAccessApi();
    failing.getBundles.mockRejectedValueOnce(new Error('Forbidden by policy'));
    const { user } = await renderPage(failing);
    await user.click(screen.getByRole('tab', { name: 'Bundle' }));
    expect(
      await screen.findByText(
        'Error: Could not load bundles: Forbidden by policy',
      ),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByRole('radio', { name: /Incident kit/ }),
    ).toBeInTheDocument();
    expect(failing.getBundles).toHaveBeenCalledTimes(2);
  });
});
