import { Knex } from 'knex';

/** The two escaping helpers of node-postgres (which ships no type declarations). */
interface PgEscaping {
  escapeIdentifier(value: string): string;
  escapeLiteral(value: string): string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg: PgEscaping = require('pg');

/**
 * knex rewrites every `?` of a statement into a `$n` placeholder, even inside quoted
 * identifiers and literals, so text spliced into SQL must not contain one (PostgreSQL
 * refuses NUL characters anyway).
 */
function assertSpliceable(value: string, what: string): string {
  if (value.includes('?') || value.includes('\0')) {
    throw new Error(`${what} must not contain "?" or NUL characters`);
  }
  return value;
}

/** A double-quoted SQL identifier. */
export function ident(name: string): string {
  return pg.escapeIdentifier(assertSpliceable(name, 'A role name'));
}

/** A single-quoted SQL literal, for the places (DDL) where bound parameters are not allowed. */
export function literal(value: string): string {
  return pg.escapeLiteral(assertSpliceable(value, 'A literal'));
}

/**
 * Runs a statement, rethrowing failures without the statement text knex prepends to the
 * message (it could hold a password verifier) and with any of `secrets` redacted.
 */
export async function run<T = Record<string, unknown>>(
  db: Knex | Knex.Transaction,
  sql: string,
  bindings: readonly Knex.RawBinding[] = [],
  secrets: readonly string[] = [],
): Promise<T[]> {
  const query = db.raw(sql, bindings as Knex.RawBinding[]);
  try {
    const result = (await query) as { rows?: T[] };
    return result.rows ?? [];
  } catch (e) {
    throw cleanError(e, query.toSQL().sql, secrets);
  }
}

/** The error of a failed statement, without the statement and secrets in its message. */
export function cleanError(
  e: unknown,
  sentSql: string | undefined,
  secrets: readonly string[],
): Error {
  const original = e as Error & { code?: string };
  let message = String(original?.message ?? e);
  if (sentSql && message.startsWith(`${sentSql} - `)) {
    message = message.slice(sentSql.length + 3);
  }
  for (const secret of secrets) {
    if (secret) message = message.split(secret).join('[redacted]');
  }
  const clean = new Error(message);
  if (original?.code) (clean as Error & { code?: string }).code = original.code;
  return clean;
}
