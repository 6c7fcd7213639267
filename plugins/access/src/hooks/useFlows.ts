import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { accessApiRef } from '../api';

/** The configured flows, loaded once; `retry` loads them again. */
export function useFlows() {
  const api = useApi(accessApiRef);
  return useAsyncRetry(() => api.getFlows(), [api]);
}
