import { Knex } from 'knex';
import { POOL_DEFAULTS } from './pools';
import { dropOwnedCascade } from './dropOwned';
import { ident, run } from './sql';

/**
 * Ends a JIT login role for good: no new logins and no roles left to it, open sessions
 * terminated, then everything it owns or was granted dropped in every database of the
 * cluster where it has any, and the role dropped.
 *
 * What the login created is dropped, never handed to anyone: a `SECURITY DEFINER`
 * function or a view granted to `PUBLIC` reassigned to the admin would keep running with
 * the admin's rights after access ends. The drop cascades to other roles' objects built on
 * the login's (a view of its db role over its function), so none can pin the login in place
 * with its rights. Should a drop still fail (a database unreachable), the login left behind
 * can neither log in nor use its former roles, and the revoke is retried.
 */
export async function dropLoginRole(options: {
  /** The admin pool of the target the role was made on. */
  db: Knex;
  role: string;
  /** True while the role is still the one JIT Access made for the request. */
  isOurs(tx: Knex.Transaction): Promise<boolean>;
  /** A short-lived admin pool to another database of the same cluster. */
  openDatabase(name: string): Knex;
  /** Told of other roles' objects a drop took with the login's, per database. */
  onCascade(database: string, dropped: string[]): void;
}): Promise<boolean> {
  const { db, role, isOurs } = options;
  const present = await db.transaction(async tx => {
    await run(tx, 'SELECT pg_advisory_xact_lock(hashtext(?))', [role]);
    if (!(await isOurs(tx))) return false;
    await run(tx, `ALTER ROLE ${ident(role)} WITH NOLOGIN`);
    await leaveRoles(tx, role);
    return true;
  });
  if (!present) return false;

  await terminateSessions(db, role);

  const [{ database: here }] = await run<{ database: string }>(
    db,
    'SELECT current_database() AS database',
  );
  await dropOwned(db, role, here, options.onCascade);
  // pg_stat_activity and pg_shdepend are cluster-wide: sessions and objects in any database.
  for (const database of await otherDatabasesWithDependencies(db, role)) {
    const other = options.openDatabase(database);
    try {
      await dropOwned(other, role, database, options.onCascade);
    } catch (e) {
      throw new Error(
        `Could not drop what ${role} owns in database "${database}" of the same cluster: ${
          (e as Error).message
        }`,
      );
    } finally {
      await other.destroy();
    }
  }

  await db.transaction(async tx => {
    await run(tx, 'SELECT pg_advisory_xact_lock(hashtext(?))', [role]);
    if (!(await isOurs(tx))) return;
    // Also revokes its privileges here and on shared objects (databases, tablespaces).
    await run(tx, `DROP OWNED BY ${ident(role)} CASCADE`);
    await run(tx, `DROP ROLE IF EXISTS ${ident(role)}`);
  });
  return true;
}

/**
 * Takes the role out of every role it belongs to, so that whatever of it outlives a failed
 * revoke (a `SECURITY DEFINER` function) runs with none of their rights: `NOLOGIN` alone
 * does not stop that.
 */
async function leaveRoles(tx: Knex.Transaction, role: string): Promise<void> {
  const joined = await run<{ rolname: string }>(
    tx,
    `SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
      WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = ?) ORDER BY r.rolname`,
    [role],
  );
  if (!joined.length) return;
  await run(
    tx,
    `REVOKE ${joined.map(r => ident(r.rolname)).join(', ')} FROM ${ident(
      role,
    )}`,
  );
}

/** Drops what the role owns in one database, and reports what that took along. */
async function dropOwned(
  db: Knex,
  role: string,
  database: string,
  onCascade: (database: string, dropped: string[]) => void,
): Promise<void> {
  const cascaded = await dropOwnedCascade(db, role);
  if (cascaded.length) onCascade(database, cascaded);
}

/** Terminates the role's sessions (it can no longer log in) and waits for them to end. */
async function terminateSessions(db: Knex, role: string): Promise<void> {
  const deadline = Date.now() + POOL_DEFAULTS.terminateWaitMs;
  for (;;) {
    const sessions = await run<{ pid: number }>(
      db,
      'SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ? AND pid <> pg_backend_pid()',
      [role],
    );
    if (!sessions.length) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${sessions.length} session(s) of ${role} did not end after pg_terminate_backend; the role can no longer log in and the revoke will be retried`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

/** Databases other than the connected one where the role owns objects or holds privileges. */
async function otherDatabasesWithDependencies(
  db: Knex,
  role: string,
): Promise<string[]> {
  const rows = await run<{ datname: string }>(
    db,
    `SELECT DISTINCT d.datname FROM pg_shdepend s
       JOIN pg_database d ON d.oid = s.dbid
      WHERE s.refclassid = 'pg_authid'::regclass
        AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = ?)
        AND d.datname <> current_database()
      ORDER BY d.datname`,
    [role],
  );
  return rows.map(r => r.datname);
}
