import { useApi } from '@backstage/core-plugin-api';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useCallback, useEffect, useState } from 'react';
import { accessApiRef } from '../api';

/** One request, as {@link useRequest} loads it. */
export interface RequestState {
  loading: boolean;
  value?: AccessRequest;
  error?: Error;
  reload(): void;
}

/**
 * Loads a request and reloads it on demand. Unlike react-use's useAsyncRetry, a failed
 * reload keeps the request on screen (with the error beside it).
 */
export function useRequest(id: string): RequestState {
  const api = useApi(accessApiRef);
  const [refreshKey, setRefreshKey] = useState(0);
  const [state, setState] = useState<{
    id: string;
    loading: boolean;
    value?: AccessRequest;
    error?: Error;
  }>({ id, loading: true });
  useEffect(() => {
    let stale = false;
    setState(s =>
      s.id === id ? { ...s, loading: true } : { id, loading: true },
    );
    api.getRequest(id).then(
      value => {
        if (!stale) setState({ id, loading: false, value });
      },
      error => {
        if (!stale)
          setState(s => ({
            id,
            loading: false,
            value: s.id === id ? s.value : undefined,
            error,
          }));
      },
    );
    return () => {
      stale = true;
    };
  }, [api, id, refreshKey]);
  const reload = useCallback(() => setRefreshKey(k => k + 1), []);
  // Never show another request's data while the new one loads.
  const current = state.id === id ? state : { loading: true };
  return { ...current, reload };
}
