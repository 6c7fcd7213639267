import { normalizeRef } from './entityRefs';

describe('normalizeRef', () => {
  it('normalises entity refs', () => {
    expect(normalizeRef('Resource:Default/Orders-DB')).toBe(
      'resource:default/orders-db',
    );
    expect(normalizeRef('resource:orders-db')).toBe(
      'resource:default/orders-db',
    );
    expect(normalizeRef('orders-db')).toBeUndefined();
  });
});
