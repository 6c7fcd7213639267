#!/usr/bin/env bash
# End-to-end tests in real Chromium: builds the example app, starts the fake PagerDuty and
# the backend (which serves the built app on :7007; SQLite in memory, example catalog,
# dev sign-in), then drives the browser with playwright-core. Screenshots go to
# e2e-tests/screenshots/ (kept out of git).
source "$(dirname "$0")/env.sh"

source "$ROOT/scripts/ensure-chromium.sh"

echo "==> Building the example app" >&2
yarn workspace app build >/dev/null

LOGS="$ROOT/e2e-tests/logs"
mkdir -p "$LOGS" "$ROOT/e2e-tests/screenshots"
PIDS=()
# Each service runs in its own process group, so that stopping it stops its children too.
cleanup() { for p in "${PIDS[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

setsid node packages/fake-pagerduty/bin/fake-pagerduty.js --port 7011 --data examples/pagerduty.yaml > "$LOGS/fake-pagerduty.log" 2>&1 &
PIDS+=($!)
(cd packages/backend && NODE_ENV=development exec setsid yarn backstage-cli package start --config ../../app-config.yaml --config ../../app-config.development.yaml --config ../../e2e-tests/app-config.e2e.yaml) > "$LOGS/backend.log" 2>&1 &
PIDS+=($!)

echo "==> Waiting for the backend and the catalog" >&2
for i in $(seq 1 120); do
  if curl -sf localhost:7007/api/auth/dev/users | grep -q alice; then break; fi
  if [ "$i" = 120 ]; then echo "ERROR: backend did not start; see $LOGS/backend.log" >&2; tail -50 "$LOGS/backend.log" >&2; exit 1; fi
  sleep 1
done

echo "==> Browser tests" >&2
CHROMIUM_PATH="$CHROMIUM" node e2e-tests/accessFlow.e2e.mjs
