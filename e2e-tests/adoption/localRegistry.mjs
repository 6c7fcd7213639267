// A local npm registry (Verdaccio, from the npm registry) that takes the @jit-access
// tarballs of this checkout and proxies every other package to the machine's registry.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { answers } from './processes.mjs';

export const VERDACCIO_VERSION = '6.10.4';

/**
 * Installs Verdaccio into .tools/verdaccio when it is missing, and starts it on
 * 127.0.0.1:`port` with its storage in `work`.
 */
export async function startLocalRegistry({ root, work, port, processes }) {
  const url = `http://127.0.0.1:${port}`;
  const tools = path.join(root, '.tools/verdaccio');
  const installed = path.join(tools, 'node_modules/verdaccio/package.json');
  const version = fs.existsSync(installed)
    ? JSON.parse(fs.readFileSync(installed, 'utf8')).version
    : undefined;
  if (version !== VERDACCIO_VERSION) {
    fs.mkdirSync(tools, { recursive: true });
    processes.run(
      'npm',
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--prefix',
        tools,
        `verdaccio@${VERDACCIO_VERSION}`,
      ],
      { cwd: tools, log: 'verdaccio-install' },
    );
  }
  assert.ok(
    !(await answers(`${url}/-/ping`)),
    `port ${port} is taken; stop what listens there or set ACCESS_ADOPTION_REGISTRY_PORT`,
  );
  const upstream = processes
    .run('npm', ['config', 'get', 'registry'], { cwd: work, log: 'npm-config' })
    .trim();
  const storage = path.join(work, 'registry');
  fs.mkdirSync(storage, { recursive: true });
  const configFile = path.join(storage, 'config.yaml');
  fs.writeFileSync(
    configFile,
    YAML.stringify({
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
    }),
  );
  const verdaccio = processes.start(
    process.execPath,
    [
      path.join(tools, 'node_modules/verdaccio/bin/verdaccio'),
      '--config',
      configFile,
      '--listen',
      `127.0.0.1:${port}`,
    ],
    { cwd: storage, log: 'verdaccio' },
  );
  await processes.waitFor(
    'Verdaccio answers /-/ping',
    30_000,
    async () => (await fetch(`${url}/-/ping`)).ok,
    verdaccio,
  );
  return url;
}

/** Publishes every tarball in `tarballs` to the registry; answers their names. */
export function publishTarballs({ tarballs, url, port, work, processes }) {
  const names = [];
  for (const file of fs.readdirSync(tarballs).filter(f => f.endsWith('.tgz'))) {
    processes.run(
      'npm',
      [
        'publish',
        path.join(tarballs, file),
        '--registry',
        url,
        `--//127.0.0.1:${port}/:_authToken=adoption-test`,
        '--fetch-retries=0',
      ],
      { cwd: work, log: 'npm-publish' },
    );
    names.push(file.replace(/\.tgz$/, ''));
  }
  return names;
}

/**
 * Points the app's @jit-access scope at the registry, and drops what yarn's global cache
 * holds of earlier runs' tarballs (each run republishes the same versions).
 */
export function useLocalRegistry({ app, url, processes }) {
  const file = path.join(app, '.yarnrc.yml');
  const rc = YAML.parse(fs.readFileSync(file, 'utf8'));
  rc.npmScopes = { 'jit-access': { npmRegistryServer: url } };
  rc.unsafeHttpWhitelist = ['127.0.0.1'];
  // The README's "Brand-new releases": the packages were published a moment ago.
  rc.npmPreapprovedPackages = [
    ...(rc.npmPreapprovedPackages ?? []),
    '@jit-access/*',
  ];
  fs.writeFileSync(file, YAML.stringify(rc));
  const yarnConfig = key =>
    processes
      .run('yarn', ['config', 'get', key], { cwd: app, log: 'yarn-config' })
      .trim();
  const cache = yarnConfig('cacheFolder');
  if (fs.existsSync(cache)) {
    for (const f of fs.readdirSync(cache))
      if (f.startsWith('@jit-access-'))
        fs.rmSync(path.join(cache, f), { force: true });
  }
  // The package metadata yarn keeps per registry host names the old archives too.
  const metadata = path.join(yarnConfig('globalFolder'), 'metadata/npm');
  if (fs.existsSync(metadata)) {
    for (const hash of fs.readdirSync(metadata))
      fs.rmSync(path.join(metadata, hash, '127.0.0.1'), {
        recursive: true,
        force: true,
      });
  }
}
