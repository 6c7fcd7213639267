import { Entity } from '@backstage/catalog-model';
import { ApiHolder } from '@backstage/core-plugin-api';
import { accessApiRef } from '../../api';
import {
  COVERAGE_TTL_MS,
  clearCoverageCache,
  isAccessAvailable,
  isAccessCovered,
  knownCoverage,
  rememberCoverage,
} from './coverage';
import { ORDERS_DB, ordersDb, summary } from './testData';

const user: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'alice', namespace: 'default' },
};

function apis(getEntityAccess: jest.Mock): ApiHolder {
  return {
    get: (ref: { id: string }) =>
      ref.id === accessApiRef.id ? ({ getEntityAccess } as any) : undefined,
  } as ApiHolder;
}

describe('coverage', () => {
  beforeEach(() => clearCoverageCache());

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
});
