import { useCallback } from 'react';
import { requestRouteRef } from '../../routes';
import { useOptionalRouteRef } from './useOptionalRouteRef';

/**
 * Returns a function giving the path of a request's page: through `requestRouteRef` when
 * the app binds it, else relative to the current page (`requests/<id>`).
 */
export function useRequestLink(): (id: string) => string {
  const route = useOptionalRouteRef(requestRouteRef);
  return useCallback(
    (id: string) =>
      route ? route({ id }) : `requests/${encodeURIComponent(id)}`,
    [route],
  );
}
