#!/usr/bin/env bash
# The adoption test: a brand-new Backstage app (from @backstage/create-app on the npm
# registry) installs the packed plugins from a local registry as the root README's
# "Install in your Backstage" section says, and uses them in Chromium. See
# e2e-tests/adoption/adopt.mjs. Pass --tarballs <dir> to reuse tarballs that
# scripts/check-packs.mjs --out <dir> just checked; otherwise it packs them itself.
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/ensure-chromium.sh"
exec node e2e-tests/adoption/adopt.mjs "$@"
