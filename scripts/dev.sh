#!/usr/bin/env bash
# Installs everything and starts the example app: frontend on http://localhost:3000,
# backend on http://localhost:7007 (SQLite in memory, example catalog, dev sign-in), and
# the fake PagerDuty server on http://127.0.0.1:7011 (examples/pagerduty.yaml).
# Config: app-config.yaml, then app-config.development.yaml (the demo ITSM token; loaded
# through BACKSTAGE_ENV=development), then app-config.local.yaml if you have one.
source "$(dirname "$0")/env.sh"
echo "==> Node $(node --version); installing dependencies (first run takes a few minutes)" >&2
yarn install --immutable

node scripts/demo-postgres.js

node packages/fake-pagerduty/bin/fake-pagerduty.js --port 7011 --data examples/pagerduty.yaml &
FAKE_PD=$!
trap 'kill $FAKE_PD 2>/dev/null || true' EXIT INT TERM

echo "==> Starting Backstage: open http://localhost:3000 and pick an example user" >&2
BACKSTAGE_ENV=development yarn start "$@"
