/**
 * One alternative of a flow's entity filter, as written under `access.flows[].filter` and
 * sent in `AccessFlowSummary.filter`: every key must match; a list value matches any of
 * its values. Keys are dotted paths (`kind`, `spec.type`, `metadata.labels.env`,
 * `relations.ownedBy`); keys and values compare case-insensitively.
 * @public
 */
export type AccessEntityFilter = Record<string, string | string[]>;

/**
 * The parts of a catalog entity the filter matcher reads. Structurally the same as
 * `Entity` from `@backstage/catalog-model`, so any catalog entity fits.
 * @public
 */
export interface FilterableEntity {
  apiVersion: string;
  kind: string;
  metadata: object;
  spec?: object;
  relations?: ReadonlyArray<{ type: string; targetRef: string }>;
}

/** A flattened entity: lower-cased dotted keys to the set of lower-cased values. @public */
export type FlatEntity = Map<string, Set<string>>;

const lower = (s: string) => s.toLocaleLowerCase('en-US');

/**
 * Flattens an entity the way the catalog indexes it for filters: dotted, lower-cased
 * keys (`metadata.labels.env`, `spec.type`, `relations.ownedby`) to lower-cased values.
 * Arrays contribute each of their items under the same key.
 * @public
 */
export function flattenEntity(entity: FilterableEntity): FlatEntity {
  const out: FlatEntity = new Map();
  const add = (key: string, value: unknown) => {
    const k = lower(key);
    let set = out.get(k);
    if (!set) {
      set = new Set();
      out.set(k, set);
    }
    set.add(lower(String(value)));
  };
  const walk = (prefix: string, value: unknown) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach(v => walk(prefix, v));
    } else if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value as object)) {
        walk(prefix ? `${prefix}.${k}` : k, v);
      }
    } else {
      add(prefix, value);
    }
  };
  const { relations, ...rest } = entity;
  walk('', rest);
  for (const r of relations ?? []) {
    add(`relations.${r.type}`, r.targetRef);
  }
  return out;
}

/**
 * True when the flattened entity matches every key of the filter (a list value matches
 * any of its values). An empty filter matches every entity.
 * @public
 */
export function matchesFilter(
  flat: FlatEntity,
  filter: AccessEntityFilter,
): boolean {
  return Object.entries(filter).every(([key, expected]) => {
    const actual = flat.get(lower(key));
    if (!actual) return false;
    const wanted = Array.isArray(expected) ? expected : [expected];
    return wanted.some(w => actual.has(lower(w)));
  });
}

/**
 * True when the flattened entity matches any of the alternatives (none: false).
 * @public
 */
export function matchesAnyFilter(
  flat: FlatEntity,
  filters: AccessEntityFilter[],
): boolean {
  return filters.some(f => matchesFilter(flat, f));
}
