import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { AccessPage } from '@jit-access/plugin-access-common';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';

/**
 * One page of a cursor-paged listing at a time, with previous / next. `key` names the
 * query (view, filters): when it changes, paging starts again at the first page.
 * While a page reloads, the previous value stays available so live refreshes don't flash.
 */
export function useCursorPages<T>(
  key: string,
  load: (cursor: string | undefined) => Promise<AccessPage<T>>,
) {
  const [pages, setPages] = useState<{
    key: string;
    cursors: (string | undefined)[];
  }>({ key, cursors: [undefined] });
  const cursors = pages.key === key ? pages.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const state = useAsyncRetry(() => load(cursor), [key, cursor]);
  const nextCursor = state.value?.nextCursor;
  return {
    loading: state.loading,
    error: state.error,
    items: state.value?.items,
    retry: state.retry,
    page: cursors.length,
    hasPrevious: cursors.length > 1,
    hasNext: nextCursor !== undefined && !state.loading,
    next: () => {
      if (nextCursor !== undefined)
        setPages({ key, cursors: [...cursors, nextCursor] });
    },
    previous: () => setPages({ key, cursors: cursors.slice(0, -1) }),
    first: () => setPages({ key, cursors: [undefined] }),
  };
}

/** Previous / next buttons for {@link useCursorPages}. */
export function CursorPager(props: {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  label: string;
}) {
  if (!props.hasPrevious && !props.hasNext) return null;
  return (
    <Box
      component="nav"
      aria-label={`${props.label} pages`}
      display="flex"
      justifyContent="flex-end"
      alignItems="center"
      mt={1}
      style={{ gap: 8 }}
    >
      <Typography variant="body2">Page {props.page}</Typography>
      <Button
        size="small"
        onClick={props.onPrevious}
        disabled={!props.hasPrevious}
      >
        Previous page
      </Button>
      <Button size="small" onClick={props.onNext} disabled={!props.hasNext}>
        Next page
      </Button>
    </Box>
  );
}
