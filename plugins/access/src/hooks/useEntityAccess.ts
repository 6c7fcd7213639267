import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { accessApiRef } from '../api';

/** The entity page's view of `entityRef` (coverage, what I hold, who holds it). */
export function useEntityAccess(entityRef: string) {
  const api = useApi(accessApiRef);
  return useAsyncRetry(() => api.getEntityAccess(entityRef), [api, entityRef]);
}
