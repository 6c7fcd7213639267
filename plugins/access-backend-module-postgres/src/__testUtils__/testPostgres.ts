import { randomBytes, randomUUID } from 'node:crypto';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { ProvisionerRequest } from '@jit-access/plugin-access-node';
import knexFactory, { Knex } from 'knex';

/** Set by scripts/test.sh when PostgreSQL answers; the PostgreSQL tests need it. */
export const PG_URL =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

/**
 * `describe` when PostgreSQL is configured. Otherwise `describe.skip` after a loud warning,
 * or under CI an error that fails the test file (as scripts/test.sh treats PostgreSQL).
 */
export function describeIfPostgres(suite: string): jest.Describe {
  if (PG_URL) return describe;
  if (process.env.CI === 'true') {
    throw new Error(
      `CI needs PostgreSQL for "${suite}": set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING (scripts/test.sh does when 127.0.0.1:5432 answers)`,
    );
  }
  // straight to stderr: Jest drops the console output of a suite that is all skipped
  process.stderr.write(
    [
      '',
      '#'.repeat(80),
      `#  WARNING: BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is not set.`,
      `#  The PostgreSQL tests "${suite}" are SKIPPED.`,
      '#  Run them through scripts/test.sh, or set it, e.g. postgresql://postgres@127.0.0.1:5432',
      '#'.repeat(80),
      '',
      '',
    ].join('\n'),
  );
  return describe.skip;
}

/** Host, port, user and password of the PostgreSQL superuser from PG_URL. */
export function serverParams() {
  const url = new URL(PG_URL!);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: url.password ? decodeURIComponent(url.password) : undefined,
  };
}

/** A knex on one database of the test server, as the superuser unless told otherwise. */
export function connect(
  database: string,
  as?: { user: string; password?: string },
  poolMax = 1,
): Knex {
  const server = serverParams();
  return knexFactory({
    client: 'pg',
    connection: {
      host: server.host,
      port: server.port,
      user: as?.user ?? server.user,
      password: as ? as.password : server.password,
      database,
      connectionTimeoutMillis: 5000,
    },
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10000,
    // the tests provoke terminated sessions and refused logins on purpose
    log: { warn() {}, error() {}, deprecate() {}, debug() {} },
  });
}

/**
 * A fresh database with an `orders` table holding one row, a `payroll` table only the
 * write role may read, NOLOGIN roles for reading and writing (cluster-wide, so with a
 * random suffix), a non-superuser admin with only what the README asks for, and a second
 * database of the same cluster where the write role may create objects.
 */
export async function createTestDatabase() {
  const suffix = randomBytes(4).toString('hex');
  const name = `jit_pg_test_${suffix}`;
  const readRole = `app_readonly_${suffix}`;
  const writeRole = `app_readwrite_${suffix}`;
  const limitedAdmin = `jit_admin_${suffix}`;
  const powerless = `jit_powerless_${suffix}`;
  const otherName = `${name}_other`;

  const server = connect('postgres');
  await server.raw(`CREATE DATABASE "${name}"`);
  const db = connect(name);
  await db.raw(
    'CREATE TABLE orders (id integer PRIMARY KEY, item text NOT NULL)',
  );
  await db.raw(`INSERT INTO orders VALUES (1, 'coffee')`);
  await db.raw(`CREATE ROLE "${readRole}" NOLOGIN`);
  await db.raw(`GRANT SELECT ON orders TO "${readRole}"`);
  await db.raw(`CREATE ROLE "${writeRole}" NOLOGIN`);
  await db.raw(
    `GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO "${writeRole}"`,
  );
  await db.raw(`GRANT CREATE ON SCHEMA public TO "${writeRole}"`);
  await db.raw('CREATE TABLE payroll (name text, salary integer)');
  await db.raw(`INSERT INTO payroll VALUES ('ceo', 1000000)`);
  await db.raw(`GRANT SELECT ON payroll TO "${writeRole}"`);
  await server.raw(`CREATE DATABASE "${otherName}"`);
  const other = connect(otherName);
  await other.raw(`GRANT CREATE ON SCHEMA public TO "${writeRole}"`);
  await other.destroy();
  // The README's minimum for an admin that is not a superuser.
  await db.raw(`CREATE ROLE "${limitedAdmin}" LOGIN CREATEROLE`);
  await db.raw(
    `GRANT "${readRole}", "${writeRole}" TO "${limitedAdmin}" WITH ADMIN OPTION`,
  );
  // A login that may not create roles, to see a failing CREATE ROLE.
  await db.raw(`CREATE ROLE "${powerless}" LOGIN`);

  return {
    name,
    readRole,
    writeRole,
    limitedAdmin,
    powerless,
    /** Another database of the cluster, where the write role may create objects. */
    otherName,
    /** The superuser on the test database. */
    db,
    server,
    async drop() {
      await db.destroy();
      await server.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await server.raw(`DROP DATABASE IF EXISTS "${otherName}" WITH (FORCE)`);
      // Anything the tests left behind: login roles made for this database's requests.
      const { rows } = await server.raw(
        `SELECT rolname FROM pg_roles WHERE shobj_description(oid, 'pg_authid') LIKE ?`,
        [`JIT Access request test-${suffix}-%`],
      );
      for (const { rolname } of rows as { rolname: string }[]) {
        await server.raw(`DROP ROLE IF EXISTS "${rolname}"`);
      }
      for (const role of [powerless, limitedAdmin, writeRole, readRole]) {
        await server.raw(`DROP ROLE IF EXISTS "${role}"`);
      }
      await server.destroy();
    },
    /** A request id whose leftovers `drop` finds. */
    requestId: () => `test-${suffix}-${randomUUID()}`,
  };
}

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

/** A Resource entity pointing at a target. */
export function resourceEntity(name: string, target?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: target ? { 'jit-access/postgres-target': target } : {},
    },
    spec: { type: 'database', owner: 'group:default/dba' },
  };
}

export function grantRequest(
  overrides: Partial<ProvisionerRequest> & { requestId: string },
): ProvisionerRequest {
  return {
    requester: 'user:default/alice',
    flowId: 'standard',
    resources: [
      {
        entityRef: 'resource:default/orders-db',
        permissions: ['read'],
        entity: resourceEntity('orders-db', 'orders-prod'),
      },
    ],
    expiresAt: new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000)
      .toISOString()
      .replace('.000Z', '.250Z'),
    ...overrides,
  };
}

export function provisionerConfig(data: object) {
  return new ConfigReader({ type: 'postgres', ...data });
}

export const logger = () => mockServices.logger.mock();
