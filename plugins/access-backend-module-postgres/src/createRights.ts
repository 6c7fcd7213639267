import { Knex } from 'knex';
import { run } from './sql';

/**
 * Where a role may create objects in the connected database (directly or through the roles
 * it belongs to): schemas, and the database itself (`CREATE SCHEMA`). System schemas are
 * left out.
 */
export async function whereRoleCanCreate(
  db: Knex,
  role: string,
): Promise<string[]> {
  const rows = await run<{ place: string }>(
    db,
    `SELECT 'database ' || quote_ident(current_database()) AS place
      WHERE has_database_privilege(?, current_database(), 'CREATE')
     UNION ALL
     SELECT 'schema ' || quote_ident(nspname) FROM pg_namespace
      WHERE has_schema_privilege(?, oid, 'CREATE')
        AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`,
    [role, role],
  );
  return rows.map(r => r.place).sort();
}
