#!/usr/bin/env bash
# Fails when a package under plugins/ declares a dependency its code never imports, or
# imports one it does not declare: Backstage's `backstage-repo-tools knip-reports --ci`
# (knip, offline) must reproduce the committed plugins/*/knip-report.md exactly, and every
# committed report must be free of findings. (ESLint's @backstage/no-undeclared-imports,
# part of `yarn lint:all`, separately fails a runtime import that is only a devDependency.)
# After a dependency change: `yarn build:knip-reports`, fix what it lists, commit the reports.
source "$(dirname "$0")/env.sh"

start=$SECONDS
rc=0
yarn backstage-repo-tools knip-reports --ci 'plugins/*' || rc=$?
# Never leave the generated config behind, even when knip failed half-way.
rm -f knip.json
for report in plugins/*/knip-report.md; do
  if grep -q '^## ' "$report"; then
    echo "ERROR: $report lists unused or missing dependencies:" >&2
    cat "$report" >&2
    rc=1
  fi
done
if [ "$rc" != 0 ]; then
  echo "ERROR: dependency check failed; run 'yarn build:knip-reports', fix package.json, commit the reports." >&2
  exit "$rc"
fi
echo "==> Dependencies: every plugin declares exactly what it imports ($((SECONDS - start)) s)" >&2
