import { Knex } from 'knex';
import { cleanError, ident } from './sql';

/** The part of a node-postgres client this needs. */
interface PgConnection {
  query(sql: string): Promise<unknown>;
  on(event: 'notice', listener: (notice: PgNotice) => void): unknown;
  off(event: 'notice', listener: (notice: PgNotice) => void): unknown;
}

interface PgNotice {
  message?: string;
  detail?: string;
}

/**
 * Runs `DROP OWNED BY <role> CASCADE` on one connection of the pool and returns what the
 * server said it dropped besides the role's own objects: objects of other roles built on
 * them (a view over the role's function, a column of the role's type, ...).
 */
export async function dropOwnedCascade(
  db: Knex,
  role: string,
): Promise<string[]> {
  const sql = `DROP OWNED BY ${ident(role)} CASCADE`;
  const connection: PgConnection = await db.client.acquireConnection();
  const cascaded: string[] = [];
  // PostgreSQL names one dependent in the message, several in the detail.
  const onNotice = (notice: PgNotice) => {
    const text = notice.detail || notice.message || '';
    for (const line of text.split('\n')) {
      if (line.trim())
        cascaded.push(line.trim().replace(/^drop cascades to /, ''));
    }
  };
  connection.on('notice', onNotice);
  try {
    await connection.query(sql);
  } catch (e) {
    throw cleanError(e, undefined, []);
  } finally {
    connection.off('notice', onNotice);
    await db.client.releaseConnection(connection);
  }
  return cascaded;
}
