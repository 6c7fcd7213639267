import { useSignal } from '@backstage/plugin-signals-react';
import { useEffect, useRef } from 'react';

/** The channel the access backend publishes request changes on. */
export const ACCESS_SIGNAL_CHANNEL = 'access-requests';

/**
 * Calls `refresh` whenever the backend signals a change to a request the user is part of;
 * where signals are off, polls every `pollMs` instead.
 */
export function useLiveRefresh(refresh: () => void, pollMs = 15_000) {
  const { lastSignal, isSignalsAvailable } = useSignal(ACCESS_SIGNAL_CHANNEL);
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (lastSignal) latest.current();
  }, [lastSignal]);
  useEffect(() => {
    if (isSignalsAvailable) return undefined;
    const timer = setInterval(() => latest.current(), pollMs);
    return () => clearInterval(timer);
  }, [isSignalsAvailable, pollMs]);
}
