#!/usr/bin/env bash
# Runs every check and test: the OpenAPI check (valid yaml, generated files current),
# type-check, lint, the dependency, packing and API-report checks, all unit / integration
# tests (the database tests on SQLite and on PostgreSQL 15 at 127.0.0.1:5432), the browser
# test of the example app, and the adoption test (a new Backstage app installs the packed
# plugins). ACCESS_SKIP_E2E=1 / ACCESS_SKIP_ADOPTION=1 skip the last two for quick local
# loops; with CI=true the adoption test always runs.
source "$(dirname "$0")/env.sh"

if [ ! -d node_modules ] || [ yarn.lock -nt node_modules/.yarn-state.yml ]; then
  echo "==> Installing dependencies" >&2
  yarn install --immutable
fi

echo "==> OpenAPI: the yaml is valid and the generated files are current" >&2
# Before the type-check: stale generated types would otherwise fail it with a less clear error.
node scripts/generate-openapi.mjs --check

PG_URL="${ACCESS_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432}"
pg_up() { node -e "const {Client}=require('pg');const c=new Client({connectionString:process.argv[1]+'/postgres',connectionTimeoutMillis:3000});c.connect().then(()=>c.end()).then(()=>process.exit(0),()=>process.exit(1))" "$PG_URL"; }

if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "==> PostgreSQL is not answering on $PG_URL; trying to start the local cluster" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start >&2 || true
  sleep 2
fi
if pg_up; then
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$PG_URL"
  echo "==> Database tests run on SQLite and PostgreSQL ($PG_URL)" >&2
elif [ "${CI:-}" = "true" ]; then
  echo "ERROR: CI needs PostgreSQL 15 at $PG_URL for the database tests, and it is not reachable." >&2
  exit 1
else
  cat >&2 <<MSG

################################################################################
#  WARNING: PostgreSQL is not reachable at $PG_URL.
#  The PostgreSQL runs of every database test are SKIPPED; only SQLite runs.
#  Start PostgreSQL 15 (trust auth for user postgres) or set ACCESS_TEST_POSTGRES_URL.
################################################################################

MSG
fi
# TestDatabases would otherwise try Docker for engines without a connection string.
export BACKSTAGE_TEST_DISABLE_DOCKER=1

echo "==> Type-check" >&2
# A full build, not incremental: an incremental one can order inferred union types
# differently in dist-types, which the API-report check below compares.
yarn tsc --incremental false
echo "==> Lint" >&2
yarn backstage-cli repo lint
echo "==> Dependencies: unused or missing (knip)" >&2
./scripts/check-deps.sh
echo "==> Packages: build, pack, check each tarball" >&2
TARBALLS="$ROOT/.tools/adoption-tarballs"
rm -rf "$TARBALLS"
node scripts/check-packs.mjs --skip-tsc --out "$TARBALLS"
echo "==> API reports: every public API matches the committed plugins/*/report*.api.md" >&2
yarn build:api-reports:only --ci
echo "==> Tests" >&2
mkdir -p .tools
rm -f .tools/jest-results.json e2e-tests/logs/results.json e2e-tests/logs/adoption/results.json
unit_rc=0
yarn backstage-cli repo test --watchAll=false --json --outputFile=.tools/jest-results.json "$@" || unit_rc=$?
e2e_rc=0
if [ "${ACCESS_SKIP_E2E:-}" = "1" ]; then
  echo "==> Browser tests skipped (ACCESS_SKIP_E2E=1)" >&2
else
  echo "==> Browser tests (real Chromium)" >&2
  ./scripts/e2e.sh || e2e_rc=$?
fi
adoption_rc=0
if [ "${ACCESS_SKIP_ADOPTION:-}" = "1" ] && [ "${CI:-}" != "true" ]; then
  echo "==> Adoption test skipped (ACCESS_SKIP_ADOPTION=1)" >&2
else
  echo "==> Adoption test: a new Backstage app installs the packages" >&2
  ./scripts/adoption.sh --tarballs "$TARBALLS" || adoption_rc=$?
fi
node -e "
const fs = require('fs');
const read = f => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : undefined);
const j = read('.tools/jest-results.json') ?? { numPassedTests: 0, numFailedTests: 1, numPendingTests: 0, numTodoTests: 0 };
const e = read('e2e-tests/logs/results.json') ?? { passed: 0, failed: process.env.ACCESS_SKIP_E2E === '1' ? 0 : 1 };
const skipAdoption = process.env.ACCESS_SKIP_ADOPTION === '1' && process.env.CI !== 'true';
const a = read('e2e-tests/logs/adoption/results.json') ?? { passed: 0, failed: skipAdoption ? 0 : 1 };
// A skipped browser or adoption test counts as one skipped test.
const skipped = j.numPendingTests + j.numTodoTests + (process.env.ACCESS_SKIP_E2E === '1' ? 1 : 0) + (skipAdoption ? 1 : 0);
console.log('total: ' + (j.numPassedTests + e.passed + a.passed) + ' passed, ' + (j.numFailedTests + e.failed + a.failed) + ' failed, ' + skipped + ' skipped');
"
[ "$unit_rc" = 0 ] && [ "$e2e_rc" = 0 ] && [ "$adoption_rc" = 0 ]
