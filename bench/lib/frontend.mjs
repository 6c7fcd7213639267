// Frontend figures: the access plugin's production JS size, and My Access's time to
// interactive in the example app (built app served by the example backend, headless
// Chromium through playwright-core).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import knexFactory from 'knex';
import { ROOT, stopChild } from './backend.mjs';
import { insertRequests } from './seed.mjs';
import { freePort, log, median, waitFor, writeJson } from './util.mjs';

const require = createRequire(import.meta.url);

/**
 * The access frontend plugin's own code as a production build ships it: its entry points
 * (index and alpha) bundled, minified, with every dependency (React, Material UI,
 * Backstage, @jit-access/plugin-access-common) left out as the package build does; the
 * sum of the chunks, raw and gzipped. Built in memory with esbuild (nothing is written).
 */
export async function pluginBundleSize() {
  const esbuild = require('esbuild');
  const src = path.join(ROOT, 'plugins/access/src');
  const entryPoints = ['index.ts', 'alpha.tsx']
    .map(f => path.join(src, f))
    .filter(f => fs.existsSync(f));
  const result = await esbuild.build({
    entryPoints,
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    packages: 'external',
    define: { 'process.env.NODE_ENV': '"production"' },
    outdir: path.join(ROOT, 'bench/results/.esbuild'),
    write: false,
    logLevel: 'silent',
    loader: { '.svg': 'dataurl', '.png': 'dataurl' },
  });
  let minifiedBytes = 0;
  let gzipBytes = 0;
  const files = [];
  for (const f of result.outputFiles.filter(o => o.path.endsWith('.js'))) {
    const gz = zlib.gzipSync(f.contents, { level: 9 }).length;
    minifiedBytes += f.contents.length;
    gzipBytes += gz;
    files.push({
      file: path.basename(f.path),
      bytes: f.contents.length,
      gzip: gz,
    });
  }
  return {
    entryPoints: entryPoints.map(e => path.relative(ROOT, e)),
    minifiedBytes,
    gzipBytes,
    files,
  };
}

import { launchChromium } from '../../e2e-tests/chromium.mjs';

export { launchChromium };

function appBuilt() {
  return fs.existsSync(path.join(ROOT, 'packages/app/dist/index.html'));
}

function appJsGzipBytes() {
  const dir = path.join(ROOT, 'packages/app/dist/static');
  let total = 0;
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith('.js'))
      total += zlib.gzipSync(fs.readFileSync(path.join(dir, f))).length;
  }
  return total;
}

/**
 * Starts the example backend (packages/backend, serving the built app) on a free port with
 * its own databases, seeds `closed` ended requests for alice directly into the access
 * tables, and measures /access in Chromium `runs` times after signing in as alice.
 *
 * Time to interactive of one run: from navigation start until the page shows its data
 * (a closed request's reason visible, no progress bar left) and the main thread has had
 * no long task (> 50 ms) for 500 ms; it is the later of "data shown" and the end of the
 * last long task.
 */
export async function myAccessTti({
  runs,
  closed,
  pgConnection,
  sqlite,
  runDir,
  buildApp,
  avoidPorts,
  prefix,
  resources = 0,
}) {
  if (!appBuilt()) {
    if (!buildApp)
      throw new Error(
        'packages/app is not built: run `yarn workspace app build` first, or pass --build-app',
      );
    log('  building the example app (yarn workspace app build)');
    const b = spawnSync(
      process.execPath,
      [
        path.join(ROOT, '.yarn/releases/yarn-4.13.0.cjs'),
        'workspace',
        'app',
        'build',
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (b.status !== 0) throw new Error('yarn workspace app build failed');
  }
  const port = await freePort(17100, 17199, avoidPorts);
  const baseUrl = `http://localhost:${port}`;
  const sqliteDir = path.join(runDir, 'sqlite-frontend');
  const database = sqlite
    ? { client: 'better-sqlite3', connection: { directory: sqliteDir } }
    : { client: 'pg', connection: pgConnection, prefix };
  const configFile = path.join(runDir, 'app-config.frontend.json');
  // Arrays replace rather than merge in Backstage config: keep the example catalog and
  // add the generated resources for New Request.
  const locations = [
    { type: 'file', target: path.join(ROOT, 'examples/entities.yaml') },
  ];
  if (resources > 0) {
    const file = path.join(runDir, 'bench-resources.yaml');
    fs.writeFileSync(file, benchResourcesYaml(resources));
    locations.push({ type: 'file', target: file });
  }
  writeJson(configFile, {
    app: { baseUrl },
    catalog: { locations },
    backend: {
      baseUrl,
      listen: { port, host: '127.0.0.1' },
      cors: { origin: baseUrl },
      database,
    },
    // Nothing here should reach another process's fake PagerDuty.
    pagerDuty: { apiBaseUrl: 'http://127.0.0.1:9' },
  });
  const logFile = path.join(runDir, 'example-backend.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join(ROOT, 'packages/backend/src/index.ts'),
      '--config',
      path.join(ROOT, 'app-config.yaml'),
      '--config',
      configFile,
    ],
    {
      cwd: path.join(ROOT, 'packages/backend'),
      env: { ...process.env, NODE_ENV: 'development' },
      stdio: ['ignore', out, out],
    },
  );
  fs.closeSync(out);
  let browser;
  let knex;
  const base = `http://127.0.0.1:${port}`;
  try {
    const t = Date.now();
    await waitFor(
      'the example backend and its catalog',
      async () => {
        if (child.exitCode !== null)
          throw new Error(`example backend exited; see ${logFile}`);
        const users = await fetch(`${base}/api/auth/dev/users`);
        const flows = await fetch(`${base}/api/access/flows`);
        return (
          users.ok &&
          (await users.text()).includes('alice') &&
          flows.status === 401
        );
      },
      { timeoutMs: 240_000, everyMs: 500 },
    );
    log(`  example backend up in ${((Date.now() - t) / 1000).toFixed(1)}s`);
    if (resources > 0) {
      const tc = Date.now();
      await waitFor(
        `the catalog to hold ${resources} generated resources`,
        async () => (await generatedResourcesInCatalog(base)) >= resources,
        { timeoutMs: 600_000, everyMs: 2000 },
      );
      log(
        `  catalog ingested ${resources} resources in ${(
          (Date.now() - tc) /
          1000
        ).toFixed(1)}s`,
      );
    }

    knex = sqlite
      ? knexFactory({
          client: 'better-sqlite3',
          connection: { filename: path.join(sqliteDir, 'access.sqlite') },
          useNullAsDefault: true,
        })
      : knexFactory({
          client: 'pg',
          connection: { ...pgConnection, database: `${prefix}access` },
        });
    const now = Date.now();
    await insertRequests(
      knex,
      Array.from({ length: closed }, (_, i) => {
        const createdAt = now - 3_600_000 - i * 600_000;
        return {
          requester: 'user:default/alice',
          flowId: 'staging-db',
          flowTitle: 'Staging databases',
          approvalType: 'automatic',
          requiredApprovals: 0,
          resources: [
            {
              entityRef: 'resource:default/orders-db-staging',
              permissions: ['read'],
            },
          ],
          approvers: [],
          createdAt,
          status: 'revoked',
          grantedAt: createdAt + 1000,
          expiresAt: createdAt + 7_200_000,
          endedAt: createdAt + 600_000,
          endReason: 'Revoked by the holder',
        };
      }),
    );
    await knex.destroy();
    knex = undefined;

    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
    });
    await context.addInitScript(() => {
      window.__longTaskEnds = [];
      try {
        new PerformanceObserver(list => {
          for (const e of list.getEntries())
            window.__longTaskEnds.push(e.startTime + e.duration);
        }).observe({ type: 'longtask', buffered: true });
      } catch {
        // no long task support: TTI is then the time the data is shown
      }
    });
    const page = await context.newPage();
    await page.goto(baseUrl);
    await page
      .getByRole('button', { name: 'Sign in as Alice Anderson' })
      .click();
    await page
      .getByRole('link', { name: /catalog/i })
      .first()
      .waitFor({ timeout: 60_000 });

    const results = [];
    for (let i = 0; i < runs; i++) {
      const r = await timeToInteractive(
        page,
        `${baseUrl}/access`,
        'Revoked by the holder',
      );
      results.push(r);
      log(
        `  My Access run ${i + 1}: data shown at ${r.dataShownMs.toFixed(
          0,
        )} ms, interactive at ${r.ttiMs.toFixed(0)} ms (${
          r.longTasks
        } long tasks)`,
      );
    }
    const newRequest =
      resources > 0 ? await measureNewRequest(page, baseUrl, runs) : undefined;
    return {
      closedRequests: closed,
      newRequest,
      runs: results.map(r => r.ttiMs),
      dataShownMs: median(results.map(r => r.dataShownMs)),
      details: results,
      appJsGzipBytes: appJsGzipBytes(),
    };
  } finally {
    await browser?.close().catch(() => {});
    await knex?.destroy().catch(() => {});
    await stopChild(child);
    if (sqlite) fs.rmSync(sqliteDir, { recursive: true, force: true });
  }
}

/** The first `count` generated Resources: staging databases the example `staging-db` flow covers. */
function benchResourcesYaml(count) {
  const docs = [];
  for (let i = 0; i < count; i++) {
    docs.push(
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Resource',
        'metadata:',
        `  name: bench-db-${String(i).padStart(5, '0')}`,
        `  title: Bench database ${i}`,
        '  labels: { env: staging }',
        'spec:',
        '  type: database',
        '  owner: group:default/dba',
      ].join('\n'),
    );
  }
  return `${docs.join('\n---\n')}\n`;
}

/** How many generated resources the catalog serves now (as a signed-in example user). */
async function generatedResourcesInCatalog(base) {
  const auth = await fetch(`${base}/api/auth/dev/refresh`, {
    headers: { 'x-dev-user': 'user:default/alice' },
  });
  if (!auth.ok) return 0;
  const token = (await auth.json()).backstageIdentity.token;
  const res = await fetch(
    `${base}/api/catalog/entities/by-query?filter=kind=resource,metadata.labels.env=staging,spec.type=database&limit=1&fullTextFilterTerm=bench-db&fullTextFilterFields=metadata.name`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  if (!res.ok) return 0;
  return (await res.json()).totalItems ?? 0;
}

/**
 * Navigates to `url` and measures its time to interactive: from navigation start until
 * `readyText` shows with no progress bar left and the main thread has had no long task
 * (> 50 ms) for 500 ms.
 */
async function timeToInteractive(page, url, readyText) {
  await page.goto(url, { waitUntil: 'commit' });
  await waitOrExplain(page, readyText, () =>
    page.waitForFunction(
      text => {
        const ready =
          document.body?.textContent?.includes(text) &&
          !document.querySelector('[role="progressbar"]');
        if (ready && window.__dataShownAt === undefined)
          window.__dataShownAt = performance.now();
        return ready;
      },
      readyText,
      { polling: 'raf', timeout: 60_000 },
    ),
  );
  return settle(page);
}

/** Runs `wait`; when it fails, says what the page showed instead. */
async function waitOrExplain(page, expected, wait) {
  try {
    return await wait();
  } catch (e) {
    const shown = await page
      .evaluate(() => document.body?.innerText ?? '')
      .catch(() => '');
    throw new Error(
      `${
        e.message
      }\nwaited for "${expected}" at ${page.url()}; the page showed: ${shown
        .replace(/\s+/g, ' ')
        .slice(0, 600)}`,
    );
  }
}

/** Waits until the main thread has been free of long tasks for 500 ms since the data showed. */
function settle(page) {
  return page.evaluate(
    () =>
      new Promise(resolve => {
        const check = () => {
          const lastLong = Math.max(0, ...window.__longTaskEnds);
          const since = Math.max(lastLong, window.__dataShownAt);
          if (performance.now() - since >= 500) {
            resolve({
              dataShownMs: window.__dataShownAt,
              lastLongTaskEndMs: lastLong,
              longTasks: window.__longTaskEnds.length,
              ttiMs: since,
              domNodes: document.getElementsByTagName('*').length,
              jsHeapMb: performance.memory
                ? performance.memory.usedJSHeapSize / 1e6
                : null,
            });
          } else setTimeout(check, 50);
        };
        check();
      }),
  );
}

/**
 * New Request with the generated resources in the catalog: time to interactive, a name
 * search answered, and paging through ten "Load more" pages.
 */
async function measureNewRequest(page, baseUrl, runs) {
  const tti = [];
  for (let i = 0; i < runs; i++) {
    const r = await timeToInteractive(page, `${baseUrl}/access/new`, 'Showing');
    tti.push(r);
    log(
      `  New Request run ${i + 1}: data shown at ${r.dataShownMs.toFixed(
        0,
      )} ms, interactive at ${r.ttiMs.toFixed(0)} ms, ${r.domNodes} DOM nodes`,
    );
  }
  // A search for one resource among all of them, timed from the last keystroke to the
  // single matching row (the field is debounced; the debounce is part of what people wait).
  const search = [];
  for (let i = 0; i < runs; i++) {
    const name = `bench-db-${String(7000 + i * 111).padStart(5, '0')}`;
    const field = page.getByLabel('Search by name');
    await field.fill('');
    await page.getByText('Showing').first().waitFor();
    const started = Date.now();
    await field.fill(name);
    await page.waitForFunction(
      n => {
        const rows = document.querySelectorAll(
          'table[aria-label="Resources"] tbody tr',
        );
        return (
          rows.length === 1 &&
          rows[0].textContent.includes(n.replace('bench-db-', '')) &&
          !document.querySelector('[role="progressbar"]')
        );
      },
      String(7000 + i * 111),
      { polling: 'raf', timeout: 60_000 },
    );
    search.push(Date.now() - started);
  }
  await page.getByLabel('Search by name').fill('');
  // The unfiltered list is back once it offers more again.
  await page
    .getByRole('button', { name: 'Load more' })
    .waitFor({ timeout: 60_000 });
  // Ten pages of "Load more", as someone scrolling through the list.
  const loadMore = [];
  for (let i = 0; i < 10; i++) {
    const button = page.getByRole('button', { name: 'Load more' });
    if (!(await button.isVisible())) break;
    const before = await page
      .locator('table[aria-label="Resources"] tbody tr')
      .count();
    const started = Date.now();
    await button.click();
    await page.waitForFunction(
      n =>
        document.querySelectorAll('table[aria-label="Resources"] tbody tr')
          .length > n,
      before,
      { polling: 'raf', timeout: 60_000 },
    );
    loadMore.push(Date.now() - started);
  }
  const rowsShown = await page
    .locator('table[aria-label="Resources"] tbody tr')
    .count();
  const domNodes = await page.evaluate(
    () => document.getElementsByTagName('*').length,
  );
  return {
    ttiMs: tti.map(r => r.ttiMs),
    dataShownMs: tti.map(r => r.dataShownMs),
    domNodesAtStart: tti[0]?.domNodes,
    searchMs: search,
    loadMoreMs: loadMore,
    rowsShownAfterPaging: rowsShown,
    domNodesAfterPaging: domNodes,
  };
}
