// The release manifest the adoption test hands `backstage-cli versions:bump`
// (BACKSTAGE_MANIFEST_FILE, the CLI's own way to take one): versions.backstage.io, where the
// CLI reads it otherwise, cannot be reached from the test machine.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes to `file` a manifest for the release in this repository's backstage.json: each
 * @backstage package the app uses, at the version this repository builds and tests with
 * (its yarn.lock); packages this repository does not use (scaffolder, techdocs, ...) at
 * their latest version on `registry`. Answers the release and the counts.
 */
export async function writeReleaseManifest({ root, app, registry, file }) {
  const releaseVersion = JSON.parse(
    fs.readFileSync(path.join(root, 'backstage.json'), 'utf8'),
  ).version;
  const locked = new Map();
  const lock = fs.readFileSync(path.join(root, 'yarn.lock'), 'utf8');
  for (const m of lock.matchAll(
    /^"(@backstage\/[^@"]+)@npm:[^\n]*:\n {2}version: ([^\n]+)$/gm,
  )) {
    const prior = locked.get(m[1]);
    if (!prior || newer(m[2], prior)) locked.set(m[1], m[2]);
  }
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
  const base = registry.replace(/\/$/, '');
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        const res = await fetch(`${base}/${name.replace('/', '%2f')}`, {
          headers: { accept: 'application/vnd.npm.install-v1+json' },
        });
        assert.ok(res.ok, `${name}: the registry answered ${res.status}`);
        const { 'dist-tags': tags } = await res.json();
        packages.push({ name, version: tags.latest });
      }
    }),
  );
  fs.writeFileSync(file, JSON.stringify({ releaseVersion, packages }));
  return { releaseVersion, total: packages.length, fromLock };
}

/** Whether version `a` is above `b` (plain x.y.z, as in a lockfile). */
function newer(a, b) {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] > pb[i];
  return false;
}
