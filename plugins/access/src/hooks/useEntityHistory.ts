import { useApi } from '@backstage/core-plugin-api';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { accessApiRef } from '../api';
import { fetchCoverage } from '../coverage';
import { useLiveRefresh } from './useLiveRefresh';

/** The entity history loaded so far, from {@link useEntityHistory}. */
export interface EntityHistory {
  /** Newest first: the first page, and the older pages asked for with `loadMore`. */
  items: AccessRequest[];
  nextCursor?: string;
  loading: boolean;
  loadingMore: boolean;
  error?: Error;
  moreError?: Error;
  /** False when the backend says no flow covers the entity; undefined when unknown. */
  covered?: boolean;
  loadMore(): void;
}

type State = Omit<EntityHistory, 'loadMore'>;

/**
 * Every access request made for `entityRef`, newest first, `pageSize` at a time, with
 * whether a flow still covers the entity. A live change reloads the first page and keeps
 * the older pages already loaded (older history does not change).
 */
export function useEntityHistory(
  entityRef: string,
  pageSize: number,
): EntityHistory {
  const api = useApi(accessApiRef);
  const [state, setState] = useState<State>({
    items: [],
    loading: true,
    loadingMore: false,
  });
  // Ignore answers for an entity we already navigated away from.
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mySeq = ++seq.current;
    setState(s => ({ ...s, loading: true }));
    // Asked alongside the history (remembered for a few minutes); unknown if it fails.
    const coverage = fetchCoverage(entityRef, api).catch(() => undefined);
    try {
      const page = await api.getEntityHistory(entityRef, { limit: pageSize });
      const covered = await coverage;
      if (mySeq !== seq.current) return;
      setState(s => {
        // On a live refresh keep the older pages someone already loaded.
        const keptOlder = s.items.length > pageSize;
        const fresh = new Set(page.items.map(i => i.id));
        return {
          items: keptOlder
            ? [...page.items, ...s.items.filter(i => !fresh.has(i.id))]
            : page.items,
          nextCursor: keptOlder ? s.nextCursor : page.nextCursor,
          loading: false,
          loadingMore: false,
          covered,
        };
      });
    } catch (e) {
      const covered = await coverage;
      if (mySeq !== seq.current) return;
      setState(s => ({ ...s, loading: false, error: e as Error, covered }));
    }
  }, [api, entityRef, pageSize]);

  const loadMore = async () => {
    const cursor = state.nextCursor;
    if (!cursor) return;
    const mySeq = seq.current;
    setState(s => ({ ...s, loadingMore: true, moreError: undefined }));
    try {
      const page = await api.getEntityHistory(entityRef, {
        cursor,
        limit: pageSize,
      });
      if (mySeq !== seq.current) return;
      setState(s => ({
        ...s,
        items: [...s.items, ...page.items],
        nextCursor: page.nextCursor,
        loadingMore: false,
      }));
    } catch (e) {
      if (mySeq !== seq.current) return;
      setState(s => ({ ...s, loadingMore: false, moreError: e as Error }));
    }
  };

  useEffect(() => {
    setState({ items: [], loading: true, loadingMore: false });
    load();
  }, [load]);
  useLiveRefresh(load);

  return { ...state, loadMore };
}
