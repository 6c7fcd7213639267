// Starts and stops the processes under test: the bench backend (bench/backend/index.ts,
// through the Backstage CLI's TypeScript transform) and the floor server.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { log, waitFor, writeJson } from './util.mjs';

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../..',
);

/** The access config of the bench backend. */
export function accessConfig({ revokeConcurrency, delayMs }) {
  return {
    flows: [
      {
        id: 'bench-manual',
        title: 'Bench manual',
        requesters: ['*'],
        resources: {
          filter: { kind: 'Resource' },
          permissions: ['read', 'write'],
        },
        approval: { type: 'manual', approvers: ['owner'] },
        duration: { default: '1h', max: '8h' },
        justification: 'optional',
      },
      {
        id: 'bench-slow',
        title: 'Bench slow provisioner',
        requesters: ['*'],
        resources: { filter: { kind: 'Resource' }, permissions: ['slow'] },
        approval: { type: 'automatic' },
        duration: { default: '1h', max: '8h' },
        justification: 'optional',
        provisioner: 'bench-sleep',
      },
    ],
    provisioners: { 'bench-sleep': { type: 'bench-sleep', delayMs } },
    expiry: { frequency: '1s', revokeConcurrency },
    // One requester submits as fast as the API answers: no per-user limits.
    limits: { submissionsPerMinute: false, openPendingPerUser: false },
    encryption: { key: randomBytes(32).toString('base64') },
    // The bench runs with NODE_ENV=production, where both keys are required.
    audit: { key: randomBytes(32).toString('base64') },
  };
}

export function writeConfig(
  file,
  { port, database, access, permission = true },
) {
  const baseUrl = `http://localhost:${port}`;
  const config = {
    app: { baseUrl },
    backend: {
      baseUrl,
      listen: { port, host: '127.0.0.1' },
      database,
    },
    auth: { providers: { bench: {} } },
    permission: { enabled: permission },
    ...(access ? { access } : {}),
  };
  // The config loader parses every file as YAML, and JSON is YAML.
  writeJson(file, config);
  return baseUrl;
}

/** Starts the bench backend and waits until the access API answers. */
export async function startBackend({
  configFile,
  port,
  logFile,
  catalogEntities,
  withoutAccess = false,
  nodeArgs = [],
}) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join(ROOT, 'bench/backend/index.ts'),
      '--config',
      configFile,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        BENCH_CATALOG_ENTITIES: String(catalogEntities),
        BENCH_WITHOUT_ACCESS: withoutAccess ? '1' : '',
      },
      stdio: ['ignore', out, out],
    },
  );
  fs.closeSync(out);
  let exited;
  child.once('exit', code => {
    exited = code ?? 'signal';
  });
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  await waitFor(
    'the bench backend',
    async () => {
      if (exited !== undefined)
        throw new Error(`backend exited (${exited}); see ${logFile}`);
      const stats = await fetch(`${base}/api/bench/stats`);
      if (!stats.ok) return false;
      if (withoutAccess) return true;
      // 401 without a token once the access plugin has its routes.
      const flows = await fetch(`${base}/api/access/flows`);
      return flows.status === 401;
    },
    { timeoutMs: 180_000, everyMs: 200 },
  );
  log(
    `backend up on :${port} in ${((Date.now() - started) / 1000).toFixed(
      1,
    )}s (pid ${child.pid})`,
  );
  return {
    child,
    base,
    startupMs: Date.now() - started,
    stop: () => stopChild(child),
  };
}

export async function startFloor({ port, client, connection, table, logFile }) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bench/floor/server.mjs'),
      '--port',
      String(port),
      '--client',
      client,
      '--connection',
      JSON.stringify(connection),
      '--table',
      table,
    ],
    { cwd: ROOT, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'the floor server',
    async () => (await fetch(`${base}/health`)).ok,
    {
      timeoutMs: 30_000,
      everyMs: 100,
    },
  );
  return { child, base, stop: () => stopChild(child) };
}

export function stopChild(child) {
  return new Promise(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A Backstage user token for `userRef`, from the bench sign-in provider. */
export async function userToken(base, userRef) {
  const res = await fetch(`${base}/api/auth/bench/refresh`, {
    headers: { 'x-bench-user': userRef },
  });
  if (!res.ok)
    throw new Error(`sign-in as ${userRef}: ${res.status} ${await res.text()}`);
  return (await res.json()).backstageIdentity.token;
}

export async function benchStats(base) {
  const res = await fetch(`${base}/api/bench/stats`);
  return res.json();
}
