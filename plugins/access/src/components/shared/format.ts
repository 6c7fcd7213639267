import { AccessRequest } from '@jit-access/plugin-access-common';
import { shortRef } from '../../lib/entityRefs';
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

/** `9000` → `2.5`, `28800` → `8`: hours as users type them. */
export function secondsToHours(seconds: number): string {
  return String(Math.round((seconds / 3600) * 100) / 100);
}

/** `alice`, `alice or bob`, `alice, bob or 3 others`. */
export function listPeople(refs: string[], joiner = 'or'): string {
  const names = refs.map(shortRef);
  if (names.length === 0) return 'nobody';
  if (names.length === 1) return names[0];
  if (names.length <= 4)
    return `${names.slice(0, -1).join(', ')} ${joiner} ${
      names[names.length - 1]
    }`;
  return `${names.slice(0, 3).join(', ')} ${joiner} ${names.length - 3} others`;
}

/**
 * `orders-db (read, write), prod-eks (read)`; with `max`, only the first `max` resources
 * are named: `orders-db (read), prod-eks (read) and 3 more`.
 */
export function describeResources(
  r: {
    resources: Pick<
      AccessRequest['resources'][number],
      'entityRef' | 'permissions'
    >[];
  },
  max = Infinity,
): string {
  const shown = r.resources
    .slice(0, max)
    .map(x => `${shortRef(x.entityRef)} (${x.permissions.join(', ')})`)
    .join(', ');
  const more = r.resources.length - max;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

/** The permissions a request asks on one entity (`read, write`); else those of its first resource. */
export function permissionsOn(
  r: Pick<AccessRequest, 'resources'>,
  entityRef: string,
): string {
  const item =
    r.resources.find(x => x.entityRef === entityRef) ?? r.resources[0];
  return item ? item.permissions.join(', ') : '';
}

/** `5 minutes ago`. */
export function relativeTime(iso: string): string {
  return DateTime.fromISO(iso).toRelative() ?? iso;
}

/** An ISO time in the user's locale, e.g. `Mar 5, 2025, 10:02 AM`. */
export function formatTime(iso: string): string {
  const t = DateTime.fromISO(iso);
  return t.isValid ? t.toLocaleString(DateTime.DATETIME_MED) : iso;
}
