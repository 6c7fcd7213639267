// Prepares the local PostgreSQL database behind the demo's `analytics-db` flow, which grants
// access through the PostgreSQL provisioner: a database `jit_demo_analytics` with a table
// and an `analytics_readonly` role. Idempotent. Without a PostgreSQL at
// DEMO_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432) it says so and exits 0:
// the app works, and only that flow's grants fail, with a clear reason.
const { knex } = require('knex');

const url =
  process.env.DEMO_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
const DB = 'jit_demo_analytics';

async function main() {
  const quiet = { warn() {}, error() {}, deprecate() {}, debug() {} };
  const admin = knex({
    client: 'pg',
    connection: `${url}/postgres`,
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: 4000,
    log: quiet,
  });
  try {
    const { rows } = await admin.raw(
      'SELECT 1 FROM pg_database WHERE datname = ?',
      [DB],
    );
    if (!rows.length) await admin.raw(`CREATE DATABASE ${DB}`);
    const role = await admin.raw(
      "SELECT 1 FROM pg_roles WHERE rolname = 'analytics_readonly'",
    );
    if (!role.rows.length)
      await admin.raw('CREATE ROLE analytics_readonly NOLOGIN');
  } finally {
    await admin.destroy();
  }
  const db = knex({
    client: 'pg',
    connection: `${url}/${DB}`,
    pool: { min: 0, max: 1 },
  });
  try {
    await db.raw(
      `CREATE TABLE IF NOT EXISTS daily_orders (day date PRIMARY KEY, orders integer NOT NULL)`,
    );
    await db.raw(
      `INSERT INTO daily_orders SELECT current_date - n, 1000 + n * 7 FROM generate_series(0, 29) n ON CONFLICT DO NOTHING`,
    );
    await db.raw(
      'GRANT CONNECT ON DATABASE jit_demo_analytics TO analytics_readonly',
    );
    await db.raw('GRANT USAGE ON SCHEMA public TO analytics_readonly');
    // JIT logins must not leave objects behind (docs/provisioners.md); PostgreSQL 15 and
    // later already keep PUBLIC from creating in the public schema.
    await db.raw('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await db.raw(
      'GRANT SELECT ON ALL TABLES IN SCHEMA public TO analytics_readonly',
    );
  } finally {
    await db.destroy();
  }
  console.error(
    `==> Demo PostgreSQL ready: database ${DB} (the analytics-db flow grants real login roles on it)`,
  );
}

main().catch(e => {
  console.error(
    `==> No demo PostgreSQL at ${url} (${e.message}). Everything works except granting analytics-db,\n` +
      '    whose flow uses the PostgreSQL provisioner; start PostgreSQL or set DEMO_POSTGRES_URL to try it.',
  );
});
