import { useApi } from '@backstage/core-plugin-api';
import { RequestableResource } from '@jit-access/plugin-access-common';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { accessApiRef } from '../api';

/** Results asked for per page: enough to browse, few enough to render at once. */
export const RESOURCE_PAGE_SIZE = 50;

export interface ResourceQuery {
  q: string;
  type: string;
  permission: string;
}

export interface ResourceSearchState {
  items: RequestableResource[];
  /** True when the server has another page. */
  hasMore: boolean;
  /** The first page of the current query is loading. */
  loading: boolean;
  loadingMore: boolean;
  /** The first page failed. */
  error?: Error;
  /** A further page failed; what was loaded stays. */
  moreError?: Error;
  loadMore(): void;
  retry(): void;
}

/**
 * Server-paged search of requestable resources: one page per query, more on demand. Answers
 * to a query the user already changed are dropped, so a slow response never overwrites a
 * newer one.
 */
export function useResourceSearch(query: ResourceQuery): ResourceSearchState {
  const api = useApi(accessApiRef);
  const [items, setItems] = useState<RequestableResource[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<Error>();
  const [moreError, setMoreError] = useState<Error>();
  const [attempt, setAttempt] = useState(0);
  const generation = useRef(0);

  const { q, type, permission } = query;
  useEffect(() => {
    const mine = ++generation.current;
    setLoading(true);
    setError(undefined);
    setMoreError(undefined);
    setLoadingMore(false);
    api
      .getResources({
        q: q.trim() || undefined,
        type: type || undefined,
        permission: permission || undefined,
        limit: RESOURCE_PAGE_SIZE,
      })
      .then(
        page => {
          if (generation.current !== mine) return;
          setItems(page.items);
          setCursor(page.nextCursor);
          setLoading(false);
        },
        e => {
          if (generation.current !== mine) return;
          setItems([]);
          setCursor(undefined);
          setError(e);
          setLoading(false);
        },
      );
  }, [api, q, type, permission, attempt]);

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore) return;
    const mine = generation.current;
    setLoadingMore(true);
    setMoreError(undefined);
    api
      .getResources({
        q: q.trim() || undefined,
        type: type || undefined,
        permission: permission || undefined,
        cursor,
        limit: RESOURCE_PAGE_SIZE,
      })
      .then(
        page => {
          if (generation.current !== mine) return;
          setItems(prev => {
            const seen = new Set(prev.map(r => r.entityRef));
            return [...prev, ...page.items.filter(r => !seen.has(r.entityRef))];
          });
          setCursor(page.nextCursor);
          setLoadingMore(false);
        },
        e => {
          if (generation.current !== mine) return;
          setMoreError(e);
          setLoadingMore(false);
        },
      );
  }, [api, cursor, loadingMore, q, type, permission]);

  const retry = useCallback(() => setAttempt(a => a + 1), []);

  const hasMore = !!cursor;
  return useMemo(
    () => ({
      items,
      hasMore,
      loading,
      loadingMore,
      error,
      moreError,
      loadMore,
      retry,
    }),
    [items, hasMore, loading, loadingMore, error, moreError, loadMore, retry],
  );
}
