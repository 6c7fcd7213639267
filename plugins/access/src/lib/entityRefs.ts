import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/** `resource:default/orders-db` → `orders-db` (namespace shown only when not default). */
export function shortRef(ref: string): string {
  try {
    const r = parseEntityRef(ref);
    return r.namespace === 'default' ? r.name : `${r.namespace}/${r.name}`;
  } catch {
    return ref;
  }
}

/** `Resource:Default/Orders-DB` and `resource:default/orders-db` are the same entity. */
export function normalizeRef(ref: string): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref.trim(), { defaultNamespace: 'default' }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}
