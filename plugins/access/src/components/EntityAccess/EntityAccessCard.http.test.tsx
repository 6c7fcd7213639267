import '@testing-library/jest-dom';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
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
import { ALICE, testAccessClient } from '../../__testUtils__/testAccessClient';
import { setupAccessBackendServer } from '../../__testUtils__/accessBackendServer';
import { previewItem } from '../../__testUtils__/previewItems';
import { makeGrant, makeRequest } from '../../__testUtils__/sampleRequests';
import { EntityAccessCard } from './EntityAccessCard';
import { clearCoverageCache, knownCoverage } from '../../coverage';
import {
  COVERAGE,
  ORDERS_DB,
  ordersDb,
  ordersDbAccess,
  website,
  WEBSITE,
} from '../../__testUtils__/entityAccessData';

// The entity page card with the real AccessClient, over HTTP, against a fake backend
// (msw) that answers from fixtures.

jest.setTimeout(30_000);

const { serveBackend } = setupAccessBackendServer();

// Who approves reading orders-db through prod-db.
const BOB_OR_CAROL = ['user:default/bob', 'user:default/carol'];

/** Renders the card for `entity`; `setUp` scripts the backend first. */
async function renderCard(
  entity: Entity,
  setUp: (backend: AccessBackend) => void = () => {},
) {
  const backend = new AccessBackend(COVERAGE);
  setUp(backend);
  serveBackend(backend);
  const rendered = await renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, testAccessClient(ALICE)],
        [permissionApiRef, mockApis.permission()],
      ]}
    >
      <EntityProvider entity={entity}>
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
  return { backend, ...rendered };
}

describe('EntityAccessCard over HTTP', () => {
  beforeEach(() => clearCoverageCache());

  it("shows a covered entity's access and offers Request access", async () => {
    const grant = makeGrant(45, {
      allowedActions: ['revoke', 'extend', 'favorite'],
    });
    const { backend } = await renderCard(ordersDb, b => {
      b.fixtures.entityAccess[ORDERS_DB] = ordersDbAccess({ mine: [grant] });
    });

    expect(
      await screen.findByRole('button', { name: 'Request access' }),
    ).toBeInTheDocument();
    expect(screen.getByText('Your access')).toBeInTheDocument();
    expect(screen.getByText('Active')).toBeInTheDocument();
    expect(screen.getByTestId('expiry-countdown')).toHaveTextContent(
      /^(44|45)m \d\ds$/,
    );
    expect(backend.callsTo('GET', '/entity-access')).toEqual([
      expect.objectContaining({
        query: { entityRef: ORDERS_DB },
        caller: ALICE,
      }),
    ]);
    expect(knownCoverage(ORDERS_DB)).toBe(true);
  });

  it('renders nothing for an entity the backend says no flow covers', async () => {
    const { backend, container } = await renderCard(website);
    await waitFor(() => expect(knownCoverage(WEBSITE)).toBe(false));
    expect(backend.callsTo('GET', '/entity-access')[0].query).toEqual({
      entityRef: WEBSITE,
    });
    expect(container.textContent).toBe('');
    expect(
      screen.queryByRole('button', { name: 'Request access' }),
    ).not.toBeInTheDocument();
  });

  it("shows the backend's 404 for an entity it cannot find", async () => {
    const ghost = {
      ...website,
      metadata: { name: 'ghost', namespace: 'default' },
    };
    await renderCard(ghost, backend =>
      backend.failNext(
        'GET',
        '/entity-access',
        404,
        'No entity component:default/ghost in the catalog',
      ),
    );
    expect(
      await screen.findByText(
        'Error: Could not load access: No entity component:default/ghost in the catalog',
      ),
    ).toBeInTheDocument();
  });

  it('requests access from the card: preview and submit over HTTP, then the card shows the pending request', async () => {
    const user = userEvent.setup({ delay: null });
    const sent = makeRequest({
      justification: 'INC-42 slow queries',
      approvers: BOB_OR_CAROL,
      awaiting: 'request',
      allowedActions: ['cancel', 'favorite'],
    });
    const { backend } = await renderCard(ordersDb, b => {
      b.on('post', '/requests/preview', () => ({
        items: [
          previewItem({ approvers: BOB_OR_CAROL, durationSeconds: 3600 }),
        ],
      }));
      // The submission creates `sent`, which the card's next read lists as alice's.
      b.on('post', '/requests', () => {
        b.fixtures.entityAccess[ORDERS_DB] = ordersDbAccess({ mine: [sent] });
        return { items: [sent] };
      });
    });
    expect(
      await screen.findByText('You have no access to orders-db.'),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Request access' }));
    const dialog = within(
      await screen.findByRole('dialog', {
        name: 'Request access to orders-db',
      }),
    );
    // The only permission offered is preselected; the preview asks the backend.
    expect(dialog.getByRole('checkbox', { name: /read/ })).toBeChecked();
    expect(
      await dialog.findByText(/Needs 1 approval from bob, carol/),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(backend.callsTo('POST', '/requests/preview').pop()?.body).toEqual({
        resources: [{ entityRef: ORDERS_DB, permissions: ['read'] }],
        durationSeconds: 3600,
      }),
    );

    await user.type(
      dialog.getByRole('textbox', { name: /Justification/ }),
      'INC-42 slow queries',
    );
    await user.click(dialog.getByRole('button', { name: 'Submit request' }));
    expect(await dialog.findByText('Request sent')).toBeInTheDocument();
    const [submit] = backend.callsTo('POST', '/requests');
    expect(submit.body).toEqual({
      resources: [{ entityRef: ORDERS_DB, permissions: ['read'] }],
      durationSeconds: 3600,
      justification: 'INC-42 slow queries',
    });
    expect(submit.idempotencyKey).toBeDefined();

    await user.click(dialog.getByRole('button', { name: 'Done' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    // The card asked the backend again and shows the new request.
    expect(await screen.findByText('Pending Approval')).toBeInTheDocument();
    expect(
      screen.getByText('Waiting for approval from bob, carol'),
    ).toBeInTheDocument();
  });
});
