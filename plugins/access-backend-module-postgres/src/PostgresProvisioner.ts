import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  AccessProvisioner,
  ProvisionedResource,
  ProvisionerGrantResult,
  ProvisionerRequest,
} from '@jit-access/plugin-access-node';
import { Knex } from 'knex';
import { PostgresProvisionerSettings, PostgresTarget } from './config';
import { whereRoleCanCreate } from './createRights';
import { dropLoginRole } from './dropLoginRole';
import { openAdminPool } from './pools';
import { loginRoleName, ownershipMarker, safeText } from './roleName';
import { generatePassword, scramSha256Verifier } from './secrets';
import { ident, literal, run } from './sql';

/**
 * The annotation on a catalog entity that names the target database of a provisioner.
 * @public
 */
export const POSTGRES_TARGET_ANNOTATION = 'jit-access/postgres-target';

/** What a grant needs on one target: the database roles to grant. */
interface TargetPlan {
  target: PostgresTarget;
  dbRoles: string[];
}

interface RoleRow {
  comment: string | null;
}

/**
 * Grants access to PostgreSQL databases by creating one login role per grant and target,
 * member of the database roles the requested permissions map to, and drops it when access
 * ends.
 *
 * Stateless: the role name is derived from the requester, request id and target, and the
 * role's comment marks it as ours, so a repeated grant or revoke finds the work already done.
 * @public
 */
export class PostgresProvisioner implements AccessProvisioner {
  private readonly pools = new Map<string, Knex>();
  private closed = false;

  constructor(
    private readonly options: {
      id: string;
      settings: PostgresProvisionerSettings;
      logger: LoggerService;
    },
  ) {}

  async grant(request: ProvisionerRequest): Promise<ProvisionerGrantResult> {
    this.assertOpen();
    const expiresAt = new Date(request.expiresAt);
    if (Number.isNaN(expiresAt.getTime())) {
      throw new Error(`Invalid expiresAt "${request.expiresAt}"`);
    }
    // Every resource is checked before anything changes in a database.
    const plans = this.planGrant(request.resources);
    const done: TargetPlan[] = [];
    const perTarget: Array<{
      target: PostgresTarget;
      details: Record<string, string>;
    }> = [];
    try {
      for (const plan of plans) {
        done.push(plan);
        perTarget.push({
          target: plan.target,
          details: await this.grantOnTarget(plan, request, expiresAt),
        });
      }
    } catch (e) {
      // The request fails as a whole; leave no login behind on the targets already done.
      for (const plan of done) {
        await this.revokeOnTarget(plan.target, request).catch(cleanupError =>
          this.options.logger.error(
            `Could not drop the login role on target "${plan.target.name}" after a failed grant of request ${request.requestId}: ${cleanupError.message}`,
          ),
        );
      }
      throw e;
    }
    const accessDetails: Record<string, string> = {};
    for (const { target, details } of perTarget) {
      for (const [key, value] of Object.entries(details)) {
        accessDetails[perTarget.length === 1 ? key : `${target.name}.${key}`] =
          value;
      }
    }
    return { accessDetails };
  }

  async revoke(request: ProvisionerRequest): Promise<void> {
    this.assertOpen();
    const errors: string[] = [];
    for (const target of this.targetsToRevoke(request.resources)) {
      try {
        await this.revokeOnTarget(target, request);
      } catch (e) {
        errors.push(`target "${target.name}": ${(e as Error).message}`);
      }
    }
    if (errors.length) {
      throw new Error(`Could not drop the login role on ${errors.join('; ')}`);
    }
  }

  /** Moves the login roles' `VALID UNTIL` to the new end of access. */
  async extend(request: ProvisionerRequest): Promise<void> {
    this.assertOpen();
    const expiresAt = new Date(request.expiresAt);
    if (Number.isNaN(expiresAt.getTime())) {
      throw new Error(`Invalid expiresAt "${request.expiresAt}"`);
    }
    for (const plan of this.planGrant(request.resources)) {
      const role = this.roleName(request, plan.target);
      const marker = ownershipMarker(request.requestId, plan.target.name);
      await this.db(plan.target).transaction(async tx => {
        await run(tx, 'SELECT pg_advisory_xact_lock(hashtext(?))', [role]);
        if (!(await this.findRole(tx, role, marker, plan.target))) {
          throw new Error(
            `No login role ${role} on target "${plan.target.name}" for request ${request.requestId} to extend`,
          );
        }
        await run(
          tx,
          `ALTER ROLE ${ident(role)} VALID UNTIL ${literal(
            expiresAt.toISOString(),
          )}`,
        );
      });
      this.options.logger.info(
        `Extended PostgreSQL login role ${role} on target "${
          plan.target.name
        }" until ${expiresAt.toISOString()}`,
      );
    }
  }

  /** Closes the connection pools; the provisioner refuses further work. */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map(p => p.destroy()));
  }

  // ------------------------------------------------------------------ planning

  private planGrant(resources: ProvisionedResource[]): TargetPlan[] {
    const { permissions } = this.options.settings;
    const byTarget = new Map<string, TargetPlan>();
    for (const resource of resources) {
      const target = this.targetOf(resource);
      if (!resource.permissions.length) {
        throw new Error(
          `No permission requested on ${
            resource.entityRef
          }; the postgres provisioner "${this.options.id}" grants ${this.known([
            ...permissions.keys(),
          ])}`,
        );
      }
      const plan = byTarget.get(target.name) ?? { target, dbRoles: [] };
      for (const permission of resource.permissions) {
        const roles = permissions.get(permission);
        if (!roles) {
          throw new Error(
            `Permission "${permission}" requested on ${
              resource.entityRef
            } is not configured for the postgres provisioner "${
              this.options.id
            }" (configured: ${this.known([...permissions.keys()])})`,
          );
        }
        for (const role of roles) {
          if (!plan.dbRoles.includes(role)) plan.dbRoles.push(role);
        }
      }
      byTarget.set(target.name, plan);
    }
    return [...byTarget.values()].sort((a, b) =>
      a.target.name.localeCompare(b.target.name),
    );
  }

  /** The target a resource's entity names; throws a message for the requester otherwise. */
  private targetOf(resource: ProvisionedResource): PostgresTarget {
    const { targets } = this.options.settings;
    const ref = resource.entityRef;
    if (!resource.entity) {
      throw new Error(
        `${ref} is not in the catalog, so the postgres provisioner "${this.options.id}" cannot read its ${POSTGRES_TARGET_ANNOTATION} annotation`,
      );
    }
    const name =
      resource.entity.metadata.annotations?.[POSTGRES_TARGET_ANNOTATION];
    if (!name) {
      throw new Error(
        `${ref} has no ${POSTGRES_TARGET_ANNOTATION} annotation naming the database; the postgres provisioner "${
          this.options.id
        }" has the targets ${this.known([...targets.keys()])}`,
      );
    }
    const target = targets.get(name);
    if (!target) {
      throw new Error(
        `The ${POSTGRES_TARGET_ANNOTATION} annotation of ${stringifyEntityRef(
          resource.entity,
        )} names target "${name}", which the postgres provisioner "${
          this.options.id
        }" does not have (targets: ${this.known([...targets.keys()])})`,
      );
    }
    return target;
  }

  /**
   * The targets whose login role a revoke drops. When a resource's target can no longer be
   * told (the entity left the catalog or lost its annotation since the grant), every target
   * is tried: the role name is unique to the request and target, so that is safe, and
   * access must not outlive its end because of a catalog edit.
   */
  private targetsToRevoke(resources: ProvisionedResource[]): PostgresTarget[] {
    const found = new Map<string, PostgresTarget>();
    for (const resource of resources) {
      try {
        const target = this.targetOf(resource);
        found.set(target.name, target);
      } catch (e) {
        this.options.logger.warn(
          `${
            (e as Error).message
          }; revoking on every target of the provisioner`,
        );
        return [...this.options.settings.targets.values()];
      }
    }
    return [...found.values()];
  }

  private known(names: string[]): string {
    return names.length ? names.map(n => `"${n}"`).join(', ') : '(none)';
  }

  // ------------------------------------------------------------------ database work

  private roleName(request: ProvisionerRequest, target: PostgresTarget) {
    return loginRoleName({
      rolePrefix: this.options.settings.rolePrefix,
      requester: request.requester,
      requestId: request.requestId,
      target: target.name,
    });
  }

  /** Creates (or, when it exists from an earlier attempt, resets) the login role. */
  private async grantOnTarget(
    plan: TargetPlan,
    request: ProvisionerRequest,
    expiresAt: Date,
  ): Promise<Record<string, string>> {
    const { target, dbRoles } = plan;
    const role = this.roleName(request, target);
    const password = generatePassword();
    const verifier = await scramSha256Verifier(password);
    const secrets = [password, verifier];
    const marker = ownershipMarker(request.requestId, target.name);
    const comment = `${marker} for ${safeText(
      request.requester,
    )} until ${expiresAt.toISOString()}`;
    const attributes = [
      'LOGIN',
      `CONNECTION LIMIT ${this.options.settings.connectionLimit}`,
      `PASSWORD ${literal(verifier)}`,
      `VALID UNTIL ${literal(expiresAt.toISOString())}`,
    ].join(' ');

    let existed = false;
    await this.db(target).transaction(async tx => {
      // Two attempts of the same grant (a retry racing a slow first try) take turns.
      await run(tx, 'SELECT pg_advisory_xact_lock(hashtext(?))', [role]);
      const existing = await this.findRole(tx, role, marker, target);
      existed = Boolean(existing);
      if (existing) {
        await run(
          tx,
          `ALTER ROLE ${ident(role)} WITH ${attributes}`,
          [],
          secrets,
        );
      } else {
        await run(
          tx,
          `CREATE ROLE ${ident(
            role,
          )} WITH ${attributes} INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`,
          [],
          secrets,
        );
      }
      await run(tx, `COMMENT ON ROLE ${ident(role)} IS ${literal(comment)}`);
      await run(tx, `GRANT ${dbRoles.map(ident).join(', ')} TO ${ident(role)}`);
      // Membership lets an admin without superuser terminate the role's sessions and
      // drop what it owns when access ends.
      await run(tx, `GRANT ${ident(role)} TO CURRENT_USER`);
    });
    this.options.logger.info(
      `${
        existed ? 'Reset' : 'Created'
      } PostgreSQL login role ${role} on target "${target.name}" for request ${
        request.requestId
      } (${request.requester}), roles ${dbRoles.join(
        ', ',
      )}, valid until ${expiresAt.toISOString()}`,
    );
    await this.warnIfCanCreate(target, role);
    return {
      host: target.host,
      port: String(target.port),
      database: target.database,
      user: role,
      password,
    };
  }

  /**
   * Tells the admin when a login may create objects: they lend its rights to others while
   * access lasts, and objects made as one of its roles (SET ROLE) survive the revoke.
   */
  private async warnIfCanCreate(target: PostgresTarget, role: string) {
    try {
      const places = await whereRoleCanCreate(this.db(target), role);
      if (!places.length) return;
      this.options.logger.warn(
        `PostgreSQL login role ${role} on target "${
          target.name
        }" can create objects (${places.join(
          ', ',
        )}) through PUBLIC or its roles; what it creates lends its rights to others until access ends, and what it creates as one of its roles outlives it: REVOKE CREATE (see the module's README)`,
      );
    } catch (e) {
      // Only advice: the grant stands.
      this.options.logger.debug(
        `Could not tell where ${role} may create objects: ${
          (e as Error).message
        }`,
      );
    }
  }

  /** Ends the login: no new sessions, open ones terminated, it and its objects dropped. */
  private async revokeOnTarget(
    target: PostgresTarget,
    request: ProvisionerRequest,
  ): Promise<void> {
    const db = this.db(target);
    const role = this.roleName(request, target);
    const marker = ownershipMarker(request.requestId, target.name);
    // The role of this target, plus any role of the same request made under another target
    // name on this cluster: a target renamed in config must not orphan its grants.
    const roles = new Set<string>();
    if (await this.findRole(db, role, marker, target)) roles.add(role);
    for (const other of await this.rolesOfRequest(db, request.requestId)) {
      if (other !== role) {
        this.options.logger.warn(
          `Found login role ${other} of request ${request.requestId} made under another target name; dropping it too`,
        );
      }
      roles.add(other);
    }
    if (!roles.size) {
      this.options.logger.debug(
        `PostgreSQL login role ${role} on target "${target.name}" is already gone (request ${request.requestId})`,
      );
      return;
    }
    for (const name of roles) await this.dropRole(db, name, target, request);
  }

  /** Login roles on this cluster whose comment marks them as made for the request. */
  private async rolesOfRequest(
    db: Knex | Knex.Transaction,
    requestId: string,
  ): Promise<string[]> {
    // LIKE needs its wildcards escaped; the marker's target part is left open.
    const prefix = ownershipMarker(requestId, '').replace(/[\\%_]/g, '\\$&');
    const rows = await run<{ rolname: string }>(
      db,
      "SELECT rolname FROM pg_roles WHERE shobj_description(oid, 'pg_authid') LIKE ? ORDER BY rolname",
      [`${prefix}%`],
    );
    return rows.map(r => r.rolname);
  }

  /** Ends the role's sessions and drops it with what it owns, in every database. */
  private async dropRole(
    db: Knex,
    role: string,
    target: PostgresTarget,
    request: ProvisionerRequest,
  ): Promise<void> {
    const dropped = await dropLoginRole({
      db,
      role,
      isOurs: async tx =>
        (await this.rolesOfRequest(tx, request.requestId)).includes(role),
      openDatabase: database =>
        openAdminPool({
          provisionerId: this.options.id,
          target,
          logger: this.options.logger,
          database,
        }),
      onCascade: (database, objects) =>
        this.options.logger.warn(
          `Dropping what PostgreSQL login role ${role} owned in database "${database}" of target "${
            target.name
          }" also dropped objects of other roles built on it: ${objects.join(
            ', ',
          )}`,
        ),
    });
    if (dropped) {
      this.options.logger.info(
        `Dropped PostgreSQL login role ${role} on target "${target.name}", and what it owned, for request ${request.requestId} (${request.requester})`,
      );
    }
  }

  /** The role if it exists; throws when a role of that name exists but is not ours. */
  private async findRole(
    db: Knex | Knex.Transaction,
    role: string,
    marker: string,
    target: PostgresTarget,
  ): Promise<RoleRow | undefined> {
    const [row] = await run<RoleRow>(
      db,
      "SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = ?",
      [role],
    );
    if (!row) return undefined;
    const comment = row.comment ?? '';
    if (comment !== marker && !comment.startsWith(`${marker} `)) {
      throw new Error(
        `A role named ${role} exists on target "${target.name}" but was not created by JIT Access for this request; it is left untouched`,
      );
    }
    return row;
  }

  private db(target: PostgresTarget): Knex {
    this.assertOpen();
    let db = this.pools.get(target.name);
    if (!db) {
      db = openAdminPool({
        provisionerId: this.options.id,
        target,
        logger: this.options.logger,
      });
      this.pools.set(target.name, db);
    }
    return db;
  }

  private assertOpen() {
    if (this.closed) {
      throw new Error(
        `The postgres provisioner "${this.options.id}" is shut down`,
      );
    }
  }
}
