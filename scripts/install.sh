#!/usr/bin/env bash
# Installs every dependency with the project's Node (see scripts/env.sh).
source "$(dirname "$0")/env.sh"
echo "==> Node $(node --version), installing dependencies" >&2
yarn install --immutable 2>&1 | tail -n 20 || yarn install 2>&1 | tail -n 20
