import { createHash } from 'node:crypto';
import { parseEntityRef } from '@backstage/catalog-model';

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated. */
export const MAX_ROLE_NAME_LENGTH = 63;

/**
 * The default `rolePrefix`.
 * @public
 */
export const DEFAULT_ROLE_PREFIX = 'jit_';

/** Hex characters of the request hash in a role name. */
const HASH_LENGTH = 10;

/**
 * The login role of one grant on one target, e.g. `jit_alice_3f2a9c1d0e` for
 * `user:default/alice`: the prefix, the user's name reduced to `[a-z0-9_]`, and a hash of
 * the request id and target name. The same inputs always give the same name, which is what
 * makes grant and revoke idempotent without any state outside the database. The target is
 * part of the hash because roles are cluster-wide: two targets that are databases of one
 * cluster get separate roles.
 * @public
 */
export function loginRoleName(options: {
  rolePrefix: string;
  requester: string;
  requestId: string;
  target: string;
}): string {
  const { rolePrefix, requester, requestId, target } = options;
  let name: string;
  try {
    name = parseEntityRef(requester, { defaultKind: 'user' }).name;
  } catch {
    name = requester;
  }
  const hash = createHash('sha256')
    .update(`${requestId}\u0000${target}`)
    .digest('hex')
    .slice(0, HASH_LENGTH);
  const room = MAX_ROLE_NAME_LENGTH - rolePrefix.length - 1 - HASH_LENGTH;
  const user =
    name
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/_+/g, '_')
      .slice(0, Math.max(room, 0))
      .replace(/^_+|_+$/g, '') || 'user';
  return `${rolePrefix}${user.slice(0, Math.max(room, 1))}_${hash}`;
}

/**
 * What the role's comment starts with: marks the role as made by JIT Access for this request
 * and target, so that a role of the same name made by anyone else is never changed or
 * dropped.
 */
export function ownershipMarker(requestId: string, target: string): string {
  return `JIT Access request ${safeText(requestId)} target ${safeText(target)}`;
}

/** Text for a role comment: printable ASCII without `?` (see `literal`). */
export function safeText(value: string): string {
  return value.replace(/[^\x20-\x3e\x40-\x7e]/g, '_');
}
