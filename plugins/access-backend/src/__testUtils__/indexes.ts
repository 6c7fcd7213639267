import { Knex } from 'knex';
import { resolve } from 'path';

/** The plugin's migrations folder. */
export const MIGRATIONS = resolve(__dirname, '../../migrations');

/** The names of a table's indexes, on PostgreSQL or SQLite. */
export async function indexesOf(knex: Knex, table: string): Promise<string[]> {
  if (knex.client.config.client === 'pg') {
    return knex('pg_indexes')
      .where({ tablename: table })
      .whereRaw('schemaname = current_schema()')
      .pluck('indexname');
  }
  return knex('sqlite_master')
    .where({ type: 'index', tbl_name: table })
    .pluck('name');
}
