import '@testing-library/jest-dom';
import { alertApiRef, identityApiRef } from '@backstage/core-plugin-api';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  AccessPreviewItem,
  RequestableResource,
} from '@jit-access/plugin-access-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import { accessApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { AccessBackend, page } from '../../__testUtils__/accessServer';
import { ALICE, testAccessClient } from '../../__testUtils__/testAccessClient';
import { setupAccessBackendServer } from '../../__testUtils__/accessBackendServer';
import { previewItem } from '../../__testUtils__/previewItems';
import { inMinutes, makeRequest } from '../../__testUtils__/sampleRequests';
import { MyAccessPage } from '../MyAccessPage';
import { NewRequestPage } from './NewRequestPage';
import {
  BUNDLES,
  FLOWS,
  manyResources,
  RESOURCES,
} from '../../__testUtils__/newRequestData';

// New Request with the real AccessClient, over HTTP, against a fake backend (msw) that
// serves the catalog fixtures; each test scripts what a preview or a submission answers.

jest.setTimeout(30_000);

const { serveBackend } = setupAccessBackendServer();

/** Reading orders-db (or `entityRef`) through prod-db, as the backend previews it. */
const prodDbItem = (over: Partial<AccessPreviewItem> = {}) =>
  previewItem({ checks: ['on-call'], ...over });

/** Renders New Request; `setUp` scripts the backend first. */
async function renderPage(
  resources: RequestableResource[] = RESOURCES,
  route = '/access/new',
  setUp: (backend: AccessBackend) => void = () => {},
) {
  const backend = new AccessBackend({ flows: FLOWS, bundles: BUNDLES });
  // The catalog search as far as these tests need it: `q` in the name, and
  // `permission` offered.
  backend.on('get', '/resources', ({ query }) => {
    const q = query.get('q') ?? '';
    const permission = query.get('permission');
    return page(
      resources.filter(
        r =>
          r.name.includes(q) &&
          (!permission || r.permissions.some(p => p.permission === permission)),
      ),
      query,
    );
  });
  setUp(backend);
  serveBackend(backend);
  const alertApi = { post: jest.fn(), alert$: jest.fn() };
  const user = userEvent.setup({ delay: null });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, testAccessClient(ALICE)],
        [alertApiRef, alertApi],
        [identityApiRef, mockApis.identity({ userEntityRef: ALICE })],
      ]}
    >
      {/* As the app mounts them: a submission lands on My Access. */}
      <Routes>
        <Route path="/access" element={<MyAccessPage />} />
        <Route path="/access/new" element={<NewRequestPage />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: [route],
      mountedRoutes: { '/access': rootRouteRef },
    },
  );
  return { backend, user, alertApi };
}

/** The banner My Access shows after a submission. */
const submittedBanner = (count: number, timeout = 5000) =>
  screen.findByRole(
    'region',
    { name: `Submitted: ${count} request${count === 1 ? '' : 's'}` },
    { timeout },
  );

const results = () => screen.getByRole('table', { name: 'Resources' });
const selected = () => screen.getByRole('region', { name: /Selected/ });

async function tick(user: ReturnType<typeof userEvent.setup>, name: string) {
  const box = await within(
    await screen.findByRole('table', { name: 'Resources' }),
  ).findByRole('checkbox', { name }, { timeout: 5000 });
  await user.click(box);
}

async function preview(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole('button', { name: 'Preview' }));
}

describe('NewRequestPage over HTTP', () => {
  it('resolves at most 50 entities of a deep link naming 1,000, and says how many it left out', async () => {
    const resources = manyResources(1000, 'db');
    const link = resources
      .map(r => `entity=${encodeURIComponent(r.entityRef)}`)
      .join('&');
    const { backend } = await renderPage(
      resources,
      `/access/new?${link}&permission=read`,
    );
    expect(
      await within(selected()).findByText('Selected (50)', undefined, {
        timeout: 20_000,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'This link names 1,000 resources: only the first 50 were looked up; the other 950 were left out.',
      ),
    ).toBeInTheDocument();
    // one search per linked entity, plus the page's own first search
    expect(backend.callsTo('GET', '/resources').length).toBeLessThanOrEqual(51);
  });

  it('searches with GET /resources?q= and shows what the backend found', async () => {
    const { backend, user } = await renderPage();
    expect(await within(results()).findByText('Orders DB')).toBeInTheDocument();
    expect(within(results()).getByText('staging-db')).toBeInTheDocument();
    expect(backend.callsTo('GET', '/resources')[0].query).toEqual({
      limit: '50',
    });

    await user.type(screen.getByLabelText('Search by name'), 'orders');
    await waitFor(() =>
      expect(
        within(results()).queryByText('staging-db'),
      ).not.toBeInTheDocument(),
    );
    expect(within(results()).getByText('Orders DB')).toBeInTheDocument();
    const queries = backend.callsTo('GET', '/resources').map(c => c.query);
    expect(queries).toContainEqual({ q: 'orders', limit: '50' });
    // Debounced: not one call per key.
    expect(queries.map(q => q.q)).not.toContain('o');
  });

  it('previews with POST /requests/preview and shows the flow and its approvers', async () => {
    const { backend, user } = await renderPage(RESOURCES, undefined, b =>
      b.on('post', '/requests/preview', () => ({
        items: [
          prodDbItem(),
          previewItem({
            entityRef: 'resource:default/staging-db',
            flowId: 'staging-db',
            flowTitle: 'Staging databases',
            approvalType: 'automatic',
            approvers: [],
            requiredApprovals: 0,
            maxDurationSeconds: 4 * 3600,
            justificationRequired: false,
            autoApproved: true,
          }),
        ],
      })),
    );
    await tick(user, 'read via Production databases on Orders DB');
    await tick(user, 'read via Staging databases on staging-db');
    await preview(user);

    const panel = await screen.findByRole('region', { name: 'Preview' });
    expect(
      within(panel).getByText('Preview: 2 requests for 2 resources'),
    ).toBeInTheDocument();
    const groups = within(panel).getAllByTestId('preview-group');
    const prod = groups.find(g =>
      within(g).queryByText('Production databases'),
    )!;
    // Approvers as the backend resolved them: the owner group and the DBAs.
    expect(
      within(prod).getByText(
        'May be auto-approved if check "on-call" passes; otherwise needs 1 approval from dana or erin',
      ),
    ).toBeInTheDocument();
    expect(within(prod).getByText('2h (at most 8h)')).toBeInTheDocument();
    const staging = groups.find(g =>
      within(g).queryByText('Staging databases'),
    )!;
    expect(within(staging).getByText('Granted at once')).toBeInTheDocument();

    expect(backend.callsTo('POST', '/requests/preview')).toEqual([
      expect.objectContaining({
        body: {
          resources: [
            { entityRef: 'resource:default/orders-db', permissions: ['read'] },
            {
              entityRef: 'resource:default/staging-db',
              permissions: ['read'],
            },
          ],
        },
        caller: ALICE,
      }),
    ]);
    // A preview submits nothing.
    expect(backend.callsTo('POST', '/requests')).toEqual([]);
  });

  it('submits with POST /requests, the body and an Idempotency-Key, then My Access lists the new request', async () => {
    const created = makeRequest({
      justification: 'INC-1234: slow queries',
      durationSeconds: 5400,
      approvers: ['user:default/dana', 'user:default/erin'],
      createdAt: inMinutes(0),
      awaiting: 'request',
      allowedActions: ['cancel', 'favorite'],
    });
    const { backend, user } = await renderPage(RESOURCES, undefined, b => {
      b.on('post', '/requests/preview', () => ({
        items: [prodDbItem({ durationSeconds: 5400 })],
      }));
      // The backend creates `created`, which alice's listings show from then on.
      b.on('post', '/requests', () => {
        b.fixtures.lists.mine = [created];
        return { items: [created] };
      });
    });
    await tick(user, 'read via Production databases on Orders DB');
    const duration = screen.getByLabelText('Duration (hours)');
    await user.clear(duration);
    await user.type(duration, '1.5');
    await user.type(
      screen.getByLabelText(/Justification/),
      '  INC-1234: slow queries ',
    );
    await preview(user);
    await screen.findByRole('region', { name: 'Preview' });
    await user.click(screen.getByRole('button', { name: 'Submit request' }));

    // It lands on My Access, which lists the new request as the backend now has it.
    const banner = await submittedBanner(1);
    expect(
      within(banner).getByText('Waiting for 1 approval from dana or erin.'),
    ).toBeInTheDocument();
    const open = within(
      await screen.findByRole('table', { name: 'Open requests' }),
    );
    expect(
      await open.findByRole('link', { name: 'orders-db (read)' }),
    ).toBeInTheDocument();
    expect(open.getByText('Pending Approval')).toBeInTheDocument();
    const [submit] = backend.callsTo('POST', '/requests');
    expect(submit.body).toEqual({
      resources: [
        { entityRef: 'resource:default/orders-db', permissions: ['read'] },
      ],
      durationSeconds: 5400,
      justification: 'INC-1234: slow queries',
    });
    expect(submit.idempotencyKey).toMatch(/\S{8,}/);
  });

  it('shows a 400 that names the duration under the duration field', async () => {
    const { backend, user } = await renderPage();
    await tick(user, 'read via Production databases on Orders DB');
    const duration = screen.getByLabelText('Duration (hours)');
    await user.clear(duration);
    await user.type(duration, '2');
    // The flows changed on the server after the page loaded them: prod-db now allows 1h.
    const message =
      'durationSeconds: 7200s is longer than flow "prod-db" allows (max 3600s)';
    backend.failNext('POST', '/requests/preview', 400, message);
    await preview(user);

    expect(await screen.findByRole('alert')).toHaveTextContent(
      `The preview was refused: ${message}`,
    );
    expect(duration).toHaveAccessibleDescription(message);
    expect(duration).toHaveAttribute('aria-invalid', 'true');
    // The refusal answered the preview of 2 hours, in seconds.
    const [refused] = backend.callsTo('POST', '/requests/preview').slice(-1);
    expect(refused.body).toMatchObject({ durationSeconds: 7200 });
  });

  it('shows a 400 that names an item next to that item', async () => {
    const { backend, user } = await renderPage();
    await tick(user, 'read via Staging databases on staging-db');
    await tick(user, 'read via Production databases on Orders DB');
    // orders-db left the catalog after it was picked.
    backend.failNext(
      'POST',
      '/requests/preview',
      400,
      'resources[1].entityRef: no entity "resource:default/orders-db" in the catalog',
    );
    await preview(user);

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The preview was refused: resources[1].entityRef: no entity "resource:default/orders-db" in the catalog (item 2: Orders DB (resource:default/orders-db))',
    );
    expect(
      within(selected()).getByText(/^resources\[1\]\.entityRef: no entity/),
    ).toBeInTheDocument();
    // The refusal answered a preview whose second item is orders-db.
    const [refused] = backend.callsTo('POST', '/requests/preview').slice(-1);
    expect(
      (refused.body as { resources: { entityRef: string }[] }).resources[1]
        .entityRef,
    ).toBe('resource:default/orders-db');
  });

  it('adds 1,000 matches from pages of 200, says the rest were left out, and submits all 1,000', async () => {
    const { backend, user } = await renderPage(
      manyResources(1001, 'db'),
      undefined,
      b => {
        // One prod-db item per resource, and one request for all of them.
        b.on('post', '/requests/preview', ({ body }) => ({
          items: body.resources!.map(r =>
            prodDbItem({ entityRef: r.entityRef }),
          ),
        }));
        b.on('post', '/requests', ({ body }) => ({
          items: [
            makeRequest({
              resources: body.resources,
              approvers: ['user:default/dana', 'user:default/erin'],
              awaiting: 'request',
              allowedActions: ['cancel', 'favorite'],
            }),
          ],
        }));
      },
    );
    await within(
      await screen.findByRole('table', { name: 'Resources' }),
    ).findByText('db-0000');
    await user.selectOptions(screen.getByLabelText('Permission'), 'read');
    await user.click(
      await screen.findByRole('button', {
        name: 'Add all matches with "read" (up to 1,000)',
      }),
    );
    expect(
      await within(selected()).findByText('Selected (1000)', undefined, {
        timeout: 15_000,
      }),
    ).toBeInTheDocument();
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Stopped at 1,000 resources, the most one request can hold; the other matches were not added.',
    );
    // Paged from the server 200 at a time, never everything at once.
    const pages = backend
      .callsTo('GET', '/resources')
      .filter(c => c.query.limit === '200');
    expect(pages.length).toBeGreaterThanOrEqual(5);
    expect(pages.every(c => c.query.permission === 'read')).toBe(true);

    await user.type(screen.getByLabelText(/Justification/), 'load test');
    await preview(user);
    await screen.findByRole('region', { name: 'Preview' }, { timeout: 15_000 });
    await user.click(screen.getByRole('button', { name: 'Submit request' }));
    expect(await submittedBanner(1, 15_000)).toBeInTheDocument();
    const [submit] = backend.callsTo('POST', '/requests');
    const body = submit.body as { resources: unknown[] };
    expect(body.resources).toHaveLength(1000);
  }, 120_000);
});
