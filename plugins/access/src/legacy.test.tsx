import '@testing-library/jest-dom';
import { Entity } from '@backstage/catalog-model';
import {
  AlertApiForwarder,
  AppRouter,
  createFetchApi,
  createSpecializedApp,
  ErrorAlerter,
  ErrorApiForwarder,
  FetchMiddlewares,
  FlatRoutes,
  NoOpAnalyticsApi,
  UrlPatternDiscovery,
  WebStorage,
} from '@backstage/core-app-api';
import {
  alertApiRef,
  analyticsApiRef,
  attachComponentData,
  configApiRef,
  createApiFactory,
  discoveryApiRef,
  errorApiRef,
  fetchApiRef,
  identityApiRef,
  SignInPageProps,
  storageApiRef,
} from '@backstage/core-plugin-api';
import { EntitySwitch } from '@backstage/plugin-catalog';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { mockApis, renderWithEffects } from '@backstage/test-utils';
import { themes, UnifiedThemeProvider } from '@backstage/theme';
import MockIcon from '@material-ui/icons/AcUnit';
import { screen, waitFor, within } from '@testing-library/react';
import { PropsWithChildren, ReactNode, useEffect } from 'react';
import { MemoryRouter, Route, useParams } from 'react-router-dom';
import { accessApiRef } from './api';
import { clearCoverageCache } from './coverage';
import {
  COVERAGE,
  ORDERS_DB,
  ordersDb,
  ordersDbAccess,
  website,
  WEBSITE,
} from './__testUtils__/entityAccessData';
import {
  AccessPage,
  EntityAccessCard,
  EntityAccessContent,
  accessPlugin,
  isAccessCovered,
} from './index';
import { rootRouteRef } from './routes';
import { AccessBackend } from './__testUtils__/accessServer';
import { ALICE, BACKEND_BASE_URL } from './__testUtils__/testAccessClient';
import { setupAccessBackendServer } from './__testUtils__/accessBackendServer';
import { makeClosed, makeGrant } from './__testUtils__/sampleRequests';

// The legacy exports in a legacy app: `createSpecializedApp` from @backstage/core-app-api
// (what @backstage/app-defaults' `createApp` wraps; app-defaults itself is not installed
// here), with the app's own discovery and fetch APIs as app-defaults registers them, a
// signed-in user, the plugin's own API factory (collected from the route tree), and the
// access backend answering over HTTP (msw).

jest.setTimeout(30_000);

const { serveBackend } = setupAccessBackendServer();

const ENTITIES: Record<string, Entity> = {
  [ORDERS_DB]: ordersDb,
  [WEBSITE]: website,
};

const grant = makeGrant(60, {
  justification: 'legacy route works',
  allowedActions: ['revoke', 'extend', 'favorite'],
});
const closed = makeClosed('expired', {
  justification: 'history row',
  allowedActions: ['again', 'favorite'],
});

let backend: AccessBackend;

beforeEach(() => {
  clearCoverageCache();
  // alice holds `grant` on orders-db and may see who holds access there.
  backend = new AccessBackend({
    ...COVERAGE,
    lists: { mine: [grant, closed] },
    entityAccess: {
      ...COVERAGE.entityAccess,
      [ORDERS_DB]: ordersDbAccess({
        mine: [grant],
        canSeeHolders: true,
        holders: [grant],
      }),
    },
    history: { [ORDERS_DB]: [grant, closed] },
  });
  serveBackend(backend);
});

/** Signs alice in at once; her Backstage token is what the fake backend reads. */
function SignInPage({ onSignInSuccess }: SignInPageProps) {
  useEffect(() => {
    onSignInSuccess({
      getProfileInfo: async () => ({ displayName: 'Alice' }),
      getBackstageIdentity: async () => ({
        type: 'user',
        userEntityRef: ALICE,
        ownershipEntityRefs: [ALICE],
      }),
      getCredentials: async () => ({ token: ALICE }),
      signOut: async () => {},
    });
  }, [onSignInSuccess]);
  return null;
}

/** The catalog's entity page, reduced to what an app puts there for access. */
function EntityPage() {
  const { kind, namespace, name } = useParams();
  const entity = ENTITIES[`${kind}:${namespace}/${name}`.toLowerCase()];
  return (
    <EntityProvider entity={entity}>
      <h1>{entity.metadata.name}</h1>
      <EntitySwitch>
        <EntitySwitch.Case if={isAccessCovered}>
          <EntityAccessCard />
          <EntityAccessContent />
        </EntitySwitch.Case>
      </EntitySwitch>
    </EntityProvider>
  );
}
attachComponentData(EntityPage, 'core.mountPoint', entityRouteRef);

function Fail(props: { error?: Error; step?: string }): ReactNode {
  throw new Error(`App failed: ${props.step ?? ''} ${props.error ?? ''}`);
}

const icons = Object.fromEntries(
  [
    'kind:api',
    'kind:component',
    'kind:domain',
    'kind:group',
    'kind:location',
    'kind:system',
    'kind:user',
    'kind:resource',
    'kind:template',
    'brokenImage',
    'catalog',
    'chat',
    'dashboard',
    'docs',
    'email',
    'github',
    'group',
    'help',
    'scaffolder',
    'search',
    'techdocs',
    'user',
    'warning',
    'star',
    'unstarred',
  ].map(k => [k, MockIcon]),
) as Parameters<typeof createSpecializedApp>[0]['icons'];

/** Renders a legacy app (routes as an app's App.tsx has them) at `path`. */
async function renderLegacyApp(path: string) {
  const app = createSpecializedApp({
    apis: [
      // As @backstage/app-defaults registers them.
      createApiFactory({
        api: discoveryApiRef,
        deps: { configApi: configApiRef },
        factory: ({ configApi }) =>
          UrlPatternDiscovery.compile(
            `${configApi.getString('backend.baseUrl')}/api/{{ pluginId }}`,
          ),
      }),
      createApiFactory({
        api: fetchApiRef,
        deps: {
          configApi: configApiRef,
          identityApi: identityApiRef,
          discoveryApi: discoveryApiRef,
        },
        factory: ({ configApi, identityApi, discoveryApi }) =>
          createFetchApi({
            middleware: [
              FetchMiddlewares.resolvePluginProtocol({ discoveryApi }),
              FetchMiddlewares.injectIdentityAuth({
                identityApi,
                config: configApi,
              }),
            ],
          }),
      }),
      createApiFactory(alertApiRef, new AlertApiForwarder()),
      createApiFactory(analyticsApiRef, new NoOpAnalyticsApi()),
      createApiFactory({
        api: errorApiRef,
        deps: { alertApi: alertApiRef },
        factory: ({ alertApi }) =>
          new ErrorAlerter(alertApi, new ErrorApiForwarder()),
      }),
      createApiFactory({
        api: storageApiRef,
        deps: { errorApi: errorApiRef },
        factory: ({ errorApi }) => WebStorage.create({ errorApi }),
      }),
      createApiFactory(permissionApiRef, mockApis.permission()),
    ],
    configLoader: async () => [
      {
        context: 'test',
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          backend: { baseUrl: BACKEND_BASE_URL },
        },
      },
    ],
    components: {
      Progress: () => <div data-testid="app-progress" />,
      NotFoundErrorPage: () => <div>Not found</div>,
      BootErrorPage: Fail as (p: { step: string; error: Error }) => null,
      ErrorBoundaryFallback: Fail as (p: { error: Error }) => null,
      Router: ({ children }: PropsWithChildren<{}>) => (
        <MemoryRouter initialEntries={[path]}>{children}</MemoryRouter>
      ),
      SignInPage,
    },
    icons,
    themes: [
      {
        id: 'light',
        title: 'Light',
        variant: 'light',
        Provider: ({ children }) => (
          <UnifiedThemeProvider theme={themes.light}>
            {children}
          </UnifiedThemeProvider>
        ),
      },
    ],
  });
  const Root = app.createRoot(
    <AppRouter>
      <FlatRoutes>
        <Route path="/access" element={<AccessPage />} />
        <Route
          path="/catalog/:namespace/:kind/:name"
          element={<EntityPage />}
        />
      </FlatRoutes>
    </AppRouter>,
  );
  await renderWithEffects(<Root />);
  return app;
}

describe('legacy frontend system exports', () => {
  it('declares the plugin with its API and root route', () => {
    expect(accessPlugin.getId()).toBe('access');
    expect(accessPlugin.routes.root).toBe(rootRouteRef);
    expect(Array.from(accessPlugin.getApis(), f => f.api.id)).toContain(
      accessApiRef.id,
    );
  });

  it("renders AccessPage in a legacy app, with the plugin's API factory talking to the backend", async () => {
    const app = await renderLegacyApp('/access');
    expect(
      await screen.findByText('Just-in-time access to infrastructure'),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('tab', { name: 'My Access' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('tab', { name: 'New Request' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Approvals' })).toBeInTheDocument();
    // The real My Access page, with what the backend says alice holds.
    const active = within(
      await screen.findByRole('list', { name: 'Active access' }),
    );
    expect(
      active.getByRole('link', { name: 'orders-db (read)' }),
    ).toHaveAttribute('href', `/access/requests/${grant.id}`);
    expect(active.getByTestId('expiry-countdown')).toHaveTextContent(
      /^(59m \d\ds|1h 00m)$/,
    );

    // The plugin was collected from the routes, and its API built by its own factory
    // from the app's discovery (backend.baseUrl, so the calls reached
    // http://localhost:7007/api/access) and fetch (the user's token) APIs.
    expect(app.getPlugins()).toContain(accessPlugin);
    const listings = backend.callsTo('GET', '/requests');
    expect(listings.length).toBeGreaterThan(0);
    expect(listings.every(c => c.caller === ALICE)).toBe(true);
  });

  it("routes /access/requests/:id to the request's page", async () => {
    await renderLegacyApp(`/access/requests/${grant.id}`);
    expect(
      (await screen.findAllByText('legacy route works')).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
    expect(backend.callsTo('GET', '/requests/:id')).toContainEqual(
      expect.objectContaining({ path: `/requests/${grant.id}` }),
    );
  });

  it('shows the entity card and tab where isAccessCovered says a flow covers the entity', async () => {
    await renderLegacyApp('/catalog/default/resource/orders-db');
    expect(
      await screen.findByRole('heading', { name: 'orders-db' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('Your access')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Request access' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('list', { name: 'Who holds access now' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('history row')).toBeInTheDocument();
    expect(backend.callsTo('GET', '/entity-access')).toContainEqual(
      expect.objectContaining({ query: { entityRef: ORDERS_DB } }),
    );
  });

  it('leaves the card and tab out where isAccessCovered says no flow covers the entity', async () => {
    await renderLegacyApp('/catalog/default/component/website');
    expect(
      await screen.findByRole('heading', { name: 'website' }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(backend.callsTo('GET', '/entity-access')).toContainEqual(
        expect.objectContaining({
          query: { entityRef: WEBSITE },
        }),
      ),
    );
    // Give the switch time to settle: nothing of the access plugin appears.
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(screen.queryByText('Your access')).not.toBeInTheDocument();
    expect(screen.queryByText('Access history')).not.toBeInTheDocument();
    expect(backend.callsTo('GET', '/entity-access/history')).toHaveLength(0);
  });
});
