import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';

/** Members of this group administer JIT access. */
export const PLATFORM_ADMINS_GROUP_REF = 'group:default/platform-admins';

/**
 * Permissions (by name) reserved to platform admins: `access.admin` and
 * `access.audit.read` from `@jit-access/plugin-access-common`.
 */
export const PLATFORM_ADMIN_PERMISSIONS: ReadonlySet<string> = new Set([
  'access.admin',
  'access.audit.read',
]);

/**
 * The demo's permission policy:
 * - `access.admin` and `access.audit.read` are ALLOWed to members of
 *   `group:default/platform-admins` and DENYed to everyone else (including
 *   service principals, which have no user);
 * - every other permission is ALLOWed, so the catalog and the rest keep working
 *   (the access plugin applies its own rules, e.g. flows and approvers).
 */
export class JitAccessPermissionPolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (PLATFORM_ADMIN_PERMISSIONS.has(request.permission.name)) {
      return isPlatformAdmin(user)
        ? { result: AuthorizeResult.ALLOW }
        : { result: AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

function isPlatformAdmin(user?: PolicyQueryUser): boolean {
  // `info` is filled in by the permission backend from the user's token
  // (the user's own ref plus the groups it is a member of).
  const refs = user?.info?.ownershipEntityRefs ?? [];
  return refs.some(
    ref =>
      ref.toLocaleLowerCase('en-US') ===
      PLATFORM_ADMINS_GROUP_REF.toLocaleLowerCase('en-US'),
  );
}
