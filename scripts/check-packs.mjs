#!/usr/bin/env node
// Builds and packs every package under plugins/ exactly as a release would (`yarn pack` in
// the package folder, so `backstage-cli package prepack`/`postpack` run and yarn replaces
// `workspace:` ranges), then checks each tarball:
//   - its package.json has no `workspace:` (or `link:`/`portal:`/`file:`) range;
//   - it declares a repository, a license and public access, and ships no `src/` entry;
//   - every main / module / types / browser / exports / typesVersions / configSchema target
//     is a file inside the tarball (the frontend's `/alpha` included);
//   - every package the built code imports is a dependency or peer dependency (the type
//     declarations' imports only warn: they can come from types the build inlined);
//   - packing left the package folder as it was (postpack restored package.json).
// Run after `yarn tsc` (the type declarations are built from dist-types/); the script runs
// it itself unless told it just ran (--skip-tsc, as scripts/test.sh does).
// With --out <dir> the checked tarballs are also copied there as <name>-<version>.tgz
// (the adoption test publishes them from there).
// Usage: node scripts/check-packs.mjs [--skip-tsc] [--out <dir>] [plugins/<dir>...]
import { builtinModules } from 'node:module';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const yarnRelease = path.join(root, '.yarn/releases/yarn-4.13.0.cjs');
const started = Date.now();
const seconds = since => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function run(args, cwd) {
  const result = spawnSync(process.execPath, [yarnRelease, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(
      `'yarn ${args.join(' ')}' failed in ${path.relative(root, cwd) || '.'}`,
    );
  }
  return result.stdout;
}

const args = process.argv.slice(2);
const skipTsc = args.includes('--skip-tsc');
const outIndex = args.indexOf('--out');
const outDir =
  outIndex >= 0 ? path.resolve(args[outIndex + 1] ?? '') : undefined;
if (outIndex >= 0 && !args[outIndex + 1]) {
  console.error('ERROR: --out needs a folder');
  process.exit(2);
}
const chosen = args.filter(
  (a, i) =>
    a !== '--skip-tsc' &&
    !(outIndex >= 0 && (i === outIndex || i === outIndex + 1)),
);
const dirs = (
  chosen.length
    ? chosen
    : fs.readdirSync(path.join(root, 'plugins')).map(d => `plugins/${d}`)
)
  .map(d => path.resolve(root, d))
  .filter(d => fs.existsSync(path.join(d, 'package.json')));

// name -> version of every workspace, to check what `workspace:^` became.
const workspaceVersions = new Map(
  ['packages', 'plugins'].flatMap(parent =>
    fs.readdirSync(path.join(root, parent)).flatMap(d => {
      const f = path.join(root, parent, d, 'package.json');
      if (!fs.existsSync(f)) return [];
      const { name, version } = JSON.parse(fs.readFileSync(f, 'utf8'));
      return [[name, version]];
    }),
  ),
);

// An interrupted pack leaves the prepacked manifest in place: say so instead of packing it.
for (const dir of dirs) {
  if (fs.existsSync(path.join(dir, 'package.json-prepack'))) {
    console.error(
      `ERROR: ${path.relative(
        root,
        dir,
      )}/package.json-prepack exists (an interrupted pack); restore it with 'yarn backstage-cli package postpack' in that folder.`,
    );
    process.exit(1);
  }
}

const failures = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'access-packs-'));
try {
  let t = Date.now();
  if (!skipTsc) {
    run(['tsc'], root);
    console.log(`==> tsc (type declarations for the builds): ${seconds(t)}`);
  }

  for (const dir of dirs) {
    const rel = path.relative(root, dir);
    const manifestPath = path.join(dir, 'package.json');
    const before = fs.readFileSync(manifestPath, 'utf8');
    const source = JSON.parse(before);
    const problems = [];
    const problem = msg => problems.push(msg);

    t = Date.now();
    run(['workspace', source.name, 'build'], root);
    const buildTime = seconds(t);

    t = Date.now();
    const tarball = path.join(tmp, `${rel.replace(/\W/g, '_')}.tgz`);
    run(['pack', '--out', tarball], dir);
    const packTime = seconds(t);

    // postpack must put the package folder back as it was.
    if (fs.readFileSync(manifestPath, 'utf8') !== before)
      problem(
        'package.json differs after packing (postpack did not restore it)',
      );
    for (const leftover of ['package.json-prepack', 'config.schema.json']) {
      if (fs.existsSync(path.join(dir, leftover)))
        problem(`${leftover} left in ${rel} after packing`);
    }

    const out = path.join(tmp, rel.replace(/\W/g, '_'));
    fs.mkdirSync(out);
    const tar = spawnSync('tar', ['xzf', tarball, '-C', out], {
      encoding: 'utf8',
    });
    if (tar.status !== 0)
      throw new Error(`cannot extract ${tarball}: ${tar.stderr}`);
    const pkgDir = path.join(out, 'package');
    const packed = JSON.parse(
      fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'),
    );

    if (packed.name !== source.name || packed.version !== source.version)
      problem('name/version changed in the tarball');
    for (const field of [
      'dependencies',
      'peerDependencies',
      'optionalDependencies',
      'devDependencies',
    ]) {
      for (const [dep, range] of Object.entries(packed[field] ?? {})) {
        if (
          typeof range !== 'string' ||
          /^(workspace|link|portal|file):/.test(range)
        )
          problem(`${field}.${dep} is '${range}'`);
        const local = source[field]?.[dep];
        if (local?.startsWith('workspace:')) {
          const version = workspaceVersions.get(dep);
          if (!range.endsWith(version))
            problem(
              `${field}.${dep} is '${range}', expected a range of ${version}`,
            );
        }
      }
    }
    if (!packed.repository?.url || !packed.repository?.directory)
      problem('no repository url/directory');
    if (packed.license !== 'Apache-2.0')
      problem(`license is '${packed.license}'`);
    if (packed.publishConfig?.access !== 'public')
      problem('publishConfig.access is not public');
    if (!Array.isArray(packed.files) || !packed.files.includes('dist'))
      problem('files does not list dist');

    // Every entry point the manifest names must be a file in the tarball.
    const targets = [];
    const collect = (where, value) => {
      if (typeof value === 'string') targets.push([where, value]);
      else if (Array.isArray(value))
        value.forEach((v, i) => collect(`${where}[${i}]`, v));
      else if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) collect(`${where}.${k}`, v);
    };
    for (const field of ['main', 'module', 'types', 'typings', 'browser'])
      if (packed[field]) collect(field, packed[field]);
    if (packed.exports) {
      for (const [mount, value] of Object.entries(packed.exports)) {
        // `backstage` conditions name a feature type, not a file.
        const entry =
          value && typeof value === 'object'
            ? Object.fromEntries(
                Object.entries(value).filter(([k]) => k !== 'backstage'),
              )
            : value;
        collect(`exports["${mount}"]`, entry);
      }
    }
    if (packed.typesVersions) collect('typesVersions', packed.typesVersions);
    if (packed.configSchema) collect('configSchema', packed.configSchema);
    if (!packed.main) problem('no main');
    if (!packed.types) problem('no types');
    for (const [where, target] of targets) {
      if (/^(\.\/)?src\//.test(target))
        problem(`${where} points into src: ${target}`);
      const file = path.resolve(pkgDir, target);
      if (
        !file.startsWith(pkgDir + path.sep) ||
        !fs.statSync(file, { throwIfNoEntry: false })?.isFile()
      ) {
        problem(`${where} -> ${target} is not a file in the tarball`);
      }
    }
    if (source.files?.includes('migrations')) {
      const shipped = fs.existsSync(path.join(pkgDir, 'migrations'))
        ? fs.readdirSync(path.join(pkgDir, 'migrations'))
        : [];
      const local = fs.readdirSync(path.join(dir, 'migrations'));
      if (shipped.length !== local.length)
        problem(
          `migrations: ${shipped.length} of ${local.length} files in the tarball`,
        );
    }

    // What the shipped code imports must be installable from the manifest alone.
    const declared = new Set([
      packed.name,
      ...['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap(
        f => Object.keys(packed[f] ?? {}),
      ),
    ]);
    const undeclared = { js: new Set(), types: new Set() };
    const walk = d =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap(e =>
          e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)],
        );
    for (const file of walk(path.join(pkgDir, 'dist'))) {
      const kind = file.endsWith('.d.ts')
        ? 'types'
        : /\.[cm]?js$/.test(file)
        ? 'js'
        : undefined;
      if (!kind) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(
        /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"]([@\w][^'"\s]*)['"]/gm,
      )) {
        const spec = m[1];
        if (
          spec.startsWith('.') ||
          spec.startsWith('node:') ||
          builtinModules.includes(spec.split('/')[0])
        )
          continue;
        const name = spec.startsWith('@')
          ? spec.split('/').slice(0, 2).join('/')
          : spec.split('/')[0];
        if (!declared.has(name)) undeclared[kind].add(name);
      }
    }
    for (const name of undeclared.js)
      problem(`dist code imports ${name}, which the manifest does not declare`);
    const typeOnly = [...undeclared.types].filter(n => !undeclared.js.has(n));

    const size = (fs.statSync(tarball).size / 1024).toFixed(0);
    console.log(
      `${problems.length ? 'FAIL' : 'ok  '} ${packed.name}@${
        packed.version
      }: build ${buildTime}, pack ${packTime}, ${size} KiB, ${
        targets.length
      } entry targets`,
    );
    for (const name of typeOnly)
      console.log(
        `     warning: the type declarations import ${name}, which the manifest does not declare`,
      );
    for (const p of problems) {
      console.log(`     - ${p}`);
      failures.push(`${packed.name}: ${p}`);
    }
    if (outDir) {
      fs.mkdirSync(outDir, { recursive: true });
      const fileName = `${packed.name.replace('@', '').replace('/', '-')}-${
        packed.version
      }.tgz`;
      fs.copyFileSync(tarball, path.join(outDir, fileName));
    }
  }
} finally {
  if (!process.env.ACCESS_KEEP_PACKS)
    fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`tarballs kept in ${tmp}`);
}

if (failures.length) {
  console.error(`ERROR: ${failures.length} packing problem(s); see above.`);
  process.exit(1);
}
console.log(
  `==> Packs: ${
    dirs.length
  } packages build and pack to tarballs that work outside the repo (${seconds(
    started,
  )})`,
);
