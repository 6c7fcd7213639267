import { Knex } from 'knex';
import { POOL_DEFAULTS } from './pools';
import { ident, run } from './sql';

/**
 * Ends a JIT login role for good: no new logins, open sessions terminated, then everything
 * it owns or was granted dropped in every database of the cluster where it has any, and
 * the role dropped.
 *
 * What the login created is dropped, never handed to anyone: a `SECURITY DEFINER`
 * function or a view granted to `PUBLIC` reassigned to the admin would keep running with
 * the admin's rights after access ends. Dropping (RESTRICT) fails when someone else's
 * object depends on the login's; the revoke then fails and is retried, the role unable to
 * log in meanwhile.
 */
export async function dropLoginRole(options: {
  /** The admin pool of the target the role was made on. */
  db: Knex;
  role: string;
  /** True while the role is still the one JIT Access made for the request. */
  isOurs(tx: Knex.Transaction): Promise<boolean>;
  /** A short-lived admin pool to another database of the same cluster. */
  openDatabase(name: string): Knex;
}): Promise<boolean> {
  const { db, role, isOurs } = options;
  const present = await db.transaction(async tx => {
    await run(tx, 'SELECT pg_advisory_xact_lock(hashtext(?))', [role]);
    if (!(await isOurs(tx))) return false;
    await run(tx, `ALTER ROLE ${ident(role)} WITH NOLOGIN`);
    return true;
  });
  if (!present) return false;

  await terminateSessions(db, role);

  // pg_stat_activity and pg_shdepend are cluster-wide: sessions and objects in any database.
  for (const database of await otherDatabasesWithDependencies(db, role)) {
    const other = options.openDatabase(database);
    try {
      await run(other, `DROP OWNED BY ${ident(role)}`);
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
    await run(tx, `DROP OWNED BY ${ident(role)}`);
    await run(tx, `DROP ROLE IF EXISTS ${ident(role)}`);
  });
  return true;
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
