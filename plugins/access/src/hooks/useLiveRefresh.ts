import { useSignal } from '@backstage/plugin-signals-react';
import { ACCESS_SIGNAL_CHANNEL } from '@jit-access/plugin-access-common';
import { useEffect, useRef } from 'react';

/** How often pages poll when the app has no signals API. */
export const POLL_WITHOUT_SIGNALS_MS = 15_000;

/**
 * How often pages poll even with signals: a signal sent while the socket was reconnecting,
 * or a signals backend that is not installed, is otherwise never noticed.
 */
export const POLL_WITH_SIGNALS_MS = 60_000;

/**
 * Calls `refresh` whenever the backend signals a change to a request the user is part of,
 * and polls besides: every `pollMs` where signals are off, every minute where they are on.
 */
export function useLiveRefresh(
  refresh: () => void,
  pollMs = POLL_WITHOUT_SIGNALS_MS,
) {
  const { lastSignal, isSignalsAvailable } = useSignal(ACCESS_SIGNAL_CHANNEL);
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (lastSignal) latest.current();
  }, [lastSignal]);
  useEffect(() => {
    const every = isSignalsAvailable
      ? Math.max(pollMs, POLL_WITH_SIGNALS_MS)
      : pollMs;
    const timer = setInterval(() => {
      // A hidden tab does not need fresh data; it refreshes on the next tick once shown.
      if (document.visibilityState !== 'hidden') latest.current();
    }, every);
    return () => clearInterval(timer);
  }, [isSignalsAvailable, pollMs]);
}
