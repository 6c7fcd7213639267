import {
  FilterableEntity,
  flattenEntity,
  matchesAnyFilter,
  matchesFilter,
} from './entityFilter';

const ordersDb: FilterableEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'orders-db',
    namespace: 'default',
    labels: { env: 'Prod' },
    tags: ['postgres', 'pii'],
  },
  spec: { type: 'database', owner: 'group:default/payments', replicas: 3 },
  relations: [
    { type: 'ownedBy', targetRef: 'group:default/payments' },
    { type: 'dependencyOf', targetRef: 'component:default/orders' },
    { type: 'dependencyOf', targetRef: 'component:default/billing' },
  ],
};

describe('flattenEntity', () => {
  it('flattens to lower-cased dotted keys and values, arrays item by item', () => {
    const flat = flattenEntity(ordersDb);
    expect(flat.get('kind')).toEqual(new Set(['resource']));
    expect(flat.get('metadata.labels.env')).toEqual(new Set(['prod']));
    expect(flat.get('metadata.tags')).toEqual(new Set(['postgres', 'pii']));
    expect(flat.get('spec.replicas')).toEqual(new Set(['3']));
    expect(flat.get('relations.ownedby')).toEqual(
      new Set(['group:default/payments']),
    );
    expect(flat.get('relations.dependencyof')).toEqual(
      new Set(['component:default/orders', 'component:default/billing']),
    );
    // Relations are indexed by type only, not walked as objects.
    expect(flat.has('relations.type')).toBe(false);
  });

  it('skips null and undefined values', () => {
    const flat = flattenEntity({
      ...ordersDb,
      spec: { type: 'database', lifecycle: null, system: undefined },
    });
    expect(flat.has('spec.lifecycle')).toBe(false);
    expect(flat.has('spec.system')).toBe(false);
    expect(flat.get('spec.type')).toEqual(new Set(['database']));
  });
});

describe('matchesFilter', () => {
  const flat = flattenEntity(ordersDb);

  it('needs every key, case-insensitively', () => {
    expect(
      matchesFilter(flat, { Kind: 'RESOURCE', 'spec.Type': 'Database' }),
    ).toBe(true);
    expect(
      matchesFilter(flat, { kind: 'resource', 'spec.type': 'bucket' }),
    ).toBe(false);
    expect(matchesFilter(flat, { 'metadata.labels.team': 'x' })).toBe(false);
  });

  it('matches any value of a list, and any value the entity has', () => {
    expect(matchesFilter(flat, { 'spec.type': ['bucket', 'database'] })).toBe(
      true,
    );
    expect(matchesFilter(flat, { 'metadata.tags': 'PII' })).toBe(true);
    expect(
      matchesFilter(flat, {
        'relations.ownedBy': 'group:default/payments',
      }),
    ).toBe(true);
    expect(matchesFilter(flat, { 'spec.type': [] })).toBe(false);
  });

  it('matches everything with an empty filter', () => {
    expect(matchesFilter(flat, {})).toBe(true);
  });
});

describe('matchesAnyFilter', () => {
  const flat = flattenEntity(ordersDb);

  it('matches when one alternative does, never with none', () => {
    expect(
      matchesAnyFilter(flat, [
        { kind: 'component' },
        { 'spec.type': 'database' },
      ]),
    ).toBe(true);
    expect(matchesAnyFilter(flat, [{ kind: 'component' }])).toBe(false);
    expect(matchesAnyFilter(flat, [])).toBe(false);
  });
});
