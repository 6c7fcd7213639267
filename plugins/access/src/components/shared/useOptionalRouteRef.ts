import {
  AnyParams,
  RouteFunc,
  RouteRef,
  SubRouteRef,
  useRouteRef,
} from '@backstage/core-plugin-api';

/**
 * Like `useRouteRef`, but undefined where the app does not bind the route (tests, apps
 * that mount only part of the plugin) instead of throwing.
 */
export function useOptionalRouteRef<Params extends AnyParams>(
  routeRef: RouteRef<Params> | SubRouteRef<Params>,
): RouteFunc<Params> | undefined {
  try {
    // useRouteRef throws for an unbound route only after calling all its hooks, so
    // catching keeps the hook order stable (Backstage's own useRouteRef does the same).
    // eslint-disable-next-line react-hooks/rules-of-hooks
    return useRouteRef(routeRef);
  } catch {
    return undefined;
  }
}
