import { Entity } from '@backstage/catalog-model';
import { CatalogFilter } from '../config/AccessConfig';

/**
 * Flattens an entity the way the catalog indexes it for filters: dotted, lower-cased
 * keys (`metadata.labels.env`, `spec.type`, `relations.ownedby`) to lower-cased values.
 */
export function flattenEntity(entity: Entity): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (key: string, value: unknown) => {
    const k = key.toLocaleLowerCase('en-US');
    let set = out.get(k);
    if (!set) {
      set = new Set();
      out.set(k, set);
    }
    set.add(String(value).toLocaleLowerCase('en-US'));
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

/** True when the entity matches every key of the filter (a list value matches any of its values). */
export function matchesFilter(
  flat: Map<string, Set<string>>,
  filter: CatalogFilter,
): boolean {
  return Object.entries(filter).every(([key, expected]) => {
    const actual = flat.get(key.toLocaleLowerCase('en-US'));
    if (!actual) return false;
    const wanted = Array.isArray(expected) ? expected : [expected];
    return wanted.some(w => actual.has(w.toLocaleLowerCase('en-US')));
  });
}

/** True when the entity matches any of the alternatives. */
export function matchesAnyFilter(
  flat: Map<string, Set<string>>,
  filters: CatalogFilter[],
): boolean {
  return filters.some(f => matchesFilter(flat, f));
}

/**
 * Narrows a flow filter to one `spec.type`, for catalog queries. Returns undefined when
 * the filter can never match that type.
 */
export function narrowFilterToType(
  filter: CatalogFilter,
  type: string,
): CatalogFilter | undefined {
  const key = Object.keys(filter).find(
    k => k.toLocaleLowerCase('en-US') === 'spec.type',
  );
  if (!key) return { ...filter, 'spec.type': type };
  const values = Array.isArray(filter[key])
    ? (filter[key] as string[])
    : [filter[key] as string];
  if (
    !values.some(
      v => v.toLocaleLowerCase('en-US') === type.toLocaleLowerCase('en-US'),
    )
  ) {
    return undefined;
  }
  return { ...filter, [key]: type };
}
