import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';

/**
 * The one source of time in the access backend, so tests can move it.
 * @public
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/**
 * The access plugin's clock. Replace its factory in tests to control time.
 * @public
 */
export const accessClockServiceRef = createServiceRef<Clock>({
  id: 'access.clock',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {},
      factory: () => ({ now: () => Date.now() }),
    }),
});
