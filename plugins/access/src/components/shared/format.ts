import { AccessRequest } from '@jit-access/plugin-access-common';
import { parseEntityRef } from '@backstage/catalog-model';
import { DateTime } from 'luxon';

/** `3600` → `1h`, `5400` → `1h 30m`, `90` → `1m 30s`. */
export function formatSeconds(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [
    h ? `${h}h` : '',
    m ? `${m}m` : '',
    s && !h ? `${s}s` : '',
  ].filter(Boolean);
  return parts.join(' ') || '0s';
}

/** `resource:default/orders-db` → `orders-db` (namespace shown only when not default). */
export function shortRef(ref: string): string {
  try {
    const r = parseEntityRef(ref);
    return r.namespace === 'default' ? r.name : `${r.namespace}/${r.name}`;
  } catch {
    return ref;
  }
}

/** `orders-db (read, write), prod-eks (read)`. */
export function describeResources(r: Pick<AccessRequest, 'resources'>): string {
  return r.resources
    .map(x => `${shortRef(x.entityRef)} (${x.permissions.join(', ')})`)
    .join(', ');
}

/** `5 minutes ago`. */
export function relativeTime(iso: string): string {
  return DateTime.fromISO(iso).toRelative() ?? iso;
}
