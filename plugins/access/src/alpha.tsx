import {
  ApiBlueprint,
  AppRootElementBlueprint,
  PageBlueprint,
  SubPageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import LockOpenIcon from '@material-ui/icons/LockOpen';
import { ComponentType } from 'react';
import { accessAdminPermission } from '@jit-access/plugin-access-common';
import { accessApiRef, AccessClient } from './api';
import { AccessFlowsWarmup, isAccessAvailable } from './coverage';
import {
  adminRouteRef,
  approvalsRouteRef,
  newRequestRouteRef,
  requestRouteRef,
  rootRouteRef,
} from './routes';

/**
 * A page loader: the page and the app's `Content` frame load lazily, in parallel, so
 * neither is in the app's first bundle.
 */
function inContent(loadPage: () => Promise<ComponentType>) {
  return async () => {
    const [{ Content }, Page] = await Promise.all([
      import('@backstage/core-components'),
      loadPage(),
    ]);
    return (
      <Content>
        <Page />
      </Content>
    );
  };
}

// Converting mutates the legacy refs in place, so the components' `useRouteRef(...)`
// calls (written against @backstage/core-plugin-api) resolve in both frontend systems.
const root = convertLegacyRouteRef(rootRouteRef);
const newRequest = convertLegacyRouteRef(newRequestRouteRef);
const approvals = convertLegacyRouteRef(approvalsRouteRef);
const admin = convertLegacyRouteRef(adminRouteRef);
const request = convertLegacyRouteRef(requestRouteRef);

const icon = <LockOpenIcon fontSize="inherit" />;

/** The access API for the new frontend system. @alpha */
export const accessApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: accessApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AccessClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The access page (`page:access`, at `/access`); its tabs are the sub-pages below.
 * @alpha
 */
export const accessPage = PageBlueprint.make({
  params: {
    path: '/access',
    title: 'Access',
    icon,
    routeRef: root,
  },
});

/**
 * My Access (`/access/mine`; `/access` redirects to the first sub-page). Not the empty
 * path: the page uses the path as the tab's id, and the header's tabs treat an empty id
 * as "no tab selected".
 * @alpha
 */
export const myAccessSubPage = SubPageBlueprint.make({
  name: 'my-access',
  params: {
    path: 'mine',
    title: 'My Access',
    loader: inContent(() =>
      import('./components/MyAccessPage').then(m => m.MyAccessPage),
    ),
  },
});

/** New Request (`/access/new`). @alpha */
export const newRequestSubPage = SubPageBlueprint.make({
  name: 'new',
  params: {
    path: 'new',
    title: 'New Request',
    loader: inContent(() =>
      import('./components/NewRequestPage').then(m => m.NewRequestPage),
    ),
  },
});

/** Approvals (`/access/approvals`). @alpha */
export const approvalsSubPage = SubPageBlueprint.make({
  name: 'approvals',
  params: {
    path: 'approvals',
    title: 'Approvals',
    loader: inContent(() =>
      import('./components/ApprovalsPage').then(m => m.ApprovalsPage),
    ),
  },
});

/**
 * Admin (`/access/admin`), only for people with `access.admin`. Sub-page tabs are built
 * once from the extensions the app instantiated, so the way to hide one is the
 * extension's `if` predicate: once the user has signed in, the app asks the permission API
 * for every permission such predicates name (`name#action`), and leaves the sub-page (tab
 * and route) out when it is denied. AdminPage still guards itself with the same
 * permission, for apps that override the predicate away.
 *
 * Tests rendering the plugin with `renderTestApp` (which cannot wait for that permission
 * check) can drop the predicate:
 * `accessPlugin.withOverrides({ extensions: [adminSubPage.override({ if: undefined })] })`.
 * @alpha
 */
export const adminSubPage = SubPageBlueprint.make({
  name: 'admin',
  if: {
    permissions: {
      $contains: `${accessAdminPermission.name}#${accessAdminPermission.attributes.action}`,
    },
  },
  params: {
    path: 'admin',
    title: 'Admin',
    loader: inContent(() =>
      import('./components/AdminPage').then(m => m.AdminPage),
    ),
  },
});

/**
 * One request (`/access/requests/:id`, where notifications link to). A page of its own
 * rather than a sub-page, so it is not a tab; it has no route ref, so no nav item.
 * @alpha
 */
export const requestDetailsPage = PageBlueprint.make({
  name: 'request',
  params: {
    path: '/access/requests/:id',
    title: 'Access',
    icon,
    loader: inContent(() =>
      import('./components/RequestDetails').then(m => m.RequestDetailsPage),
    ),
  },
});

/**
 * Fetches the access flows when the app starts, so the entity card's and tab's synchronous
 * filter (`isAccessAvailable`) can tell covered entities of any kind from the first
 * entity page on. Renders nothing; retries quietly until the fetch works (e.g. after
 * sign-in).
 * @alpha
 */
export const accessFlowsWarmup = AppRootElementBlueprint.make({
  name: 'flows-warmup',
  params: { element: <AccessFlowsWarmup /> },
});

/**
 * The entity page card. The filter is synchronous (that is what the blueprint takes):
 * what the backend said about this entity in the last minutes, else whether a flow's filter
 * matches it (flows fetched at app start), else "is it a Resource". The card renders
 * nothing when the backend says no flow covers the entity.
 * @alpha
 */
export const entityAccessCard = EntityCardBlueprint.make({
  params: {
    // The main column: on Resource pages it is otherwise empty, and this card holds the
    // page's main action.
    type: 'content',
    filter: isAccessAvailable,
    loader: () =>
      import('./components/EntityAccess').then(m => <m.EntityAccessCard />),
  },
});

/**
 * The entity page's "Access" tab: the entity's access history. Same filter as the card.
 * @alpha
 */
export const entityAccessContent = EntityContentBlueprint.make({
  params: {
    path: 'access',
    title: 'Access',
    filter: isAccessAvailable,
    loader: () =>
      import('./components/EntityAccess').then(m => <m.EntityAccessContent />),
  },
});

/**
 * The JIT Access frontend plugin (new frontend system).
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'access',
  title: 'Access',
  icon,
  extensions: [
    accessApi,
    accessFlowsWarmup,
    accessPage,
    myAccessSubPage,
    newRequestSubPage,
    approvalsSubPage,
    adminSubPage,
    requestDetailsPage,
    entityAccessCard,
    entityAccessContent,
  ],
  routes: {
    root,
    newRequest,
    approvals,
    admin,
    request,
  },
});
