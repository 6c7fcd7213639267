import { Progress } from '@backstage/core-components';
import { ReactNode } from 'react';
import { LoadError } from './LoadError';

/**
 * A list fetched at once (a `useAsyncRetry` state): a spinner while it loads, the error
 * with a retry, `empty` when it holds nothing, else `children` with its items.
 */
export function LoadedList<T>(props: {
  state: { loading: boolean; error?: Error; value?: T[]; retry(): void };
  /** Names the list in the error: `Could not load <what>`. */
  what: string;
  empty: ReactNode;
  children: (items: T[]) => ReactNode;
}) {
  const { state, what, empty, children } = props;
  if (state.loading) return <Progress />;
  if (state.error)
    return <LoadError what={what} error={state.error} onRetry={state.retry} />;
  if (!state.value?.length) return <>{empty}</>;
  return <>{children(state.value)}</>;
}
