#!/usr/bin/env node
// The adoption test: installs the packed packages into a brand-new Backstage app the way an
// adopter does, following the root README's "Install in your Backstage" section, and uses
// them in Chromium. It packs the plugins (or takes the tarballs scripts/check-packs.mjs just
// checked), publishes them to a local Verdaccio, creates an app with @backstage/create-app
// from the npm registry, runs the README's marked commands and applies its marked blocks,
// type-checks and builds the app, starts its backend (SQLite) and, in headless Chromium,
// requests access as the guest and approves as the second identity the README describes.
// Each step prints its name; a failure names the step. Screenshots go to
// e2e-tests/screenshots/adoption/, logs to e2e-tests/logs/adoption/ (both git-ignored).
// Where it differs from an adopter, and why: the README's "Install in your Backstage".
//
// Usage: node e2e-tests/adoption/adopt.mjs [--tarballs <dir>]
// Environment: ACCESS_CREATE_APP_VERSION (default: latest), ACCESS_ADOPTION_KEEP=1 keeps
// the work folder (otherwise removed, also after a failure: the logs stay),
// ACCESS_ADOPTION_REGISTRY_PORT (4873), ACCESS_ADOPTION_BACKEND_PORT (7027), CHROMIUM_PATH
// (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addBackendLines,
  addConfigAndCatalog,
  removeAllowAllPolicy,
  writeTestConfig,
} from './appFiles.mjs';
import { launchChromium, Sessions } from './browser.mjs';
import {
  publishTarballs,
  startLocalRegistry,
  useLocalRegistry,
  VERDACCIO_VERSION,
} from './localRegistry.mjs';
import { answers, Processes } from './processes.mjs';
import { readReadmeBlocks } from './readmeBlocks.mjs';
import { writeReleaseManifest } from './releaseManifest.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const shots = path.join(root, 'e2e-tests/screenshots/adoption');
const logs = path.join(root, 'e2e-tests/logs/adoption');
const createAppVersion = process.env.ACCESS_CREATE_APP_VERSION || 'latest';
const registryPort = Number(process.env.ACCESS_ADOPTION_REGISTRY_PORT || 4873);
// Not 7007, where the example app's backend may run: a stray backend there would answer.
const backendPort = Number(process.env.ACCESS_ADOPTION_BACKEND_PORT || 7027);
const backendUrl = `http://localhost:${backendPort}`;

for (const dir of [shots, logs]) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}
// Work folders of earlier runs that were killed (about 1.2 GB each).
for (const old of fs.readdirSync(os.tmpdir()))
  if (old.startsWith('access-adoption-'))
    fs.rmSync(path.join(os.tmpdir(), old), { recursive: true, force: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'access-adoption-'));
const app = path.join(work, 'app');
const tarballArg = process.argv.indexOf('--tarballs');
let tarballs =
  tarballArg >= 0 ? path.resolve(process.argv[tarballArg + 1]) : undefined;

const processes = new Processes({ logs, root });
/** Runs a command in the app (or `cwd`), logged to `log`.log. */
const run = (command, args, options = {}) =>
  processes.run(command, args, { cwd: app, ...options });
/** Runs a README shell line such as `yarn --cwd packages/backend add …` in the app. */
function runReadmeCommand(line, log) {
  const words = line.trim().split(/\s+/);
  assert.equal(words[0], 'yarn', `expected a yarn command, got: ${line}`);
  return run('yarn', words.slice(1), { log });
}

// Interrupted (Ctrl-C, a CI timeout): stop the registry and the backend, which run in
// process groups of their own, and remove the work folder.
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    processes.killAll();
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

let backend;
/** Starts the app's backend with the test's config plus `signInConfig` (README 5). */
async function startBackend(name, signInConfig) {
  fs.writeFileSync(path.join(app, `app-config.${name}.yaml`), signInConfig);
  assert.ok(
    !(await answers(backendUrl)),
    `something already answers on ${backendUrl}; stop it or set ACCESS_ADOPTION_BACKEND_PORT`,
  );
  const configs = [
    'app-config.yaml',
    'app-config.adoption.yaml',
    `app-config.${name}.yaml`,
  ];
  backend = processes.start(
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
  await processes.waitFor(
    'the backend is ready and /api/access/flows answers 401 without a token',
    240_000,
    async () =>
      (await fetch(`${backendUrl}/.backstage/health/v1/readiness`)).ok &&
      (await fetch(`${backendUrl}/api/access/flows`)).status === 401,
    backend,
  );
}

let readme;
let registry;
let browser;
let sessions;
let failure;
try {
  console.log(
    `JIT Access adoption test: a new Backstage app installs the packages (work folder ${work})`,
  );

  await step("read the README's marked install blocks", async () => {
    readme = readReadmeBlocks(path.join(root, 'README.md'));
  });

  await step('pack the plugins to tarballs', async () => {
    if (!tarballs) {
      tarballs = path.join(work, 'tarballs');
      processes.run(
        process.execPath,
        ['scripts/check-packs.mjs', '--out', tarballs],
        { cwd: root, log: 'check-packs' },
      );
    }
    // One for every package under plugins/, of the version in its package.json.
    const found = fs.readdirSync(tarballs).filter(f => f.endsWith('.tgz'));
    for (const dir of fs.readdirSync(path.join(root, 'plugins'))) {
      const manifest = path.join(root, 'plugins', dir, 'package.json');
      if (!fs.existsSync(manifest)) continue;
      const { name, version } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      const file = `${name.replace('@', '').replace('/', '-')}-${version}.tgz`;
      assert.ok(found.includes(file), `${file} is not in ${tarballs}`);
    }
    return `${found.length} tarballs in ${path.relative(root, tarballs)}`;
  });

  await step(
    `start a local npm registry (Verdaccio ${VERDACCIO_VERSION}) on port ${registryPort}`,
    async () => {
      registry = await startLocalRegistry({
        root,
        work,
        port: registryPort,
        processes,
      });
    },
  );

  await step('publish the tarballs to it', async () =>
    publishTarballs({
      tarballs,
      url: registry,
      port: registryPort,
      work,
      processes,
    }).join(', '),
  );

  await step(
    `create a new app with @backstage/create-app@${createAppVersion}`,
    async () => {
      processes.run(
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
    'README 0: bring the app to the release the packages are built for (versions:bump)',
    async () => {
      const manifest = path.join(work, 'release-manifest.json');
      const { releaseVersion, total, fromLock } = await writeReleaseManifest({
        root,
        app,
        registry: processes
          .run('npm', ['config', 'get', 'registry'], {
            cwd: work,
            log: 'npm-config',
          })
          .trim(),
        file: manifest,
      });
      const command = readme.block('bump').code.trim();
      assert.equal(
        command,
        `yarn backstage-cli versions:bump --release ${releaseVersion}`,
        "README 0 must bump to the release in this repository's backstage.json",
      );
      // The app has no node_modules yet: this repository's copy of the CLI runs it.
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
      return `${total} @backstage packages: ${fromLock} at this repository's versions, ${
        total - fromLock
      } at their latest (release ${releaseVersion})`;
    },
  );

  await step(
    "point the app's @jit-access scope at the local registry",
    async () => useLocalRegistry({ app, url: registry, processes }),
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
      removeAllowAllPolicy(app);
      addBackendLines(app, readme.block('backend-index').code);
    },
  );

  await step(
    'README 1: add the optional modules (PagerDuty, PostgreSQL)',
    async () => {
      runReadmeCommand(readme.block('modules-add').code, 'yarn-add-modules');
      addBackendLines(app, readme.block('modules-index').code);
    },
  );

  await step('README 2: add the frontend package', async () => {
    runReadmeCommand(readme.block('app-add').code, 'yarn-add-app');
  });

  await step(
    'README 3 and 4: the config block and the example catalog file',
    async () => {
      addConfigAndCatalog(
        app,
        readme.block('config').code,
        readme.block('catalog').code,
      );
      writeTestConfig(app, {
        port: backendPort,
        baseUrl: backendUrl,
        sqliteDir: path.join(work, 'sqlite'),
      });
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
    browser = await launchChromium();
    sessions = new Sessions({ browser, baseUrl: backendUrl, shots });
  });

  await step(
    'Chromium, guest: signs in and sees Access in the sidebar',
    async () => {
      const guest = await sessions.signIn();
      await sessions.shot(guest.page, '01-guest-signed-in');
      await guest.context.close();
    },
  );

  await step(
    'Chromium, guest: requests staging-db from the entity card; automatic flow: Active on My Access',
    async () => {
      const guest = await sessions.signIn();
      const text = await sessions.requestFromEntityCard(
        guest.page,
        'staging-db',
        '02-guest-requests-staging-db',
      );
      assert.match(
        text,
        /Active\s+read via Staging resources: Active now/,
        `expected Active at once, got: ${text}`,
      );
      await guest.page.goto(`${backendUrl}/access`);
      await guest.page
        .getByRole('list', { name: 'Active access' })
        .getByText('staging-db')
        .first()
        .waitFor();
      await sessions.shot(guest.page, '03-my-access-active');
      assert.deepEqual(guest.errors, []);
      await guest.context.close();
    },
  );

  await step(
    'Chromium, guest: requests orders-db; manual flow: it waits for the owner',
    async () => {
      const guest = await sessions.signIn();
      const text = await sessions.requestFromEntityCard(
        guest.page,
        'orders-db',
        '04-guest-requests-orders-db',
      );
      assert.match(
        text,
        /Pending Approval\s+read via Other resources: Waiting for approval from dana/,
        `expected a request waiting for dana, got: ${text}`,
      );
      assert.deepEqual(guest.errors, []);
      await guest.context.close();
    },
  );

  await step(
    'restart the backend signed in as dana (README 5: the approver)',
    async () => {
      await processes.stop(backend);
      await processes.waitFor(
        `port ${backendPort} is free again`,
        30_000,
        async () => !(await answers(backendUrl)),
      );
      await startBackend('approver', readme.block('approver').code);
    },
  );

  await step(
    'Chromium, dana: sees the request on Approvals, approves it; it becomes Active',
    async () => {
      const dana = await sessions.signIn();
      await dana.page.goto(`${backendUrl}/access/approvals`);
      const row = dana.page
        .getByRole('row')
        .filter({ hasText: 'orders-db' })
        .first();
      await row.waitFor();
      await sessions.shot(dana.page, '05-approvals-waiting');
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
      await sessions.shot(dana.page, '06-approved-active');
      assert.deepEqual(dana.errors, []);
      await dana.context.close();
    },
  );
} catch (e) {
  failure = e;
  if (sessions?.lastPage)
    await sessions.shot(sessions.lastPage, 'failure').catch(() => {});
} finally {
  await browser?.close().catch(() => {});
  await processes.stopAll();
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
