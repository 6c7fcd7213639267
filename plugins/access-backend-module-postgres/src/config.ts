import { Config } from '@backstage/config';
import { DEFAULT_ROLE_PREFIX, MAX_ROLE_NAME_LENGTH } from './roleName';

/**
 * One database the provisioner can create login roles on.
 * @public
 */
export interface PostgresTarget {
  /** The key under `targets`, named by the entity annotation. */
  name: string;
  host: string;
  port: number;
  database: string;
  /** The admin user the provisioner connects as. */
  user: string;
  password?: string;
  ssl?: boolean | { rejectUnauthorized?: boolean; ca?: string };
}

/**
 * The validated config of one `postgres` provisioner.
 * @public
 */
export interface PostgresProvisionerSettings {
  targets: Map<string, PostgresTarget>;
  /** Permission name → database roles granted to the login role. */
  permissions: Map<string, string[]>;
  rolePrefix: string;
  connectionLimit: number;
}

/** The default `connectionLimit` of each login role. @public */
export const DEFAULT_CONNECTION_LIMIT = 5;

/**
 * A config problem; the message starts with the key, relative to the provisioner config.
 * @public
 */
export class PostgresConfigError extends Error {
  constructor(key: string, problem: string) {
    super(`${key}: ${problem}`);
    this.name = 'PostgresConfigError';
  }
}

/** A database role name from the config, checked so that it can be quoted into SQL. */
function dbRoleName(value: unknown, key: string): string {
  if (typeof value !== 'string' || !value.trim()) {
    throw new PostgresConfigError(key, 'must be a database role name');
  }
  if (value.length > MAX_ROLE_NAME_LENGTH) {
    throw new PostgresConfigError(
      key,
      `"${value}" is longer than ${MAX_ROLE_NAME_LENGTH} characters, the limit for PostgreSQL role names`,
    );
  }
  if (value.includes('?') || value.includes('\0')) {
    throw new PostgresConfigError(
      key,
      `"${value}" must not contain "?" or NUL characters`,
    );
  }
  return value;
}

function readTarget(config: Config, name: string): PostgresTarget {
  const key = `targets.${name}`;
  const t = config.getConfig(key);
  const port = t.getOptionalNumber('port') ?? 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new PostgresConfigError(
      `${key}.port`,
      'must be a TCP port number (1-65535)',
    );
  }
  let ssl: PostgresTarget['ssl'];
  const rawSsl = t.getOptional('ssl');
  if (rawSsl !== undefined) {
    if (typeof rawSsl === 'object' && rawSsl !== null) {
      const sslConfig = t.getConfig('ssl');
      ssl = {
        rejectUnauthorized: sslConfig.getOptionalBoolean('rejectUnauthorized'),
        ca: sslConfig.getOptionalString('ca'),
      };
    } else {
      ssl = t.getBoolean('ssl');
    }
  }
  const nonEmpty = (k: string) => {
    const v = t.getString(k);
    if (!v.trim()) throw new PostgresConfigError(`${key}.${k}`, 'is empty');
    return v;
  };
  return {
    name,
    host: nonEmpty('host'),
    port,
    database: nonEmpty('database'),
    user: nonEmpty('user'),
    password: t.getOptionalString('password'),
    ssl,
  };
}

/**
 * Reads and checks `access.provisioners.<id>` of a `postgres` provisioner. Errors name the
 * key relative to that config (Backstage's own type errors name the full key).
 * @public
 */
export function readPostgresProvisionerConfig(
  config: Config,
): PostgresProvisionerSettings {
  if (!config.has('targets')) {
    throw new PostgresConfigError(
      'targets',
      'at least one target database is required',
    );
  }
  const targetsConfig = config.getConfig('targets');
  const targets = new Map<string, PostgresTarget>();
  for (const name of targetsConfig.keys()) {
    targets.set(name, readTarget(config, name));
  }
  if (!targets.size) {
    throw new PostgresConfigError(
      'targets',
      'at least one target database is required',
    );
  }

  if (!config.has('permissions')) {
    throw new PostgresConfigError(
      'permissions',
      'map each permission name to the database roles it grants, e.g. read: [app_readonly]',
    );
  }
  const permissionsConfig = config.getConfig('permissions');
  const permissions = new Map<string, string[]>();
  for (const name of permissionsConfig.keys()) {
    const key = `permissions.${name}`;
    const raw = permissionsConfig.get(name);
    const list = Array.isArray(raw) ? raw : [raw];
    if (!list.length) {
      throw new PostgresConfigError(
        key,
        'must list at least one database role',
      );
    }
    permissions.set(
      name,
      list.map((v, i) =>
        dbRoleName(v, Array.isArray(raw) ? `${key}[${i}]` : key),
      ),
    );
  }
  if (!permissions.size) {
    throw new PostgresConfigError(
      'permissions',
      'at least one permission is required',
    );
  }

  const rolePrefix =
    config.getOptionalString('rolePrefix') ?? DEFAULT_ROLE_PREFIX;
  if (!/^[a-z_][a-z0-9_]{0,19}$/.test(rolePrefix)) {
    throw new PostgresConfigError(
      'rolePrefix',
      `"${rolePrefix}" must be 1-20 characters of a-z, 0-9 and _, not starting with a digit`,
    );
  }
  if (rolePrefix.startsWith('pg_')) {
    throw new PostgresConfigError(
      'rolePrefix',
      'role names starting with pg_ are reserved by PostgreSQL',
    );
  }

  const connectionLimit =
    config.getOptionalNumber('connectionLimit') ?? DEFAULT_CONNECTION_LIMIT;
  if (
    !Number.isInteger(connectionLimit) ||
    connectionLimit < 1 ||
    connectionLimit > 1000
  ) {
    throw new PostgresConfigError(
      'connectionLimit',
      'must be a whole number from 1 to 1000',
    );
  }

  return { targets, permissions, rolePrefix, connectionLimit };
}
