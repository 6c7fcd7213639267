import { createElement } from 'react';
import { act, render } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { ApiHolder } from '@backstage/core-plugin-api';
import { TestApiProvider } from '@backstage/test-utils';
import { AccessFlowSummary } from '@jit-access/plugin-access-common';
import { AccessApi, accessApiRef } from './api';
import {
  AccessFlowsWarmup,
  COVERAGE_TTL_MS,
  FLOWS_MAX_AGE_MS,
  FLOWS_TTL_MS,
  clearCoverageCache,
  ensureFlows,
  flowsCoverage,
  isAccessAvailable,
  isAccessCovered,
  knownCoverage,
  refreshFlows,
  rememberCoverage,
  rememberFlows,
} from './coverage';
import { ORDERS_DB, ordersDb, summary } from './__testUtils__/entityAccessData';

const user: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'alice', namespace: 'default' },
};

function apis(getEntityAccess: jest.Mock, getFlows?: jest.Mock): ApiHolder {
  return {
    get: (ref: { id: string }) =>
      ref.id === accessApiRef.id
        ? ({ getEntityAccess, getFlows } as any)
        : undefined,
  } as ApiHolder;
}

function flow(
  id: string,
  filter: Record<string, string | string[]>[],
): AccessFlowSummary {
  return {
    id,
    title: id,
    filter,
  } as Partial<AccessFlowSummary> as AccessFlowSummary;
}

// Covers the payments team's services and their staging databases; not orders-db.
const FLOWS = [
  flow('services', [
    { kind: 'Component', 'spec.owner': 'group:default/payments' },
  ]),
  flow('staging-dbs', [
    {
      kind: 'resource',
      'spec.type': 'database',
      'metadata.labels.env': 'staging',
    },
  ]),
];

const paymentsService: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'checkout', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/payments' },
};

const flushPromises = () =>
  new Promise(r => jest.requireActual('timers').setImmediate(r));

describe('coverage', () => {
  beforeEach(() => clearCoverageCache());
  afterEach(() => jest.useRealTimers());

  it('remembers answers for a few minutes, case-insensitively', () => {
    rememberCoverage(ORDERS_DB, false, 1_000);
    expect(knownCoverage('Resource:default/Orders-DB', 1_000 + 60_000)).toBe(
      false,
    );
    expect(
      knownCoverage(ORDERS_DB, 1_000 + COVERAGE_TTL_MS + 1),
    ).toBeUndefined();
  });

  it('filters synchronously: remembered answer, else "is it a Resource"', () => {
    expect(isAccessAvailable(ordersDb)).toBe(true);
    expect(isAccessAvailable(user)).toBe(false);
    rememberCoverage(ORDERS_DB, false);
    expect(isAccessAvailable(ordersDb)).toBe(false);
    rememberCoverage('user:default/alice', true);
    expect(isAccessAvailable(user)).toBe(true);
  });

  it('asks the backend once per entity and caches the answer', async () => {
    const getEntityAccess = jest.fn(async () => summary({ covered: true }));
    const holder = apis(getEntityAccess);
    const [a, b] = await Promise.all([
      isAccessCovered(ordersDb, { apis: holder }),
      isAccessCovered(ordersDb, { apis: holder }),
    ]);
    expect([a, b]).toEqual([true, true]);
    expect(await isAccessCovered(ordersDb, { apis: holder })).toBe(true);
    expect(getEntityAccess).toHaveBeenCalledTimes(1);
    expect(getEntityAccess).toHaveBeenCalledWith(ORDERS_DB);
  });

  it('treats an unreachable backend as not covered, and asks again later', async () => {
    const getEntityAccess = jest
      .fn()
      .mockRejectedValueOnce(new Error('down'))
      .mockResolvedValueOnce(summary({ covered: true }));
    const holder = apis(getEntityAccess);
    expect(await isAccessCovered(ordersDb, { apis: holder })).toBe(false);
    expect(await isAccessCovered(ordersDb, { apis: holder })).toBe(true);
  });

  describe('with the flows snapshot', () => {
    it('answers from the flows: a covered non-Resource shows, an uncovered Resource does not', () => {
      rememberFlows(FLOWS);
      expect(isAccessAvailable(paymentsService)).toBe(true);
      expect(isAccessAvailable(ordersDb)).toBe(false);
      expect(isAccessAvailable(user)).toBe(false);
      expect(
        isAccessAvailable({
          ...ordersDb,
          metadata: { ...ordersDb.metadata, labels: { env: 'Staging' } },
        }),
      ).toBe(true);
    });

    it("lets the backend's remembered answer win over the flows", () => {
      rememberFlows(FLOWS);
      rememberCoverage(ORDERS_DB, true);
      rememberCoverage('component:default/checkout', false);
      expect(isAccessAvailable(ordersDb)).toBe(true);
      expect(isAccessAvailable(paymentsService)).toBe(false);
    });

    it('falls back to "is it a Resource" before the flows load and once they are too old', () => {
      expect(isAccessAvailable(paymentsService)).toBe(false);
      expect(isAccessAvailable(ordersDb)).toBe(true);
      rememberFlows(FLOWS, 1_000);
      expect(flowsCoverage(ordersDb, 1_000 + FLOWS_TTL_MS + 1)).toBe(false);
      expect(
        flowsCoverage(ordersDb, 1_000 + FLOWS_MAX_AGE_MS + 1),
      ).toBeUndefined();
    });

    it('treats no flows as covering nothing', () => {
      rememberFlows([]);
      expect(isAccessAvailable(ordersDb)).toBe(false);
    });

    it('fetches once at a time, and not again while fresh', async () => {
      const getFlows = jest.fn(async () => FLOWS);
      const api = { getFlows };
      await Promise.all([refreshFlows(api), refreshFlows(api)]);
      expect(getFlows).toHaveBeenCalledTimes(1);
      expect(await ensureFlows(api)).toBe(true);
      expect(getFlows).toHaveBeenCalledTimes(1);
      expect(isAccessAvailable(paymentsService)).toBe(true);
    });

    it('keeps the old snapshot when a fetch fails', async () => {
      rememberFlows(FLOWS);
      expect(
        await refreshFlows({
          getFlows: jest.fn().mockRejectedValue(new Error('down')),
        }),
      ).toBe(false);
      expect(isAccessAvailable(paymentsService)).toBe(true);
    });

    it('refreshes a stale snapshot in the background when it is used, or when the card loads', async () => {
      jest.useFakeTimers({ now: 1_000_000, doNotFake: ['setImmediate'] });
      const getFlows = jest.fn(async () => FLOWS);
      await ensureFlows({ getFlows });
      expect(getFlows).toHaveBeenCalledTimes(1);

      jest.setSystemTime(1_000_000 + FLOWS_TTL_MS + 1);
      // Still answers from the stale snapshot while it refreshes.
      expect(isAccessAvailable(paymentsService)).toBe(true);
      expect(isAccessAvailable(paymentsService)).toBe(true);
      await flushPromises();
      expect(getFlows).toHaveBeenCalledTimes(2);

      jest.setSystemTime(1_000_000 + 2 * (FLOWS_TTL_MS + 1));
      rememberCoverage(ORDERS_DB, false);
      await flushPromises();
      expect(getFlows).toHaveBeenCalledTimes(3);
    });

    it('lets the legacy async filter load the flows too', async () => {
      const getEntityAccess = jest.fn(async () => summary({ covered: true }));
      const getFlows = jest.fn(async () => FLOWS);
      expect(
        await isAccessCovered(ordersDb, {
          apis: apis(getEntityAccess, getFlows),
        }),
      ).toBe(true);
      await flushPromises();
      expect(getFlows).toHaveBeenCalledTimes(1);
      expect(isAccessAvailable(paymentsService)).toBe(true);
    });
  });

  describe('AccessFlowsWarmup', () => {
    it('loads the flows after mount, retrying until it works', async () => {
      jest.useFakeTimers({ doNotFake: ['setImmediate'] });
      const getFlows = jest
        .fn()
        .mockRejectedValueOnce(new Error('401 not signed in'))
        .mockResolvedValueOnce(FLOWS);
      const api = { getFlows } as Partial<AccessApi> as AccessApi;
      const { container, unmount } = render(
        createElement(
          TestApiProvider,
          { apis: [[accessApiRef, api]] } as any,
          createElement(AccessFlowsWarmup),
        ),
      );
      expect(container.innerHTML).toBe('');
      await act(flushPromises);
      expect(getFlows).toHaveBeenCalledTimes(1);
      expect(isAccessAvailable(paymentsService)).toBe(false);
      await act(async () => {
        jest.advanceTimersByTime(2_000);
        await flushPromises();
      });
      expect(getFlows).toHaveBeenCalledTimes(2);
      expect(isAccessAvailable(paymentsService)).toBe(true);
      // Nothing more once it worked.
      await act(async () => {
        jest.advanceTimersByTime(120_000);
        await flushPromises();
      });
      expect(getFlows).toHaveBeenCalledTimes(2);
      unmount();
    });

    it('stops retrying when unmounted', async () => {
      jest.useFakeTimers({ doNotFake: ['setImmediate'] });
      const getFlows = jest.fn().mockRejectedValue(new Error('down'));
      const api = { getFlows } as Partial<AccessApi> as AccessApi;
      const { unmount } = render(
        createElement(
          TestApiProvider,
          { apis: [[accessApiRef, api]] } as any,
          createElement(AccessFlowsWarmup),
        ),
      );
      await act(flushPromises);
      unmount();
      await act(async () => {
        jest.advanceTimersByTime(120_000);
        await flushPromises();
      });
      expect(getFlows).toHaveBeenCalledTimes(1);
    });
  });
});
