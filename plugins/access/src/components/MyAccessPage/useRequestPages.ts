import { useApi } from '@backstage/core-plugin-api';
import {
  AccessPage,
  AccessRequest,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';
import { useCallback, useEffect, useState } from 'react';
import { accessApiRef, AccessRequestView } from '../../api';

/** One page of a request listing, and how to move between pages. */
export interface RequestPages {
  /** True while a page is being fetched (also on refresh, when `page` is still shown). */
  loading: boolean;
  /** The last fetch's error; `page` keeps the last good page, if any. */
  error?: Error;
  page?: AccessPage<AccessRequest>;
  /** 0-based number of the current page. */
  pageIndex: number;
  /** There is a page after this one (the buttons should still wait for `loading`). */
  hasNext: boolean;
  hasPrevious: boolean;
  next(): void;
  previous(): void;
}

/**
 * Fetches one page of `listRequests` at a time with the backend's cursors (never the whole
 * history), re-fetching the current page whenever `refreshKey` changes.
 * `status` must be a stable array (a module constant), as it is an effect dependency.
 */
export function useRequestPages(
  view: AccessRequestView,
  status: readonly AccessRequestStatus[] | undefined,
  pageSize: number,
  refreshKey: number,
): RequestPages {
  const api = useApi(accessApiRef);
  // The cursor of every page visited so far; the first page has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const [state, setState] = useState<{
    loading: boolean;
    error?: Error;
    page?: AccessPage<AccessRequest>;
  }>({ loading: true });

  useEffect(() => {
    let stale = false;
    setState(s => ({ ...s, loading: true }));
    api
      .listRequests({
        view,
        status: status ? [...status] : undefined,
        cursor,
        limit: pageSize,
      })
      .then(
        page => {
          if (!stale) setState({ loading: false, page });
        },
        error => {
          if (!stale) setState(s => ({ loading: false, page: s.page, error }));
        },
      );
    return () => {
      stale = true;
    };
  }, [api, view, status, cursor, pageSize, refreshKey]);

  const nextCursor = state.page?.nextCursor;
  const next = useCallback(() => {
    if (nextCursor) setCursors(c => [...c, nextCursor]);
  }, [nextCursor]);
  const previous = useCallback(
    () => setCursors(c => (c.length > 1 ? c.slice(0, -1) : c)),
    [],
  );

  return {
    ...state,
    pageIndex: cursors.length - 1,
    hasNext: !!nextCursor,
    hasPrevious: cursors.length > 1,
    next,
    previous,
  };
}
