import { useRouteRef } from '@backstage/core-plugin-api';
import { useCallback } from 'react';
import { requestRouteRef } from '../../routes';

/**
 * Returns a function giving the path of a request's page: through `requestRouteRef` when
 * the app binds it, else relative to the current page (`requests/<id>`).
 */
export function useRequestLink(): (id: string) => string {
  let route: ((params: { id: string }) => string) | undefined;
  try {
    // useRouteRef throws when the route is not bound, after calling all its hooks, so
    // catching keeps the hook order stable (Backstage's own useRouteRef does the same).
    // eslint-disable-next-line react-hooks/rules-of-hooks
    route = useRouteRef(requestRouteRef);
  } catch {
    route = undefined;
  }
  return useCallback(
    (id: string) =>
      route ? route({ id }) : `requests/${encodeURIComponent(id)}`,
    [route],
  );
}
