import { AccessPage } from '@jit-access/plugin-access-common';
import { useCallback, useEffect, useRef, useState } from 'react';

/** One page of a cursor-paged listing, and how to move between pages. */
export interface CursorPages<T> {
  /** True while a page is being fetched, also on reloads (when `items` stay shown). */
  loading: boolean;
  /** The last fetch's error; cleared once a fetch succeeds. */
  error?: Error;
  /**
   * The items of the last page fetched: kept while another page loads and after a failed
   * reload; undefined until a first page arrived.
   */
  items?: T[];
  /** 1-based number of the current page. */
  page: number;
  hasPrevious: boolean;
  /** The backend has a page after this one (buttons should still wait for `loading`). */
  hasNext: boolean;
  next(): void;
  previous(): void;
  first(): void;
  /** Fetches the current page again (ignored while a fetch runs). */
  retry(): void;
}

/**
 * One page of a cursor-paged listing at a time (never the whole history), with previous /
 * next. `key` names the query (view, filters): when it changes, paging starts again at
 * the first page. The current page is fetched again whenever `refreshKey` changes or on
 * `retry()`. Answers to a query or page no longer asked for are dropped.
 */
export function useCursorPages<T>(
  key: string,
  load: (cursor: string | undefined) => Promise<AccessPage<T>>,
  refreshKey: number = 0,
): CursorPages<T> {
  // The cursor of every page visited so far; the first page has none.
  const [pages, setPages] = useState<{
    key: string;
    cursors: (string | undefined)[];
  }>({ key, cursors: [undefined] });
  const cursors = pages.key === key ? pages.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<{
    loading: boolean;
    error?: Error;
    value?: AccessPage<T>;
  }>({ loading: true });
  const latestLoad = useRef(load);
  latestLoad.current = load;

  useEffect(() => {
    let stale = false;
    setState(s => ({ ...s, loading: true }));
    new Promise<AccessPage<T>>(resolve =>
      resolve(latestLoad.current(cursor)),
    ).then(
      value => {
        if (!stale) setState({ loading: false, value });
      },
      error => {
        if (!stale) setState(s => ({ loading: false, value: s.value, error }));
      },
    );
    return () => {
      stale = true;
    };
  }, [key, cursor, attempt, refreshKey]);

  const { loading } = state;
  const retry = useCallback(() => {
    if (!loading) setAttempt(a => a + 1);
  }, [loading]);

  const nextCursor = state.value?.nextCursor;
  return {
    loading,
    error: state.error,
    items: state.value?.items,
    page: cursors.length,
    hasPrevious: cursors.length > 1,
    hasNext: !!nextCursor,
    next: () => {
      if (nextCursor) setPages({ key, cursors: [...cursors, nextCursor] });
    },
    previous: () => {
      if (cursors.length > 1) setPages({ key, cursors: cursors.slice(0, -1) });
    },
    first: () => setPages({ key, cursors: [undefined] }),
    retry,
  };
}
