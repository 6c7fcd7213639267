import { normalizeRef } from './entityRefs';

/** The entities and permissions asked for by `?entity=...&permission=...`. */
export interface DeepLink {
  entities: { ref: string; permissions: string[] }[];
  bundleId?: string;
}

/**
 * Linked entities looked up at most: each costs the visitor's browser a search, and a
 * link is written by whoever sends it.
 */
export const MAX_LINKED = 50;

/**
 * The entities of a deep link to look up: repeats merged (their permissions joined), the
 * first {@link MAX_LINKED} kept; `leftOut` counts the distinct ones beyond.
 */
export function linkedToResolve(entities: DeepLink['entities']): {
  entities: DeepLink['entities'];
  leftOut: number;
} {
  const byKey = new Map<string, DeepLink['entities'][number]>();
  for (const e of entities) {
    const key = normalizeRef(e.ref) ?? e.ref;
    const seen = byKey.get(key);
    byKey.set(key, {
      ref: seen?.ref ?? e.ref,
      permissions: [
        ...new Set([...(seen?.permissions ?? []), ...e.permissions]),
      ],
    });
  }
  const distinct = [...byKey.values()];
  return {
    entities: distinct.slice(0, MAX_LINKED),
    leftOut: Math.max(0, distinct.length - MAX_LINKED),
  };
}

/**
 * Reads `?entity=<ref>&permission=<name>`: several `entity` params are allowed; as many
 * `permission` params pair up with them in order, otherwise every permission applies to
 * every entity.
 */
export function parseDeepLink(search: string): DeepLink {
  const params = new URLSearchParams(search);
  const refs = params
    .getAll('entity')
    .map(e => e.trim())
    .filter(Boolean);
  const permissions = params
    .getAll('permission')
    .flatMap(p => p.split(','))
    .map(p => p.trim())
    .filter(Boolean);
  const paired = refs.length > 1 && permissions.length === refs.length;
  return {
    entities: refs.map((ref, i) => ({
      ref,
      permissions: paired ? [permissions[i]] : permissions,
    })),
    bundleId: params.get('bundle')?.trim() || undefined,
  };
}
