import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { accessApiRef } from '../api';

/** The configured bundles, loaded once; `retry` loads them again. */
export function useBundles() {
  const api = useApi(accessApiRef);
  return useAsyncRetry(() => api.getBundles(), [api]);
}
