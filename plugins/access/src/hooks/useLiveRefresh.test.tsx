import { signalApiRef, SignalApi } from '@backstage/plugin-signals-react';
import { TestApiProvider } from '@backstage/test-utils';
import { act, renderHook } from '@testing-library/react';
import { ReactNode } from 'react';
import { ACCESS_SIGNAL_CHANNEL } from '@jit-access/plugin-access-common';
import {
  POLL_WITH_SIGNALS_MS,
  POLL_WITHOUT_SIGNALS_MS,
  useLiveRefresh,
} from './useLiveRefresh';

class FakeSignals implements SignalApi {
  readonly listeners = new Map<string, (m: any) => void>();
  subscribe(channel: string, onMessage: (m: any) => void) {
    this.listeners.set(channel, onMessage);
    return { unsubscribe: () => this.listeners.delete(channel) };
  }
  send(channel: string, message: object) {
    act(() => this.listeners.get(channel)?.(message));
  }
}

function render(signals?: FakeSignals) {
  const refresh = jest.fn();
  const wrapper = ({ children }: { children: ReactNode }) =>
    signals ? (
      <TestApiProvider apis={[[signalApiRef, signals]]}>
        {children}
      </TestApiProvider>
    ) : (
      <TestApiProvider apis={[]}>{children}</TestApiProvider>
    );
  const hook = renderHook(() => useLiveRefresh(refresh), { wrapper });
  return { refresh, hook };
}

const tick = (ms: number) => act(() => jest.advanceTimersByTime(ms));

describe('useLiveRefresh', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.useRealTimers();
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      value: 'visible',
    });
  });

  it('polls every 15 seconds where the app has no signals', () => {
    const { refresh } = render();
    tick(POLL_WITHOUT_SIGNALS_MS - 1);
    expect(refresh).not.toHaveBeenCalled();
    tick(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    tick(POLL_WITHOUT_SIGNALS_MS * 2);
    expect(refresh).toHaveBeenCalledTimes(3);
  });

  it('refreshes on each signal, and polls only once a minute as a safety net', () => {
    const signals = new FakeSignals();
    const { refresh } = render(signals);
    signals.send(ACCESS_SIGNAL_CHANNEL, { requestId: 'a', status: 'granted' });
    expect(refresh).toHaveBeenCalledTimes(1);
    signals.send(ACCESS_SIGNAL_CHANNEL, { requestId: 'a', status: 'revoked' });
    expect(refresh).toHaveBeenCalledTimes(2);
    // A signal lost while the socket reconnected is caught by the slow poll.
    tick(POLL_WITHOUT_SIGNALS_MS);
    expect(refresh).toHaveBeenCalledTimes(2);
    tick(POLL_WITH_SIGNALS_MS - POLL_WITHOUT_SIGNALS_MS);
    expect(refresh).toHaveBeenCalledTimes(3);
  });

  it('does not poll a hidden tab', () => {
    const { refresh } = render();
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      value: 'hidden',
    });
    tick(POLL_WITHOUT_SIGNALS_MS * 3);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('stops polling when the page unmounts', () => {
    const { refresh, hook } = render();
    hook.unmount();
    tick(POLL_WITHOUT_SIGNALS_MS * 3);
    expect(refresh).not.toHaveBeenCalled();
  });
});
