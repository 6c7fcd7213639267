import { LoggerService } from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';
import { PostgresTarget } from './config';

/** Connection settings of the admin pools. */
export const POOL_DEFAULTS = {
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 15_000,
  acquireTimeoutMs: 10_000,
  maxConnections: 2,
  idleTimeoutMs: 60_000,
  /** How long revoke waits for terminated sessions to go away. */
  terminateWaitMs: 5_000,
};

/**
 * An admin connection pool to a target, or to another database of the target's cluster
 * (`database`), with the target's credentials.
 */
export function openAdminPool(options: {
  provisionerId: string;
  target: PostgresTarget;
  logger: LoggerService;
  database?: string;
}): Knex {
  const { provisionerId, target, logger } = options;
  const database = options.database ?? target.database;
  const text = (message: unknown) =>
    `PostgreSQL target "${target.name}"${
      database === target.database ? '' : ` (database "${database}")`
    }: ${message instanceof Error ? message.message : String(message)}`;
  return knexFactory({
    client: 'pg',
    connection: {
      host: target.host,
      port: target.port,
      database,
      user: target.user,
      password: target.password,
      ssl: target.ssl,
      application_name: `backstage-jit-access:${provisionerId}`.slice(0, 63),
      connectionTimeoutMillis: POOL_DEFAULTS.connectTimeoutMs,
      statement_timeout: POOL_DEFAULTS.statementTimeoutMs,
    },
    pool: {
      min: 0,
      max: POOL_DEFAULTS.maxConnections,
      idleTimeoutMillis: POOL_DEFAULTS.idleTimeoutMs,
    },
    acquireConnectionTimeout: POOL_DEFAULTS.acquireTimeoutMs,
    // knex logs to the console by default; its messages carry no passwords.
    log: {
      warn: m => logger.warn(text(m)),
      error: m => logger.error(text(m)),
      deprecate: (method, alternative) =>
        logger.debug(`knex: ${method} is deprecated, use ${alternative}`),
      debug: m => logger.debug(text(m)),
    },
  });
}
