import { useCallback, useState } from 'react';

/**
 * One async task at a time, as a form runs it: `busy` while it runs, and its failure in
 * `error` until the next run starts or `clearError` is called.
 */
export function useAsyncTask() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const clearError = useCallback(() => setError(undefined), []);
  const run = useCallback(async (task: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await task();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clearError };
}
