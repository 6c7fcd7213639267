#!/usr/bin/env node
// The adoption test: installs the published packages into a brand-new Backstage app the way
// an adopter does, following the root README's "Install in your Backstage" section, and
// uses them in Chromium. Steps:
//   packs the plugins (or takes the tarballs scripts/check-packs.mjs just checked), publishes
//   them to a local Verdaccio, creates an app with @backstage/create-app from the npm
//   registry, runs the README's marked commands and applies its marked blocks, type-checks
//   and builds the app, starts its backend (SQLite) and, in headless Chromium, requests
//   access as the guest and approves as the second identity the README describes.
// Each step prints its name; a failure names the step. Screenshots go to
// e2e-tests/screenshots/adoption/, logs to e2e-tests/logs/adoption/ (both git-ignored).
//
// Usage: node e2e-tests/adoption/adopt.mjs [--tarballs <dir>]
// Environment: ACCESS_CREATE_APP_VERSION (default: latest), ACCESS_ADOPTION_KEEP=1 keeps
// the work folder (otherwise removed, also after a failure: logs stay in e2e-tests/logs),
// ACCESS_ADOPTION_REGISTRY_PORT (4873), ACCESS_ADOPTION_BACKEND_PORT (7027), CHROMIUM_PATH
// (default /usr/bin/chromium).
//
// The only things done that the README does not say, and why:
//   - the app's .yarnrc.yml sends the @jit-access scope to the local registry (it stands in
//     for npmjs, where the packages are not published yet);
//   - the backend serves the built app on :7007 (instead of `yarn start`'s dev server) and
//     keeps SQLite in a folder, so that requests survive the restart as the approver.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { readReadmeBlocks } from './readmeBlocks.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const shots = path.join(root, 'e2e-tests/screenshots/adoption');
const logs = path.join(root, 'e2e-tests/logs/adoption');
const createAppVersion = process.env.ACCESS_CREATE_APP_VERSION || 'latest';
const registryPort = Number(process.env.ACCESS_ADOPTION_REGISTRY_PORT || 4873);
const registry = `http://127.0.0.1:${registryPort}`;
// Not 7007, where the example app's backend may run: a stray backend there would answer.
const backendPort = Number(process.env.ACCESS_ADOPTION_BACKEND_PORT || 7027);
const backendUrl = `http://localhost:${backendPort}`;
const verdaccioVersion = '6.10.4';

fs.rmSync(shots, { recursive: true, force: true });
fs.rmSync(logs, { recursive: true, force: true });
fs.mkdirSync(shots, { recursive: true });
fs.mkdirSync(logs, { recursive: true });
// Work folders of earlier runs that were killed (about 1.2 GB each).
for (const old of fs.readdirSync(os.tmpdir()))
  if (old.startsWith('access-adoption-'))
    fs.rmSync(path.join(os.tmpdir(), old), { recursive: true, force: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'access-adoption-'));
const app = path.join(work, 'app');
const args = process.argv.slice(2);
const tarballArg = args.indexOf('--tarballs');
let tarballs = tarballArg >= 0 ? path.resolve(args[tarballArg + 1]) : undefined;

const children = [];
// Interrupted (Ctrl-C, a CI timeout): stop the registry and the backend, which run in
// process groups of their own, and remove the work folder.
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    for (const child of children) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (process.env.ACCESS_ADOPTION_KEEP !== '1')
      fs.rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
const results = [];
const started = Date.now();
const seconds = since => `${((Date.now() - since) / 1000).toFixed(0)} s`;

/** Runs one named step; a failure stops the test with the step's name. */
async function step(name, fn) {
  const n = results.length + 1;
  const t = Date.now();
  console.log(`==> [adoption ${n}] ${name}`);
  try {
    const note = await fn();
    results.push({ name, ok: true });
    console.log(`    ok (${seconds(t)})${note ? `: ${note}` : ''}`);
  } catch (e) {
    results.push({ name, ok: false });
    const error = new Error(
      `adoption test failed at step ${n} "${name}": ${e.message}`,
    );
    error.cause = e;
    throw error;
  }
}

/** Runs a command to the end; its output goes to a log file, shown on failure. */
function run(
  command,
  commandArgs,
  { cwd = app, env = {}, log, input, timeoutMs = 15 * 60_000 } = {},
) {
  const logFile = path.join(logs, `${log ?? path.basename(command)}.log`);
  const result = spawnSync(command, commandArgs, {
    cwd,
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    env: {
      ...process.env,
      FORCE_COLOR: '0',
      CI: 'true',
      // CI=true makes yarn refuse to write the new app's lockfile.
      YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
      ...env,
    },
  });
  fs.appendFileSync(
    logFile,
    `$ ${command} ${commandArgs.join(' ')}\n${result.stdout}${result.stderr}\n`,
  );
  if (result.status !== 0) {
    const tail = `${result.stdout}${result.stderr}`
      .trim()
      .split('\n')
      .slice(-30)
      .join('\n');
    throw new Error(
      `'${command} ${commandArgs.join(' ')}' exited with ${
        result.status ?? result.signal
      } (log: ${path.relative(root, logFile)}):\n${tail}`,
    );
  }
  return result.stdout;
}

/** Runs a README shell line such as `yarn --cwd packages/backend add …` in the app. */
function runReadmeCommand(line, log) {
  const words = line.trim().split(/\s+/);
  assert.equal(words[0], 'yarn', `expected a yarn command, got: ${line}`);
  return run('yarn', words.slice(1), { log });
}

/** Starts a long-running process in its own process group; stopped at exit. */
function start(command, commandArgs, { cwd, env = {}, log }) {
  const out = fs.openSync(path.join(logs, `${log}.log`), 'a');
  const child = spawn(command, commandArgs, {
    cwd,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, FORCE_COLOR: '0', ...env },
  });
  children.push(child);
  return child;
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  return new Promise(resolve => {
    child.once('exit', () => {
      // What the group leader (yarn) started may outlive it.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // all gone
      }
      resolve();
    });
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      resolve();
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000).unref();
  });
}

/** Polls `check` until it answers true, or fails after `timeoutMs` with `what`. */
async function waitFor(what, timeoutMs, check, child, logName) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) {
      throw new Error(
        `${what}: the process exited with ${
          child.exitCode
        }; last lines of ${logName}.log:\n${tail(logName)}`,
      );
    }
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${
          timeoutMs / 1000
        } s; last lines of ${logName}.log:\n${tail(logName)}`,
      );
    await new Promise(r => setTimeout(r, 1000));
  }
}

function launchChromium(chromium) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Whether semver `a` is above `b` (plain x.y.z, as in a lockfile). */
function newer(a, b) {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] > pb[i];
  return false;
}

function tail(logName) {
  const file = path.join(logs, `${logName}.log`);
  if (!fs.existsSync(file)) return '(no log)';
  return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-40).join('\n');
}

let readme;

let backend;
/** Starts the app's backend with the adoption config plus `extraConfig`. */
async function startBackend(name, extraConfig) {
  const configs = ['app-config.yaml', 'app-config.adoption.yaml'];
  if (extraConfig) {
    fs.writeFileSync(path.join(app, `app-config.${name}.yaml`), extraConfig);
    configs.push(`app-config.${name}.yaml`);
  }
  const taken = await fetch(backendUrl).then(
    () => true,
    () => false,
  );
  assert.ok(
    !taken,
    `something already answers on ${backendUrl}; stop it or set ACCESS_ADOPTION_BACKEND_PORT`,
  );
  backend = start(
    'yarn',
    [
      'workspace',
      'backend',
      'start',
      ...configs.flatMap(c => ['--config', `../../${c}`]),
    ],
    { cwd: app, env: { NODE_ENV: 'development' }, log: `backend-${name}` },
  );
  // Ready, with the access plugin mounted: /api/access/flows asks for a sign-in (401).
  await waitFor(
    'the backend is ready and /api/access/flows answers 401 without a token',
    240_000,
    async () =>
      (await fetch(`${backendUrl}/.backstage/health/v1/readiness`)).ok &&
      (await fetch(`${backendUrl}/api/access/flows`)).status === 401,
    backend,
    `backend-${name}`,
  );
}

let failure;
let browser;
/** The page of the last sign-in, photographed when a step fails. */
let lastPage;
try {
  console.log(
    `JIT Access adoption test: a new Backstage app installs the packages (work folder ${work})`,
  );

  await step("read the README's marked install blocks", async () => {
    readme = readReadmeBlocks(path.join(root, 'README.md'));
  });

  await step('pack the plugins to tarballs', async () => {
    if (tarballs) {
      const found = fs.readdirSync(tarballs).filter(f => f.endsWith('.tgz'));
      // One for every package under plugins/, of the version in its package.json.
      for (const dir of fs.readdirSync(path.join(root, 'plugins'))) {
        const manifest = path.join(root, 'plugins', dir, 'package.json');
        if (!fs.existsSync(manifest)) continue;
        const { name, version } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
        const file = `${name
          .replace('@', '')
          .replace('/', '-')}-${version}.tgz`;
        assert.ok(found.includes(file), `${file} is not in ${tarballs}`);
      }
      return `${found.length} tarballs from ${path.relative(root, tarballs)}`;
    }
    tarballs = path.join(work, 'tarballs');
    run(process.execPath, ['scripts/check-packs.mjs', '--out', tarballs], {
      cwd: root,
      log: 'check-packs',
    });
    return `${fs.readdirSync(tarballs).length} tarballs`;
  });

  await step(
    `start a local npm registry (Verdaccio ${verdaccioVersion}) on ${registry}`,
    async () => {
      const tools = path.join(root, '.tools/verdaccio');
      const bin = path.join(tools, 'node_modules/verdaccio/bin/verdaccio');
      const installed = path.join(tools, 'node_modules/verdaccio/package.json');
      if (
        !fs.existsSync(installed) ||
        JSON.parse(fs.readFileSync(installed, 'utf8')).version !==
          verdaccioVersion
      ) {
        fs.mkdirSync(tools, { recursive: true });
        run(
          'npm',
          [
            'install',
            '--no-save',
            '--no-package-lock',
            '--prefix',
            tools,
            `verdaccio@${verdaccioVersion}`,
          ],
          { cwd: tools, log: 'verdaccio-install' },
        );
      }
      const busy = await fetch(`${registry}/-/ping`).then(
        () => true,
        () => false,
      );
      assert.ok(
        !busy,
        `port ${registryPort} is taken; stop what listens there or set ACCESS_ADOPTION_REGISTRY_PORT`,
      );
      const upstream = run('npm', ['config', 'get', 'registry'], {
        cwd: work,
        log: 'npm-config',
      }).trim();
      const storage = path.join(work, 'registry');
      const config = {
        storage: path.join(storage, 'storage'),
        auth: {
          htpasswd: { file: path.join(storage, 'htpasswd'), max_users: -1 },
        },
        uplinks: { npmjs: { url: upstream } },
        packages: {
          '@jit-access/*': { access: '$all', publish: '$all' },
          '**': { access: '$all', proxy: 'npmjs' },
        },
        log: { type: 'stdout', format: 'pretty', level: 'warn' },
      };
      fs.mkdirSync(storage, { recursive: true });
      fs.writeFileSync(
        path.join(storage, 'config.yaml'),
        YAML.stringify(config),
      );
      const verdaccio = start(
        process.execPath,
        [
          bin,
          '--config',
          path.join(storage, 'config.yaml'),
          '--listen',
          `127.0.0.1:${registryPort}`,
        ],
        { cwd: storage, log: 'verdaccio' },
      );
      await waitFor(
        'Verdaccio answers /-/ping',
        30_000,
        async () => (await fetch(`${registry}/-/ping`)).ok,
        verdaccio,
        'verdaccio',
      );
    },
  );

  await step('publish the tarballs to it', async () => {
    const names = [];
    for (const file of fs
      .readdirSync(tarballs)
      .filter(f => f.endsWith('.tgz'))) {
      run(
        'npm',
        [
          'publish',
          path.join(tarballs, file),
          '--registry',
          registry,
          `--//127.0.0.1:${registryPort}/:_authToken=adoption-test`,
          '--fetch-retries=0',
        ],
        { cwd: work, log: 'npm-publish' },
      );
      names.push(file.replace(/\.tgz$/, ''));
    }
    return names.join(', ');
  });

  await step(
    `create a new app with @backstage/create-app@${createAppVersion}`,
    async () => {
      run(
        'npx',
        [
          '--yes',
          `@backstage/create-app@${createAppVersion}`,
          '--skip-install',
          '--path',
          app,
        ],
        { cwd: work, input: 'adoption-app\n', log: 'create-app' },
      );
      const release = JSON.parse(
        fs.readFileSync(path.join(app, 'backstage.json'), 'utf8'),
      ).version;
      return `Backstage ${release} template`;
    },
  );

  await step(
    `README 0: bring the app to the current Backstage release (backstage-cli versions:bump)`,
    async () => {
      const releaseVersion = JSON.parse(
        fs.readFileSync(path.join(root, 'backstage.json'), 'utf8'),
      ).version;
      const command = readme.block('bump').code.trim();
      assert.equal(
        command,
        `yarn backstage-cli versions:bump --release ${releaseVersion}`,
        "README 0 must bump to the release in this repository's backstage.json",
      );
      // versions:bump reads the release's manifest from versions.backstage.io, which this
      // machine cannot reach; BACKSTAGE_MANIFEST_FILE is the CLI's own way to hand it one.
      // It lists each @backstage package the app uses at the version this repository
      // builds and tests with (its yarn.lock, Backstage ${releaseVersion}); packages this
      // repository does not use (scaffolder, techdocs, ...) at their latest version.
      const locked = new Map();
      const lock = fs.readFileSync(path.join(root, 'yarn.lock'), 'utf8');
      for (const m of lock.matchAll(
        /^"(@backstage\/[^@"]+)@npm:[^\n]*:\n {2}version: ([^\n]+)$/gm,
      )) {
        const prior = locked.get(m[1]);
        if (!prior || newer(m[2], prior)) locked.set(m[1], m[2]);
      }
      const upstream = run('npm', ['config', 'get', 'registry'], {
        cwd: work,
        log: 'npm-config',
      })
        .trim()
        .replace(/\/$/, '');
      const names = new Set();
      for (const dir of ['.', 'packages/app', 'packages/backend']) {
        const pkg = JSON.parse(
          fs.readFileSync(path.join(app, dir, 'package.json'), 'utf8'),
        );
        for (const field of ['dependencies', 'devDependencies'])
          for (const name of Object.keys(pkg[field] ?? {}))
            if (name.startsWith('@backstage/')) names.add(name);
      }
      const packages = [];
      const queue = [...names].filter(name => {
        if (!locked.has(name)) return true;
        packages.push({ name, version: locked.get(name) });
        return false;
      });
      const fromLock = packages.length;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let name = queue.shift(); name; name = queue.shift()) {
            const res = await fetch(`${upstream}/${name.replace('/', '%2f')}`, {
              headers: { accept: 'application/vnd.npm.install-v1+json' },
            });
            assert.ok(res.ok, `${name}: the registry answered ${res.status}`);
            const { 'dist-tags': tags } = await res.json();
            packages.push({ name, version: tags.latest });
          }
        }),
      );
      const manifest = path.join(work, 'release-manifest.json');
      fs.writeFileSync(manifest, JSON.stringify({ releaseVersion, packages }));
      // The app has no node_modules yet: this repository's CLI (the same command) does it.
      run(
        process.execPath,
        [
          path.join(root, 'node_modules/@backstage/cli/bin/backstage-cli'),
          ...command.split(/\s+/).slice(2),
          '--skip-install',
        ],
        { env: { BACKSTAGE_MANIFEST_FILE: manifest }, log: 'versions-bump' },
      );
      const bumped = JSON.parse(
        fs.readFileSync(path.join(app, 'backstage.json'), 'utf8'),
      ).version;
      assert.equal(bumped, releaseVersion, 'backstage.json was not bumped');
      return `${
        packages.length
      } @backstage packages: ${fromLock} at this repository's versions, ${
        packages.length - fromLock
      } at their latest (release ${releaseVersion})`;
    },
  );

  await step(
    "point the app's @jit-access scope at the local registry",
    async () => {
      const file = path.join(app, '.yarnrc.yml');
      const rc = YAML.parse(fs.readFileSync(file, 'utf8'));
      rc.npmScopes = { 'jit-access': { npmRegistryServer: registry } };
      rc.unsafeHttpWhitelist = ['127.0.0.1'];
      // The README's "Brand-new releases": the packages were published a moment ago.
      rc.npmPreapprovedPackages = [
        ...(rc.npmPreapprovedPackages ?? []),
        '@jit-access/*',
      ];
      fs.writeFileSync(file, YAML.stringify(rc));
      // Yarn's global cache is keyed by name and version: drop any @jit-access archives an
      // earlier run left, so this run installs the tarballs it just published.
      const cache = run('yarn', ['config', 'get', 'cacheFolder'], {
        log: 'yarn-config',
      }).trim();
      if (fs.existsSync(cache)) {
        for (const f of fs.readdirSync(cache)) {
          if (f.startsWith('@jit-access-'))
            fs.rmSync(path.join(cache, f), { force: true });
        }
      }
      // And the package metadata it keeps per registry host, which names the old archives.
      const global = run('yarn', ['config', 'get', 'globalFolder'], {
        log: 'yarn-config',
      }).trim();
      const metadata = path.join(global, 'metadata/npm');
      if (fs.existsSync(metadata)) {
        for (const hash of fs.readdirSync(metadata))
          fs.rmSync(path.join(metadata, hash, '127.0.0.1'), {
            recursive: true,
            force: true,
          });
      }
    },
  );

  await step("install the new app's dependencies (yarn install)", async () => {
    run('yarn', ['install'], { log: 'yarn-install' });
  });

  await step('README 1: add the backend packages', async () => {
    runReadmeCommand(readme.block('backend-add').code, 'yarn-add-backend');
  });

  await step(
    'README 1: remove the allow-all policy and add the backend lines',
    async () => {
      const file = path.join(app, 'packages/backend/src/index.ts');
      let source = fs.readFileSync(file, 'utf8');
      const allowAll =
        /backend\.add\(\s*import\('@backstage\/plugin-permission-backend-module-allow-all-policy'\),?\s*\);\n/;
      assert.match(source, allowAll, 'the allow-all policy line is not there');
      source = source.replace(allowAll, '');
      assert.match(source, /backend\.start\(\);/);
      source = source.replace(
        'backend.start();',
        `${readme.block('backend-index').code}\nbackend.start();`,
      );
      fs.writeFileSync(file, source);
    },
  );

  await step(
    'README 1: add the optional modules (PagerDuty, PostgreSQL)',
    async () => {
      runReadmeCommand(readme.block('modules-add').code, 'yarn-add-modules');
      const file = path.join(app, 'packages/backend/src/index.ts');
      const source = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(
        file,
        source.replace(
          'backend.start();',
          `${readme.block('modules-index').code}\nbackend.start();`,
        ),
      );
    },
  );

  await step('README 2: add the frontend package', async () => {
    runReadmeCommand(readme.block('app-add').code, 'yarn-add-app');
  });

  await step(
    'README 3 and 4: the config block and the example catalog file',
    async () => {
      const file = path.join(app, 'app-config.yaml');
      const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
      const block = YAML.parse(readme.block('config').code);
      for (const [key, value] of Object.entries(block)) {
        assert.ok(!doc.has(key), `app-config.yaml already has ${key}`);
        doc.set(key, value);
      }
      const locations = doc.getIn(['catalog', 'locations']);
      locations.add(
        doc.createNode({
          type: 'file',
          target: '../../examples/access.yaml',
          rules: [{ allow: ['User', 'Group', 'Resource'] }],
        }),
      );
      fs.writeFileSync(file, doc.toString());
      fs.writeFileSync(
        path.join(app, 'examples/access.yaml'),
        readme.block('catalog').code,
      );
      // Not from the README: the backend serves the built app, and SQLite keeps its data
      // in a folder so that it survives the restart as the approver.
      fs.writeFileSync(
        path.join(app, 'app-config.adoption.yaml'),
        YAML.stringify({
          app: { baseUrl: backendUrl },
          backend: {
            baseUrl: backendUrl,
            listen: { port: backendPort },
            cors: { origin: backendUrl },
            database: {
              client: 'better-sqlite3',
              connection: { directory: path.join(work, 'sqlite') },
            },
          },
        }),
      );
    },
  );

  await step('type-check the app (yarn tsc)', async () => {
    run('yarn', ['tsc'], { log: 'tsc' });
  });

  await step('build the frontend (yarn workspace app build)', async () => {
    run('yarn', ['workspace', 'app', 'build'], {
      log: 'build-app',
      env: { NODE_OPTIONS: '--max-old-space-size=4096' },
    });
  });

  await step('build the backend (yarn build:backend)', async () => {
    run('yarn', ['build:backend'], { log: 'build-backend' });
  });

  await step(
    'start the backend as the guest (README 5: the requester)',
    async () => {
      await startBackend('guest', readme.block('requester').code);
    },
  );

  await step('launch headless Chromium', async () => {
    const { chromium } = await import('playwright-core');
    browser = await launchChromium(chromium);
  });

  /** A fresh browser profile signed in with the guest provider. */
  async function signIn() {
    await lastPage
      ?.context()
      .close()
      .catch(() => {});
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    lastPage = page;
    const errors = [];
    page.on('pageerror', e => errors.push(e.message));
    await page.goto(backendUrl);
    await page.getByRole('button', { name: /enter/i }).click();
    // The sidebar's item, which the plugin's nav item extension adds.
    await page.getByRole('link', { name: 'Access', exact: true }).waitFor();
    return { page, context, errors };
  }

  /** Requests read access from an entity page's card; answers the dialog's text. */
  async function requestFromEntityCard(page, name, shotName) {
    // The catalog reads examples/access.yaml shortly after start: reload until it did.
    const requestButton = page.getByRole('button', { name: 'Request access' });
    const deadline = Date.now() + 120_000;
    for (;;) {
      await page.goto(`${backendUrl}/catalog/default/resource/${name}`);
      try {
        await requestButton.waitFor({ timeout: 10_000 });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
    }
    await requestButton.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('checkbox', { name: /read/i }).check();
    await dialog.getByLabel('Justification').fill(`Adoption test: ${name}`);
    await dialog.getByRole('button', { name: 'Submit request' }).click();
    await dialog.getByText('Request sent').waitFor();
    await page.screenshot({
      path: path.join(shots, `${shotName}.png`),
      fullPage: true,
    });
    const text = await dialog.innerText();
    await dialog.getByRole('button', { name: 'Done' }).click();
    return text;
  }

  await step(
    'Chromium, guest: signs in and sees Access in the sidebar',
    async () => {
      const guest = await signIn();
      await guest.page.screenshot({
        path: path.join(shots, '01-guest-signed-in.png'),
      });
      await guest.context.close();
    },
  );

  await step(
    'Chromium, guest: requests staging-db from the entity card; automatic flow: Active on My Access',
    async () => {
      const guest = await signIn();
      const text = await requestFromEntityCard(
        guest.page,
        'staging-db',
        '02-guest-requests-staging-db',
      );
      assert.match(
        text,
        /^Active\s+read via Staging resources/m,
        `expected Active at once, got: ${text}`,
      );
      await guest.page.goto(`${backendUrl}/access`);
      await guest.page
        .getByRole('list', { name: 'Active access' })
        .getByText('staging-db')
        .first()
        .waitFor();
      await guest.page.screenshot({
        path: path.join(shots, '03-my-access-active.png'),
        fullPage: true,
      });
      assert.deepEqual(guest.errors, []);
      await guest.context.close();
    },
  );

  await step(
    'Chromium, guest: requests orders-db; manual flow: it waits for the owner',
    async () => {
      const guest = await signIn();
      const text = await requestFromEntityCard(
        guest.page,
        'orders-db',
        '04-guest-requests-orders-db',
      );
      assert.match(
        text,
        /^Pending Approval\s+read via Other resources: Waiting for approval from dana/m,
        `expected a request waiting for dana, got: ${text}`,
      );
      assert.deepEqual(guest.errors, []);
      await guest.context.close();
    },
  );

  await step(
    'restart the backend signed in as dana (README 5: the approver)',
    async () => {
      await stop(backend);
      await waitFor(`port ${backendPort} is free again`, 30_000, () =>
        fetch(backendUrl).then(
          () => false,
          () => true,
        ),
      );
      await startBackend('approver', readme.block('approver').code);
    },
  );

  await step(
    'Chromium, dana: sees the request on Approvals, approves it; it becomes Active',
    async () => {
      const dana = await signIn();
      await dana.page.goto(`${backendUrl}/access/approvals`);
      const row = dana.page
        .getByRole('row')
        .filter({ hasText: 'orders-db' })
        .first();
      await row.waitFor();
      await dana.page.screenshot({
        path: path.join(shots, '05-approvals-waiting.png'),
        fullPage: true,
      });
      const details = await row
        .getByRole('link', { name: 'Details' })
        .first()
        .getAttribute('href');
      await row
        .getByRole('button', { name: /^Approve/ })
        .first()
        .click();
      const dialog = dana.page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Approve' }).click();
      await dana.page.getByText('Nothing is waiting for you').waitFor();
      await dana.page.goto(new URL(details, backendUrl).toString());
      // The status chip beside the request page's heading.
      await dana.page
        .getByRole('heading', { name: 'Access request', exact: true })
        .locator('xpath=..')
        .getByText('Active', { exact: true })
        .waitFor();
      await dana.page.screenshot({
        path: path.join(shots, '06-approved-active.png'),
        fullPage: true,
      });
      assert.deepEqual(dana.errors, []);
      await dana.context.close();
    },
  );
} catch (e) {
  failure = e;
  await lastPage
    ?.screenshot({ path: path.join(shots, 'failure.png'), fullPage: true })
    .catch(() => {});
} finally {
  await browser?.close().catch(() => {});
  await Promise.all(children.map(stop));
  if (process.env.ACCESS_ADOPTION_KEEP === '1')
    console.log(`work folder kept: ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}

const passed = results.filter(r => r.ok).length;
fs.writeFileSync(
  path.join(logs, 'results.json'),
  JSON.stringify({ passed, failed: failure ? 1 : 0, steps: results }),
);
if (failure) {
  console.error(`\nERROR: ${failure.message}`);
  if (failure.cause?.stack) console.error(failure.cause.stack);
  console.error(`logs: ${path.relative(root, logs)}/`);
  process.exit(1);
}
console.log(
  `==> Adoption test: ${passed} steps passed in ${seconds(
    started,
  )}; screenshots in ${path.relative(root, shots)}/`,
);
