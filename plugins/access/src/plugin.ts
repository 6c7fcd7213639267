import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { accessApiRef, AccessClient } from './api';
import { rootRouteRef } from './routes';

/**
 * The JIT Access frontend plugin (legacy frontend system).
 * @public
 */
export const accessPlugin = createPlugin({
  id: 'access',
  apis: [
    createApiFactory({
      api: accessApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AccessClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
});

/**
 * The access pages: My Access, New Request, Approvals, Admin and request details.
 * Mount it in your app's routes, e.g. `<Route path="/access" element={<AccessPage />} />`.
 * @public
 */
export const AccessPage: () => JSX.Element = accessPlugin.provide(
  createRoutableExtension({
    name: 'AccessPage',
    component: () => import('./components/AccessPage').then(m => m.AccessPage),
    mountPoint: rootRouteRef,
  }),
);

/**
 * Entity page card: your access to the entity, a "Request access" dialog, and who holds
 * access now (owners and admins). Wrap it in `EntitySwitch.Case if={isAccessCovered}`.
 * @public
 */
export const EntityAccessCard: () => JSX.Element | null = accessPlugin.provide(
  createComponentExtension({
    name: 'EntityAccessCard',
    component: {
      lazy: () =>
        import('./components/EntityAccess').then(m => m.EntityAccessCard),
    },
  }),
);

/**
 * Entity page tab: the entity's access history, for its owners and access admins. Give
 * its `EntityLayout.Route` `if={isAccessAvailable}` (that `if` must answer synchronously).
 * @public
 */
export const EntityAccessContent: () => JSX.Element = accessPlugin.provide(
  createComponentExtension({
    name: 'EntityAccessContent',
    component: {
      lazy: () =>
        import('./components/EntityAccess').then(m => m.EntityAccessContent),
    },
  }),
);
