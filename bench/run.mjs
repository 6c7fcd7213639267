#!/usr/bin/env node
// `yarn bench`: performance figures of the access plugin. See docs/performance.md.
//
//   yarn bench              full run (PostgreSQL at 127.0.0.1:5432)
//   yarn bench --quick      fewer and shorter runs (under 3 minutes)
//   yarn bench --sqlite     the same on SQLite (a file per plugin in the run's directory)
//   yarn bench --tiny       tiny sizes, for the smoke test (no figure is meaningful)
//
// Other flags: --only submit,bulk,lists,expiry,slow,memory,frontend   --pg-url URL
//   --out DIR (results directory, default bench/results)   --keep (keep the databases)
//   --read-concurrency N (default 4)   --revoke-concurrency N (default 8)
//   --no-tti (skip the browser figure)   --build-app (build packages/app if it is missing;
//   the full run does that anyway)
//   --cpu-prof (write a V8 CPU profile of the backend into the run's directory)
//   --expiry-grants N (size of the expiry figure instead of the profile's)
//   --new-request-resources N (catalog resources for the New Request figures; full: 10,000)
//   --no-permission (permission.enabled: false, to see what the permission checks cost)
//   --backend-heap-mb N (--max-old-space-size for the backend, to see what memory it needs)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import knexFactory from 'knex';
import {
  accessConfig,
  benchStats,
  ROOT,
  startBackend,
  startFloor,
  userToken,
  writeConfig,
} from './lib/backend.mjs';
import { explainStatements } from './lib/explain.mjs';
import { pluginBundleSize, myAccessTti } from './lib/frontend.mjs';
import { load } from './lib/load.mjs';
import { Figures, renderTable } from './lib/report.mjs';
import {
  analyze,
  checkSchema,
  grantRequests,
  insertRequests,
  listingRequests,
  parkActiveGrants,
  truncateAccess,
} from './lib/seed.mjs';
import {
  freePort,
  loadAverage,
  log,
  memoryOf,
  percentile,
  RssSampler,
  sleep,
  waitFor,
  writeJson,
} from './lib/util.mjs';

const require = createRequire(import.meta.url);
const { resourceRef, REQUESTER, APPROVER } = require('./lib/entities.cjs');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    tiny: { type: 'boolean', default: false },
    sqlite: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
    'pg-url': { type: 'string' },
    keep: { type: 'boolean', default: false },
    'read-concurrency': { type: 'string' },
    'revoke-concurrency': { type: 'string' },
    'no-tti': { type: 'boolean', default: false },
    'build-app': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'expiry-grants': { type: 'string' },
    'new-request-resources': { type: 'string' },
    'no-permission': { type: 'boolean', default: false },
    'backend-heap-mb': { type: 'string' },
  },
});

const PROFILES = {
  full: {
    catalog: 10_000,
    runs: 5,
    submitOne: { connections: 16, duration: 10, warmup: 3 },
    bulk: { items: 1000, requestsPerRun: 20 },
    lists: {
      sizes: [10_000, 100_000],
      mine: 5000,
      approverPending: 1000,
      duration: 5,
      warmup: 1,
    },
    search: { duration: 5 },
    // Up to 3 runs, fewer when one run takes longer than 2 minutes; a run is cut off after
    // 10 minutes and the rest projected from its rate (the row then says so).
    expiry: {
      grants: 100_000,
      runs: 3,
      floorRuns: 3,
      timeoutS: 600,
      repeatIfUnderS: 120,
    },
    slow: { grants: 2000, delayMs: 50, timeoutS: 600 },
    frontend: { tti: true, runs: 5, closed: 5000, resources: 10_000 },
  },
  quick: {
    catalog: 10_000,
    runs: 3,
    submitOne: { connections: 16, duration: 2.5, warmup: 1 },
    bulk: { items: 1000, requestsPerRun: 6 },
    lists: {
      sizes: [10_000, 100_000],
      mine: 5000,
      approverPending: 1000,
      duration: 1.5,
      warmup: 0.5,
    },
    search: { duration: 1.5 },
    // The quick run ends 20,000 grants and projects 100,000 from the rate; the full run
    // ends 100,000.
    expiry: { grants: 20_000, runs: 1, floorRuns: 3, timeoutS: 300 },
    slow: { grants: 400, delayMs: 50, timeoutS: 120 },
    // Ingesting 10,000 more catalog entities takes minutes: New Request is measured in
    // the full run, or here with --new-request-resources N.
    frontend: { tti: true, runs: 3, closed: 5000, resources: 0 },
  },
  tiny: {
    catalog: 1500,
    runs: 1,
    submitOne: { connections: 4, duration: 0.5, warmup: 0.2 },
    bulk: { items: 100, requestsPerRun: 2 },
    lists: {
      sizes: [1000, 2000],
      mine: 200,
      approverPending: 50,
      duration: 0.3,
      warmup: 0,
    },
    search: { duration: 0.3 },
    expiry: { grants: 100, runs: 1, floorRuns: 1, timeoutS: 60 },
    slow: { grants: 24, delayMs: 50, timeoutS: 60 },
    frontend: { tti: false, runs: 1, closed: 50, resources: 0 },
  },
};

const profileName = args.tiny ? 'tiny' : args.quick ? 'quick' : 'full';
const P = PROFILES[profileName];
if (args['expiry-grants']) P.expiry.grants = Number(args['expiry-grants']);
if (args['new-request-resources'])
  P.frontend.resources = Number(args['new-request-resources']);
const READ_CONCURRENCY = Number(
  args['read-concurrency'] ?? (args.tiny ? 2 : 4),
);
const REVOKE_CONCURRENCY = Number(args['revoke-concurrency'] ?? 8);
const PHASES = [
  'submit',
  'bulk',
  'lists',
  'expiry',
  'slow',
  'memory',
  'frontend',
];
const only = args.only ? args.only.split(',') : PHASES;
const unknown = only.filter(p => !PHASES.includes(p));
if (unknown.length) {
  console.error(
    `unknown phase(s): ${unknown.join(', ')} (known: ${PHASES.join(', ')})`,
  );
  process.exit(2);
}
const engine = args.sqlite ? 'sqlite' : 'postgres';

const started = new Date();
const stamp = `${started
  .toISOString()
  .replace(/[:.]/g, '-')
  .slice(0, 19)}-${profileName}-${engine}`;
const resultsDir = path.resolve(args.out ?? path.join(ROOT, 'bench/results'));
const runDir = path.join(resultsDir, stamp);
fs.mkdirSync(runDir, { recursive: true });
const jsonFile = path.join(resultsDir, `${stamp}.json`);

const id = `${process.pid}_${Date.now().toString(36)}`;
const pgUrl = new URL(
  args['pg-url'] ??
    process.env.BENCH_POSTGRES_URL ??
    'postgresql://postgres@127.0.0.1:5432',
);
const pgConnection = {
  host: pgUrl.hostname,
  port: Number(pgUrl.port || 5432),
  user: decodeURIComponent(pgUrl.username || 'postgres'),
  ...(pgUrl.password ? { password: decodeURIComponent(pgUrl.password) } : {}),
};
const prefix = `jit_bench_${id}_`;
const sqliteDir = path.join(runDir, 'sqlite');
const database = args.sqlite
  ? { client: 'better-sqlite3', connection: { directory: sqliteDir } }
  : { client: 'pg', connection: pgConnection, prefix };

function connect(name) {
  if (args.sqlite) {
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(sqliteDir, `${name}.sqlite`) },
      useNullAsDefault: true,
    });
  }
  return knexFactory({
    client: 'pg',
    connection: { ...pgConnection, database: `${prefix}${name}` },
    pool: { min: 0, max: 4 },
  });
}

const figures = new Figures();
const details = {};
const processes = [];
let failed = false;

async function phase(name, fn, onError) {
  if (!only.includes(name)) return;
  const t = Date.now();
  log(`--- ${name}`);
  sampler?.mark(name);
  try {
    await fn();
  } catch (e) {
    failed = true;
    const message = String(e.message ?? e);
    log(
      `phase ${name} failed: ${
        message.length > 600 ? `${message.slice(0, 600)}...` : message
      }`,
    );
    if (e.stack) log(e.stack.split('\n').slice(1, 6).join('\n'));
    onError?.(message.slice(0, 200));
  }
  details.phaseSeconds = {
    ...details.phaseSeconds,
    [name]: (Date.now() - t) / 1000,
  };
}

let sampler;
let backend;
let accessDb;

async function cleanup() {
  for (const p of processes.reverse()) await p.stop().catch(() => {});
  await accessDb?.destroy().catch(() => {});
  if (!args.keep) {
    if (args.sqlite) fs.rmSync(sqliteDir, { recursive: true, force: true });
    else
      await dropDatabases().catch(e =>
        log(`could not drop the bench databases: ${e.message}`),
      );
  }
}

async function dropDatabases() {
  const admin = knexFactory({
    client: 'pg',
    connection: { ...pgConnection, database: 'postgres' },
  });
  try {
    const { rows } = await admin.raw(
      `select datname from pg_database where datname like ?`,
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await admin.raw(`drop database if exists "${datname}" with (force)`);
    }
  } finally {
    await admin.destroy();
  }
}

process.on('SIGINT', () => {
  log('interrupted; cleaning up');
  cleanup().finally(() => process.exit(130));
});

// ----------------------------------------------------------------------------- helpers

async function countWhere(knex, where) {
  const row = await knex('access_requests')
    .where(where)
    .count({ n: '*' })
    .first();
  return Number(row.n);
}

/** Copies access_requests' shape (columns and indexes) into a new table. */
async function createLikeRequests(knex, name, { targetKnex = knex } = {}) {
  await targetKnex.schema.dropTableIfExists(name);
  if (!args.sqlite) {
    await targetKnex.raw(
      `create table ${name} (like access_requests including all)`,
    );
    return;
  }
  const ddl = await knex.raw(
    `select sql from sqlite_master where tbl_name = 'access_requests' and sql is not null order by type desc`,
  );
  for (const { sql } of ddl)
    await targetKnex.raw(sql.replaceAll('access_requests', name));
}

/** Moves the end of every active grant on `provisioner` to `at`. */
async function expireAt(knex, provisioner, at) {
  await knex('access_requests')
    .where({ status: 'granted', provisioner })
    .update({ expires_at: at });
}

/**
 * Waits until no grant on `provisioner` is active any more, or `timeoutS` passed; returns
 * whether all ended (the caller then works with those that did).
 */
async function waitAllEnded(knex, provisioner, total, timeoutS) {
  const t = Date.now();
  let left = total;
  let lastLog = 0;
  try {
    await waitFor(
      `${total} grants to end`,
      async () => {
        left = await countWhere(knex, { status: 'granted', provisioner });
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          log(
            `  ${total - left}/${total} ended after ${(
              (Date.now() - t) /
              1000
            ).toFixed(0)}s`,
          );
        }
        return left === 0;
      },
      { timeoutMs: timeoutS * 1000, everyMs: total > 10_000 ? 1000 : 200 },
    );
    return true;
  } catch (e) {
    if (!String(e.message).startsWith('timed out')) throw e;
    log(`  only ${total - left} of ${total} ended within ${timeoutS}s`);
    return false;
  }
}

async function endTimes(knex, provisioner) {
  const rows = await knex('access_requests')
    .where({ provisioner })
    .select('status', 'expires_at', 'ended_at');
  return rows.map(r => ({
    status: r.status,
    expiresAt: Number(r.expires_at),
    endedAt: r.ended_at === null ? NaN : Number(r.ended_at),
  }));
}

/**
 * SQL statements the backend sent since the last reset, per operation, and (with a label)
 * the plans of the slowest SELECTs among them (PostgreSQL only).
 */
async function queriesSince(base, operations, explainLabel) {
  if (args.sqlite) return undefined;
  const { queries } = await benchStats(base);
  const summary = {
    total: queries.total,
    operations,
    perOperation: operations ? queries.total / operations : undefined,
    top: queries.top.slice(0, 15).map(q => ({
      sql: q.sql,
      count: q.count,
      ms: q.ms,
      perOperation: operations ? q.count / operations : undefined,
    })),
  };
  if (explainLabel && profileName !== 'tiny') {
    summary.explain = await explainStatements({
      connection: pgConnection,
      statements: queries.top,
      label: explainLabel,
      file: path.join(runDir, 'explain.txt'),
      max: 3,
    }).catch(e => [{ error: String(e.message ?? e) }]);
  }
  return summary;
}

const resetStats = base => fetch(`${base}/api/bench/reset`, { method: 'POST' });

// ----------------------------------------------------------------------------- main

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGb: Math.round(os.totalmem() / 1e9),
  node: process.version,
  loadAverageAtStart: loadAverage(),
};
let git = {};
try {
  git = {
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT })
      .toString()
      .trim(),
    changedFiles: execFileSync('git', ['status', '--porcelain'], { cwd: ROOT })
      .toString()
      .split('\n')
      .filter(l => l && !l.includes('bench/')).length,
  };
} catch {
  // not a git checkout
}

log(
  `profile ${profileName}, ${engine}, results in ${path.relative(
    ROOT,
    jsonFile,
  )}`,
);
const avoid = [];
const port = await freePort(17100, 17199);
avoid.push(port);
const floorPort = await freePort(17100, 17199, avoid);
avoid.push(floorPort);
const configFile = path.join(runDir, 'app-config.bench.json');
writeConfig(configFile, {
  port,
  database,
  access: accessConfig({
    revokeConcurrency: REVOKE_CONCURRENCY,
    delayMs: P.slow.delayMs,
  }),
  permission: !args['no-permission'],
});

try {
  // 7 (floor). What the same backend takes without the access plugin, at rest.
  let memoryFloor;
  // The floor needs a second backend start (~10-15 s): only in the full run.
  await phase(profileName === 'full' ? 'memory' : 'memory-floor', async () => {
    const floorConfig = path.join(runDir, 'app-config.memory-floor.json');
    writeConfig(floorConfig, { port, database });
    const b = await startBackend({
      configFile: floorConfig,
      port,
      logFile: path.join(runDir, 'backend-without-access.log'),
      catalogEntities: P.catalog,
      withoutAccess: true,
    });
    await sleep(2000);
    memoryFloor = memoryOf(b.child.pid).hwm;
    await b.stop();
  });

  backend = await startBackend({
    configFile,
    port,
    logFile: path.join(runDir, 'backend.log'),
    catalogEntities: P.catalog,
    nodeArgs: [
      ...(args['cpu-prof']
        ? ['--cpu-prof', `--cpu-prof-dir=${path.join(runDir, 'profiles')}`]
        : []),
      ...(args['backend-heap-mb']
        ? [`--max-old-space-size=${args['backend-heap-mb']}`]
        : []),
    ],
  });
  processes.push(backend);
  details.backendStartupSeconds = backend.startupMs / 1000;
  sampler = new RssSampler(
    backend.child.pid,
    250,
    `${backend.base}/api/bench/memory`,
  );
  details.rssAtRestMb = memoryOf(backend.child.pid).rss / 1e6;
  accessDb = connect('access');
  details.schema = await checkSchema(accessDb);
  const base = backend.base;
  const api = `${base}/api/access`;
  const requesterToken = await userToken(base, REQUESTER);
  const approverToken = await userToken(base, APPROVER);
  const asRequester = { authorization: `Bearer ${requesterToken}` };
  const asApprover = { authorization: `Bearer ${approverToken}` };

  // 1. Submit one item, concurrency 16, against the floor.
  const S1 = '1. Submit one item (POST /requests)';
  await phase(
    'submit',
    async () => {
      const floorTable = 'bench_floor_requests';
      let floorConnection;
      if (args.sqlite) {
        const floorDb = connect('floor');
        await createLikeRequests(accessDb, floorTable, { targetKnex: floorDb });
        await floorDb.destroy();
        floorConnection = { filename: path.join(sqliteDir, 'floor.sqlite') };
      } else {
        await createLikeRequests(accessDb, floorTable);
        floorConnection = { ...pgConnection, database: `${prefix}access` };
      }
      const floor = await startFloor({
        port: floorPort,
        client: args.sqlite ? 'better-sqlite3' : 'pg',
        connection: floorConnection,
        table: floorTable,
        logFile: path.join(runDir, 'floor.log'),
      });
      processes.push(floor);
      const body = JSON.stringify({
        resources: [{ entityRef: resourceRef(42), permissions: ['read'] }],
        justification: 'bench',
      });
      const c = P.submitOne.connections;
      const plugin = {
        url: `${api}/requests`,
        method: 'POST',
        headers: asRequester,
        body,
        connections: c,
        expect: [201],
      };
      const bare = {
        url: `${floor.base}/requests`,
        method: 'POST',
        body,
        connections: c,
        expect: [201],
      };
      await load({ ...plugin, duration: P.submitOne.warmup });
      await load({ ...bare, duration: P.submitOne.warmup });
      const runs = { plugin: [], floor: [] };
      await resetStats(base);
      for (let i = 0; i < P.runs; i++) {
        runs.floor.push(
          await load({ ...bare, duration: P.submitOne.duration }),
        );
        runs.plugin.push(
          await load({ ...plugin, duration: P.submitOne.duration }),
        );
        log(
          `  run ${i + 1}: plugin ${runs.plugin[i].rps.toFixed(0)} req/s p99 ${
            runs.plugin[i].p99
          } ms; floor ${runs.floor[i].rps.toFixed(0)} req/s p99 ${
            runs.floor[i].p99
          } ms`,
        );
      }
      await floor.stop();
      details.submitOne = runs;
      details.queries = {
        submitOne: await queriesSince(
          base,
          runs.plugin.reduce((n, r) => n + r.requests, 0),
        ),
      };
      const pick = (k, side) => runs[side].map(r => r[k]);
      figures.add({
        id: 'submitOne.rps',
        section: S1,
        label: `throughput, c${c}`,
        unit: 'req/s',
        values: pick('rps', 'plugin'),
        floor: pick('rps', 'floor'),
        target: '≥ 0.5x floor',
        check: (_m, ratio) => ratio >= 0.5,
        digits: 0,
      });
      figures.add({
        id: 'submitOne.p50',
        section: S1,
        label: `latency p50, c${c}`,
        unit: 'ms',
        values: pick('p50', 'plugin'),
        floor: pick('p50', 'floor'),
      });
      figures.add({
        id: 'submitOne.p99',
        section: S1,
        label: `latency p99, c${c}`,
        unit: 'ms',
        values: pick('p99', 'plugin'),
        floor: pick('p99', 'floor'),
        target: '< 50 ms',
        check: m => m < 50,
      });
    },
    reason => {
      for (const [idp, label] of [
        ['rps', 'throughput'],
        ['p50', 'latency p50'],
        ['p99', 'latency p99'],
      ])
        figures.skip({
          id: `submitOne.${idp}`,
          section: S1,
          label,
          reason,
          error: true,
        });
    },
  );

  // 2. Submit 1,000 items in one request.
  const S2 = `2. Submit ${P.bulk.items.toLocaleString(
    'en-US',
  )} items in one request`;
  await phase(
    'bulk',
    async () => {
      const body = JSON.stringify({
        resources: Array.from({ length: P.bulk.items }, (_, i) => ({
          entityRef: resourceRef(i),
          permissions: ['read'],
        })),
        justification: 'bench',
      });
      const first = await fetch(`${api}/requests`, {
        method: 'POST',
        headers: { ...asRequester, 'content-type': 'application/json' },
        body,
      });
      if (first.status !== 201)
        throw new Error(`bulk submit: ${first.status} ${await first.text()}`);
      const created = (await first.json()).items;
      details.bulk = {
        bodyBytes: body.length,
        requestsPerSubmission: created.length,
        resourcesPerSubmission: created.reduce(
          (n, r) => n + r.resources.length,
          0,
        ),
        runs: [],
      };
      await resetStats(base);
      for (let i = 0; i < P.runs; i++) {
        const r = await load({
          url: `${api}/requests`,
          method: 'POST',
          headers: asRequester,
          body,
          connections: 1,
          amount: P.bulk.requestsPerRun,
          expect: [201],
        });
        details.bulk.runs.push(r);
        log(
          `  run ${i + 1}: p50 ${r.p50} ms p99 ${r.p99} ms (${
            r.requests
          } submissions)`,
        );
      }
      details.queries = {
        ...details.queries,
        bulk: await queriesSince(
          base,
          details.bulk.runs.reduce((n, r) => n + r.requests, 0),
        ),
      };
      const note = `${created.length} requests (one per owning team) per submission`;
      figures.add({
        id: 'bulk.p50',
        section: S2,
        label: 'latency p50, sequential',
        unit: 'ms',
        values: details.bulk.runs.map(r => r.p50),
        note,
        digits: 0,
      });
      figures.add({
        id: 'bulk.p99',
        section: S2,
        label: 'latency p99, sequential',
        unit: 'ms',
        values: details.bulk.runs.map(r => r.p99),
        note,
        digits: 0,
        target: '< 1,000 ms',
        check: m => m < 1000,
      });
    },
    reason => {
      figures.skip({
        id: 'bulk.p50',
        section: S2,
        label: 'latency p50',
        reason,
        error: true,
      });
      figures.skip({
        id: 'bulk.p99',
        section: S2,
        label: 'latency p99',
        reason,
        error: true,
      });
    },
  );

  // 3-5. Listings at two table sizes, and resource search.
  const [small, large] = P.lists.sizes;
  const kRows = n => (n >= 1000 ? `${n / 1000}k` : String(n));
  const S3 = `3. My requests (view=mine, first page; ${P.lists.mine.toLocaleString(
    'en-US',
  )} are the user's)`;
  const S4 = `4. Approvals queue (view=approvals, first page; ${P.lists.approverPending.toLocaleString(
    'en-US',
  )} pending for the approver)`;
  const S5 = `5. Resource search (GET /resources?q=orders over ${P.catalog.toLocaleString(
    'en-US',
  )} entities)`;
  await phase(
    'lists',
    async () => {
      const lists = {
        mine: {
          url: `${api}/requests?view=mine`,
          headers: asRequester,
          mineOnly: r => r.requester === REQUESTER,
          atLeast: P.lists.mine,
        },
        approvals: {
          url: `${api}/requests?view=approvals`,
          headers: asApprover,
          mineOnly: r =>
            r.approvers.includes(APPROVER) && r.status === 'pending',
          atLeast: P.lists.approverPending,
        },
      };
      const measured = { mine: {}, approvals: {} };
      const measure = async size => {
        for (const [name, l] of Object.entries(lists)) {
          // Sanity: a full first page of the right person's requests.
          const res = await fetch(l.url, { headers: l.headers });
          const page = await res.json();
          const own = (page.items ?? []).filter(l.mineOnly);
          if (
            res.status !== 200 ||
            own.length !== Math.min(50, l.atLeast) ||
            own.length !== page.items.length
          )
            throw new Error(
              `${name}: expected a full first page, got ${
                res.status
              } ${JSON.stringify(page).slice(0, 200)}`,
            );
          const l2 = { url: l.url, headers: l.headers };
          if (P.lists.warmup)
            await load({
              ...l2,
              connections: READ_CONCURRENCY,
              duration: P.lists.warmup,
            });
          const runs = [];
          await resetStats(base);
          for (let i = 0; i < P.runs; i++)
            runs.push(
              await load({
                ...l2,
                connections: READ_CONCURRENCY,
                duration: P.lists.duration,
              }),
            );
          measured[name][size] = runs;
          details.queries = {
            ...details.queries,
            [`${name}@${size}`]: await queriesSince(
              base,
              runs.reduce((n, r) => n + r.requests, 0),
              `${name}, ${size} rows`,
            ),
          };
          log(
            `  ${name} @ ${size} rows: p50 ${runs
              .map(r => r.p50)
              .join('/')} ms, p99 ${runs.map(r => r.p99).join('/')} ms`,
          );
        }
      };
      await truncateAccess(accessDb);
      let t = Date.now();
      const now = Date.now();
      await insertRequests(
        accessDb,
        listingRequests({
          now,
          catalogEntities: P.catalog,
          mine: P.lists.mine,
          approverPending: P.lists.approverPending,
          noise: small - P.lists.mine - P.lists.approverPending,
          seed: 1,
        }),
      );
      await analyze(accessDb);
      details.seedSmallSeconds = (Date.now() - t) / 1000;
      const nSmall = await countWhere(accessDb, {});
      log(`  seeded ${nSmall} requests in ${details.seedSmallSeconds}s`);
      await measure(small);
      t = Date.now();
      await insertRequests(
        accessDb,
        listingRequests({
          now,
          catalogEntities: P.catalog,
          noise: large - small,
          seed: 2,
        }),
      );
      await analyze(accessDb);
      details.seedLargeSeconds = (Date.now() - t) / 1000;
      const nLarge = await countWhere(accessDb, {});
      log(`  seeded up to ${nLarge} requests in ${details.seedLargeSeconds}s`);
      await measure(large);
      details.lists = {
        rows: { small: nSmall, large: nLarge },
        readConcurrency: READ_CONCURRENCY,
        measured,
      };

      for (const [name, S] of [
        ['mine', S3],
        ['approvals', S4],
      ]) {
        const a = measured[name][small];
        const b = measured[name][large];
        figures.add({
          id: `${name}.small.p50`,
          section: S,
          label: `p50, ${kRows(nSmall)} rows, c${READ_CONCURRENCY}`,
          unit: 'ms',
          values: a.map(r => r.p50),
        });
        figures.add({
          id: `${name}.small.p99`,
          section: S,
          label: `p99, ${kRows(nSmall)} rows, c${READ_CONCURRENCY}`,
          unit: 'ms',
          values: a.map(r => r.p99),
          target: '< 50 ms',
          check: m => m < 50,
        });
        figures.add({
          id: `${name}.large.p50`,
          section: S,
          label: `p50, ${kRows(nLarge)} rows, c${READ_CONCURRENCY}`,
          unit: 'ms',
          values: b.map(r => r.p50),
        });
        // The floor of the large table is the same query on the small one: flat means ≈ 1x.
        figures.add({
          id: `${name}.large.p99`,
          section: S,
          label: `p99, ${kRows(nLarge)} rows, c${READ_CONCURRENCY}`,
          unit: 'ms',
          values: b.map(r => r.p99),
          floor: a.map(r => r.p99),
          target: `< 50 ms, flat (≤ 1.5x the ${kRows(nSmall)} figure + 5 ms)`,
          check: (m, _r, f) => m < 50 && m <= Math.max(1.5 * f, f + 5),
        });
      }

      // 5. Resource search (the catalog is in memory: see docs/performance.md).
      const searchUrl = `${api}/resources?q=orders`;
      const res = await fetch(searchUrl, { headers: asRequester });
      const page = await res.json();
      if (res.status !== 200 || !page.items?.length)
        throw new Error(
          `search: ${res.status} ${JSON.stringify(page).slice(0, 200)}`,
        );
      const sr = [];
      if (P.lists.warmup)
        await load({
          url: searchUrl,
          headers: asRequester,
          connections: READ_CONCURRENCY,
          duration: P.lists.warmup,
        });
      for (let i = 0; i < P.runs; i++)
        sr.push(
          await load({
            url: searchUrl,
            headers: asRequester,
            connections: READ_CONCURRENCY,
            duration: P.search.duration,
          }),
        );
      details.search = { firstPageItems: page.items.length, runs: sr };
      figures.add({
        id: 'search.p50',
        section: S5,
        label: `p50, c${READ_CONCURRENCY}`,
        unit: 'ms',
        values: sr.map(r => r.p50),
      });
      figures.add({
        id: 'search.p99',
        section: S5,
        label: `p99, c${READ_CONCURRENCY}`,
        unit: 'ms',
        values: sr.map(r => r.p99),
        target: '< 50 ms',
        check: m => m < 50,
      });
    },
    reason => {
      for (const [idp, S] of [
        ['mine', S3],
        ['approvals', S4],
      ])
        for (const s of ['small', 'large'])
          for (const q of ['p50', 'p99'])
            figures.skip({
              id: `${idp}.${s}.${q}`,
              section: S,
              label: `${q}, ${s} table`,
              reason,
              error: true,
            });
      figures.skip({
        id: 'search.p50',
        section: S5,
        label: 'p50',
        reason,
        error: true,
      });
      figures.skip({
        id: 'search.p99',
        section: S5,
        label: 'p99',
        reason,
        error: true,
      });
    },
  );

  // 6. Expiry of many grants at once (none provisioner), against one UPDATE.
  const G = P.expiry.grants;
  const S6 = `6. Expiry: ${G.toLocaleString(
    'en-US',
  )} grants expiring at once (provisioner none)`;
  await phase(
    'expiry',
    async () => {
      const runs = [];
      const floorRuns = [];
      for (let i = 0; i < P.expiry.runs; i++) {
        await truncateAccess(accessDb);
        let t = Date.now();
        await insertRequests(
          accessDb,
          grantRequests({
            now: Date.now(),
            catalogEntities: P.catalog,
            count: G,
          }),
          {
            entities: false,
            approvers: false,
          },
        );
        await analyze(accessDb);
        log(`  seeded ${G} grants in ${((Date.now() - t) / 1000).toFixed(1)}s`);
        if (i === 0 && !args.sqlite && profileName !== 'tiny') {
          // What the expiry task costs every second while nothing is due yet.
          await resetStats(base);
          await sleep(2500);
          details.queries = {
            ...details.queries,
            expiryIdle: await queriesSince(
              base,
              undefined,
              `expiry task, ${G} active grants, none due`,
            ),
          };
        }
        // Floor: one UPDATE ending the same rows, in a copy of the table.
        for (let f = 0; f < (i === 0 ? P.expiry.floorRuns : 0); f++) {
          await createLikeRequests(accessDb, 'bench_floor_grants');
          await accessDb.raw(
            `insert into bench_floor_grants select * from access_requests`,
          );
          const at = Date.now();
          await accessDb('bench_floor_grants').update({ expires_at: at });
          await analyze(accessDb);
          const t0 = process.hrtime.bigint();
          const n = await accessDb('bench_floor_grants')
            .where({ status: 'granted' })
            .where('expires_at', '<=', at)
            .update({
              status: 'expired',
              ended_at: at,
              end_reason: 'Access expired',
              updated_at: at,
              ending: null,
            });
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          if (n !== G)
            throw new Error(`floor update changed ${n} rows, expected ${G}`);
          floorRuns.push(seconds);
          await accessDb.schema.dropTable('bench_floor_grants');
          log(`  floor: one UPDATE of ${n} rows in ${seconds.toFixed(2)}s`);
        }
        const lead = G >= 10_000 ? 5000 : 1500;
        const T0 = Date.now() + lead;
        await resetStats(base);
        await expireAt(accessDb, 'none', T0);
        const committed = Date.now();
        if (committed > T0)
          log(
            `  warning: moving the ends took ${
              committed - T0 + lead
            } ms, past the expiry time`,
          );
        if (committed < T0) await sleep(T0 - committed);
        const complete = await waitAllEnded(
          accessDb,
          'none',
          G,
          P.expiry.timeoutS,
        );
        if (i === 0)
          details.queries = {
            ...details.queries,
            expiry: await queriesSince(base, G),
          };
        const all = await endTimes(accessDb, 'none');
        const rows = all.filter(r => r.status !== 'granted');
        const notExpired = rows.filter(r => r.status !== 'expired').length;
        if (notExpired)
          throw new Error(`${notExpired} grants did not end as expired`);
        if (!rows.length) throw new Error('no grant ended at all');
        const lags = rows.map(r => r.endedAt - r.expiresAt);
        const lastEnd = Math.max(...rows.map(r => r.endedAt));
        const firstEnd = Math.min(...rows.map(r => r.endedAt));
        // Grants end in batches: over less than half a second the spread says nothing,
        // so the rate is then taken from the expiry time instead.
        const span =
          lastEnd - firstEnd >= 500 ? lastEnd - firstEnd : lastEnd - T0;
        const rate = rows.length / Math.max(0.001, span / 1000);
        // When the run was cut off, the rest would end at the same rate: the time until
        // all ended and the p99 lag are then projections (the row says so).
        const projectedEnd = firstEnd + (G / rate) * 1000;
        const run = {
          complete,
          ended: rows.length,
          allEndedSeconds: ((complete ? lastEnd : projectedEnd) - T0) / 1000,
          p50LagSeconds: complete
            ? percentile(lags, 50) / 1000
            : (firstEnd - T0 + (0.5 * G * 1000) / rate) / 1000,
          p99LagSeconds: complete
            ? percentile(lags, 99) / 1000
            : (firstEnd - T0 + (0.99 * G * 1000) / rate) / 1000,
          maxLagSeconds: Math.max(...lags) / 1000,
          firstEndAfterSeconds: (firstEnd - T0) / 1000,
          ratePerSecond: rate,
        };
        runs.push(run);
        log(
          `  run ${i + 1}: ${
            complete ? 'all' : 'projected: all'
          } ${G} ended ${run.allEndedSeconds.toFixed(
            1,
          )}s after expiring, p99 lag ${run.p99LagSeconds.toFixed(
            1,
          )}s, ${run.ratePerSecond.toFixed(0)}/s`,
        );
        if (!complete) await parkActiveGrants(accessDb);
        if (
          !complete ||
          (P.expiry.repeatIfUnderS &&
            run.allEndedSeconds > P.expiry.repeatIfUnderS)
        ) {
          log(`  one run took over ${P.expiry.repeatIfUnderS}s: not repeating`);
          break;
        }
      }
      details.expiry = {
        grants: G,
        runs,
        floorSeconds: floorRuns,
        taskFrequencySeconds: 1,
      };
      const cut = runs.find(r => !r.complete);
      const projected = cut
        ? ` (projected: ${cut.ended.toLocaleString('en-US')} ended in ${
            P.expiry.timeoutS
          }s)`
        : '';
      figures.add({
        id: 'expiry.allEnded',
        section: S6,
        label: `time until all ended${projected}`,
        unit: 's',
        values: runs.map(r => r.allEndedSeconds),
        floor: floorRuns,
        target: '< 60 s and ≤ 3x floor',
        check: (m, ratio) => m < 60 && ratio <= 3,
      });
      figures.add({
        id: 'expiry.p99Lag',
        section: S6,
        label: `p99 lag from expiresAt${cut ? ' (projected)' : ''}`,
        unit: 's',
        values: runs.map(r => r.p99LagSeconds),
        target: '< 15 s',
        check: m => m < 15,
      });
      figures.add({
        id: 'expiry.rate',
        section: S6,
        label: 'grants ended per second',
        unit: '/s',
        values: runs.map(r => r.ratePerSecond),
        digits: 0,
      });
      if (G < 100_000) {
        // The quick and tiny runs end fewer grants: what 100,000 would take at this rate.
        figures.add({
          id: 'expiry.projected100k',
          section: S6,
          label: 'projected for 100,000 at this rate',
          unit: 's',
          values: runs.map(
            r => r.firstEndAfterSeconds + 100_000 / r.ratePerSecond,
          ),
          digits: 0,
          target: '< 60 s',
          check: m => m < 60,
        });
      }
    },
    reason => {
      figures.skip({
        id: 'expiry.allEnded',
        section: S6,
        label: 'time until all ended',
        reason,
        error: true,
      });
      figures.skip({
        id: 'expiry.p99Lag',
        section: S6,
        label: 'p99 lag',
        reason,
        error: true,
      });
      figures.skip({
        id: 'expiry.rate',
        section: S6,
        label: 'grants ended per second',
        reason,
        error: true,
      });
    },
  );

  // 6b. A provisioner that takes 50 ms per call: how many revocations run at once.
  const SG = P.slow.grants;
  const S6b = `6b. Expiry with a ${
    P.slow.delayMs
  } ms provisioner: ${SG.toLocaleString(
    'en-US',
  )} grants (revokeConcurrency ${REVOKE_CONCURRENCY})`;
  await phase(
    'slow',
    async () => {
      await truncateAccess(accessDb);
      await insertRequests(
        accessDb,
        grantRequests({
          now: Date.now(),
          catalogEntities: P.catalog,
          count: SG,
          provisioner: 'bench-sleep',
        }),
        { entities: false, approvers: false },
      );
      await fetch(`${backend.base}/api/bench/reset`, { method: 'POST' });
      const T0 = Date.now() + 1000;
      await expireAt(accessDb, 'bench-sleep', T0);
      await sleep(Math.max(0, T0 - Date.now()));
      await waitAllEnded(accessDb, 'bench-sleep', SG, P.slow.timeoutS);
      const rows = await endTimes(accessDb, 'bench-sleep');
      const lastEnd = Math.max(...rows.map(r => r.endedAt));
      const stats = (await benchStats(backend.base)).provisioner;
      const totalSeconds = (lastEnd - T0) / 1000;
      const ideal = (SG * P.slow.delayMs) / REVOKE_CONCURRENCY / 1000;
      details.slow = {
        grants: SG,
        delayMs: P.slow.delayMs,
        revokeConcurrency: REVOKE_CONCURRENCY,
        totalSeconds,
        idealSeconds: ideal,
        maxInFlight: stats.maxInFlight,
        revokeCalls: stats.revokes,
        averageInFlight:
          stats.busyMs / Math.max(1, stats.lastEnd - stats.firstStart),
      };
      log(
        `  ${SG} revocations: ${totalSeconds.toFixed(1)}s, at most ${
          stats.maxInFlight
        } at once (average ${details.slow.averageInFlight.toFixed(1)})`,
      );
      figures.add({
        id: 'slow.maxInFlight',
        section: S6b,
        label: 'revocations at once (max)',
        unit: '',
        values: stats.maxInFlight,
        digits: 0,
        target: `> 1 and ≤ revokeConcurrency (${REVOKE_CONCURRENCY})`,
        check: m => m > 1 && m <= REVOKE_CONCURRENCY,
      });
      figures.add({
        id: 'slow.averageInFlight',
        section: S6b,
        label: 'revocations at once (average)',
        unit: '',
        values: details.slow.averageInFlight,
        digits: 1,
      });
      figures.add({
        id: 'slow.total',
        section: S6b,
        label: 'time until all ended',
        unit: 's',
        values: totalSeconds,
        floor: ideal,
        note: `floor: ${SG} × ${P.slow.delayMs} ms / ${REVOKE_CONCURRENCY}`,
      });
    },
    reason => {
      figures.skip({
        id: 'slow.maxInFlight',
        section: S6b,
        label: 'revocations at once (max)',
        reason,
        error: true,
      });
      figures.skip({
        id: 'slow.averageInFlight',
        section: S6b,
        label: 'revocations at once (average)',
        reason,
        error: true,
      });
      figures.skip({
        id: 'slow.total',
        section: S6b,
        label: 'time until all ended',
        reason,
        error: true,
      });
    },
  );

  // 7. Memory: the backend's peak RSS over the whole run.
  const S7 = '7. Memory (backend process)';
  const mem = sampler.stop();
  details.memory = {
    peakBytes: mem.peak,
    peakByPhaseBytes: mem.peakByPhase,
    heapByPhaseBytes: mem.heapByPhase,
    floorBytes: memoryFloor,
    atRestMb: details.rssAtRestMb,
  };
  if (only.includes('memory')) {
    figures.add({
      id: 'memory.peakRss',
      section: S7,
      label: 'peak RSS during the run',
      unit: 'MB',
      values: mem.peak / 1e6,
      floor: memoryFloor ? memoryFloor / 1e6 : undefined,
      digits: 0,
      target: '< 400 MB',
      check: m => m < 400,
      note: 'floor: the same backend without the access plugin, at rest',
    });
  }

  // 8. Frontend.
  const S8 = '8. Frontend';
  await phase(
    'frontend',
    async () => {
      const size = await pluginBundleSize();
      details.frontendBundle = size;
      figures.add({
        id: 'frontend.pluginJsGzip',
        section: S8,
        label: 'access plugin JS, minified + gzip',
        unit: 'kB',
        values: size.gzipBytes / 1000,
        digits: 1,
        note: `${(size.minifiedBytes / 1000).toFixed(
          1,
        )} kB minified; dependencies excluded`,
      });
      if (!P.frontend.tti || args['no-tti']) {
        figures.skip({
          id: 'frontend.tti',
          section: S8,
          label: 'My Access time to interactive',
          reason: args['no-tti']
            ? '--no-tti'
            : `not measured with --${profileName}`,
        });
        return;
      }
      // The full run builds the example app when it is missing (about 20 s with a warm
      // cache); the quick run does not spend its 3 minutes on it unless asked.
      const buildApp = args['build-app'] || profileName === 'full';
      if (
        !buildApp &&
        !fs.existsSync(path.join(ROOT, 'packages/app/dist/index.html'))
      ) {
        figures.skip({
          id: 'frontend.tti',
          section: S8,
          label: 'My Access time to interactive',
          reason:
            'packages/app is not built (yarn workspace app build, or --build-app)',
        });
        return;
      }
      const tti = await myAccessTti({
        runs: P.frontend.runs,
        closed: P.frontend.closed,
        resources: P.frontend.resources,
        pgConnection,
        sqlite: args.sqlite,
        runDir,
        buildApp,
        avoidPorts: avoid,
        prefix: `${prefix}fe_`,
      });
      details.frontendTti = tti;
      figures.add({
        id: 'frontend.tti',
        section: S8,
        label: `My Access time to interactive (${P.frontend.closed.toLocaleString(
          'en-US',
        )} closed requests)`,
        unit: 'ms',
        values: tti.runs,
        digits: 0,
        note: 'example app, headless Chromium, warm cache, after sign-in',
      });
      const nr = tti.newRequest;
      if (nr) {
        const n = P.frontend.resources.toLocaleString('en-US');
        figures.add({
          id: 'frontend.newRequestTti',
          section: S8,
          label: `New Request time to interactive (${n} resources)`,
          unit: 'ms',
          values: nr.ttiMs,
          digits: 0,
          note: `first page of results; ${nr.domNodesAtStart} DOM nodes`,
        });
        figures.add({
          id: 'frontend.newRequestSearch',
          section: S8,
          label: `New Request: a name search among ${n} resources answered`,
          unit: 'ms',
          values: nr.searchMs,
          digits: 0,
          note: 'from the last keystroke, debounce included',
        });
        figures.add({
          id: 'frontend.newRequestLoadMore',
          section: S8,
          label: 'New Request: one more page of results ("Load more")',
          unit: 'ms',
          values: nr.loadMoreMs,
          digits: 0,
          note: `${nr.rowsShownAfterPaging} rows, ${nr.domNodesAfterPaging} DOM nodes after ${nr.loadMoreMs.length} pages`,
        });
      }
    },
    reason => {
      figures.skip({
        id: 'frontend.tti',
        section: S8,
        label: 'My Access time to interactive',
        reason,
        error: true,
      });
    },
  );
} catch (e) {
  failed = true;
  log(`bench failed: ${e.stack ?? e}`);
} finally {
  sampler?.stop();
  await cleanup();
}

const finished = new Date();
machine.loadAverageAtEnd = loadAverage();
const result = {
  profile: profileName,
  engine,
  startedAt: started.toISOString(),
  finishedAt: finished.toISOString(),
  durationSeconds: (finished - started) / 1000,
  machine,
  git,
  settings: {
    ...P,
    readConcurrency: READ_CONCURRENCY,
    revokeConcurrency: REVOKE_CONCURRENCY,
    only,
  },
  figures: figures.list,
  details,
  ok: !failed,
};
writeJson(jsonFile, result);
process.stdout.write(
  `\nJIT Access bench: ${profileName}, ${engine}, ${
    machine.cpus
  } CPUs, took ${result.durationSeconds.toFixed(0)}s` +
    ` (load average ${machine.loadAverageAtStart.join(
      ' ',
    )} → ${machine.loadAverageAtEnd.join(' ')})\n\n` +
    `${renderTable(figures)}\n\nAll figures: ${path.relative(
      process.cwd(),
      jsonFile,
    )}\n`,
);
process.exit(failed ? 1 : 0);
