#!/usr/bin/env bash
# Installs everything and starts the example app: frontend on http://localhost:3000,
# backend on http://localhost:7007 (SQLite in memory, example catalog, dev sign-in).
source "$(dirname "$0")/env.sh"
echo "==> Node $(node --version); installing dependencies (first run takes a few minutes)" >&2
yarn install --immutable
echo "==> Starting Backstage: open http://localhost:3000 and pick an example user" >&2
exec yarn start "$@"
