import {
  CompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  accessAdminPermission,
  accessAuditReadPermission,
} from '@jit-access/plugin-access-common';

/** The config key that lists who administers access. */
const ADMINS_KEY = 'access.permissionPolicy.admins';

/** Who administers access when {@link ADMINS_KEY} is not set. */
const DEFAULT_ADMINS: readonly string[] = ['group:default/platform-admins'];

/**
 * The names of the permissions that {@link AccessPermissionPolicy} reserves to the admins:
 * `access.admin` (every request, revoking any grant, the admin page) and `access.audit.read`
 * (the audit log), both from `@jit-access/plugin-access-common`.
 *
 * @public
 */
export const ACCESS_ADMIN_PERMISSIONS: ReadonlySet<string> = new Set([
  accessAdminPermission.name,
  accessAuditReadPermission.name,
]);

/**
 * A permission policy for JIT Access:
 *
 * - the permissions in {@link ACCESS_ADMIN_PERMISSIONS} are allowed to users whose
 *   `ownershipEntityRefs` (the user itself and its groups) include one of the admin refs,
 *   compared case-insensitively, and denied to everyone else, including calls without a
 *   user;
 * - every other permission is allowed: the access plugin applies its own rules (flows,
 *   approvers) and the rest of Backstage keeps working.
 *
 * @public
 */
export class AccessPermissionPolicy implements PermissionPolicy {
  /**
   * Reads the admins from `access.permissionPolicy.admins` (default
   * `['group:default/platform-admins']`).
   *
   * @throws Error naming the key and index of a ref that is not a user or group entity ref.
   */
  static fromConfig(config: Config): AccessPermissionPolicy {
    const admins = config.getOptionalStringArray(ADMINS_KEY) ?? DEFAULT_ADMINS;
    // Checked here first, so that an error names the config key.
    normalizeAdminRefs(admins, ADMINS_KEY);
    return new AccessPermissionPolicy({ admins: [...admins] });
  }

  readonly #admins: ReadonlySet<string>;

  /**
   * @param options - `admins`: user or group entity refs (`group:default/platform-admins`,
   *   `user:default/pat`; the namespace defaults to `default`). Their members administer
   *   access. An empty list leaves the admin permissions to no one.
   * @throws Error naming the index of a ref that is not a user or group entity ref.
   */
  constructor(options: { admins: string[] }) {
    this.#admins = new Set(normalizeAdminRefs(options.admins, 'admins'));
  }

  /** The admin refs in canonical, lower-case form (`kind:namespace/name`). */
  get admins(): string[] {
    return [...this.#admins];
  }

  /**
   * ALLOW or DENY for the permissions in {@link ACCESS_ADMIN_PERMISSIONS} (admins or
   * not), ALLOW for every other permission. Never CONDITIONAL.
   */
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (ACCESS_ADMIN_PERMISSIONS.has(request.permission.name)) {
      return this.#isAdmin(user)
        ? { result: AuthorizeResult.ALLOW }
        : { result: AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }

  #isAdmin(user?: PolicyQueryUser): boolean {
    // `info` is filled in by the permission backend from the user's token: the user's own
    // ref and the groups it is a member of.
    const refs = user?.info?.ownershipEntityRefs ?? [];
    return refs.some(ref => this.#admins.has(lowerCase(ref)));
  }
}

function normalizeAdminRefs(refs: readonly string[], key: string): string[] {
  return refs.map((ref, i) => normalizeAdminRef(ref, `${key}[${i}]`));
}

function normalizeAdminRef(ref: unknown, where: string): string {
  let parsed: CompoundEntityRef;
  try {
    if (typeof ref !== 'string') {
      throw new Error('not a string');
    }
    parsed = parseEntityRef(ref, { defaultNamespace: 'default' });
  } catch (e) {
    throw new Error(
      `${where}: ${JSON.stringify(
        ref,
      )} is not an entity ref like group:default/platform-admins (${
        (e as Error).message
      })`,
    );
  }
  const kind = lowerCase(parsed.kind);
  if (kind !== 'user' && kind !== 'group') {
    throw new Error(
      `${where}: ${JSON.stringify(
        ref,
      )} must be a user or group entity ref, not kind ${parsed.kind}`,
    );
  }
  return lowerCase(stringifyEntityRef(parsed));
}

function lowerCase(ref: string): string {
  return ref.toLocaleLowerCase('en-US');
}
