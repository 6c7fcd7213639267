// The adoption test's edits of the new app's files, each as the root README says.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const ALLOW_ALL =
  /backend\.add\(\s*import\('@backstage\/plugin-permission-backend-module-allow-all-policy'\),?\s*\);\n/;

/** README 1: takes the allow-all policy out of packages/backend/src/index.ts. */
export function removeAllowAllPolicy(app) {
  const file = path.join(app, 'packages/backend/src/index.ts');
  const source = fs.readFileSync(file, 'utf8');
  assert.match(source, ALLOW_ALL, 'the allow-all policy line is not there');
  fs.writeFileSync(file, source.replace(ALLOW_ALL, ''));
}

/** Adds `lines` to packages/backend/src/index.ts before `backend.start();`. */
export function addBackendLines(app, lines) {
  const file = path.join(app, 'packages/backend/src/index.ts');
  const source = fs.readFileSync(file, 'utf8');
  assert.match(source, /backend\.start\(\);/, 'no backend.start(); line');
  fs.writeFileSync(
    file,
    source.replace('backend.start();', `${lines}\nbackend.start();`),
  );
}

/**
 * README 3 and 4: the config block into app-config.yaml, the example catalog file as
 * examples/access.yaml, listed under catalog.locations.
 */
export function addConfigAndCatalog(app, configBlock, catalogBlock) {
  const file = path.join(app, 'app-config.yaml');
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  for (const [key, value] of Object.entries(YAML.parse(configBlock))) {
    assert.ok(!doc.has(key), `app-config.yaml already has ${key}`);
    doc.set(key, value);
  }
  doc.getIn(['catalog', 'locations']).add(
    doc.createNode({
      type: 'file',
      target: '../../examples/access.yaml',
      rules: [{ allow: ['User', 'Group', 'Resource'] }],
    }),
  );
  fs.writeFileSync(file, doc.toString());
  fs.writeFileSync(path.join(app, 'examples/access.yaml'), catalogBlock);
}

/**
 * Not from the README: the backend serves the built app on `port`, and SQLite keeps its
 * data in `sqliteDir` so that requests survive the restart as the approver.
 */
export function writeTestConfig(app, { port, baseUrl, sqliteDir }) {
  fs.writeFileSync(
    path.join(app, 'app-config.adoption.yaml'),
    YAML.stringify({
      app: { baseUrl },
      backend: {
        baseUrl,
        listen: { port },
        cors: { origin: baseUrl },
        database: {
          client: 'better-sqlite3',
          connection: { directory: sqliteDir },
        },
      },
    }),
  );
}
