#!/usr/bin/env bash
# `npm run bench`: the figures the README quotes, measured in one run on this machine, each with its target and
# "met" / "not met", and the whole table again at the end. Installs what it needs first, like npm start and
# npm test (system packages incl. code-server's build needs, npm deps, a real VS Code). Under 10 minutes on a
# 2-core machine: short sandbox tokens for the multi-window run, 3 window reloads for activation.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
bash scripts/ensure-system.sh
bash scripts/ensure-deps.sh >/dev/null
node esbuild.js --production
npx tsc -p .
export BENCH_REPORT
BENCH_REPORT=$(mktemp -t salesiq-bench-XXXXXX.jsonl)
trap 'rm -f "$BENCH_REPORT"' EXIT
# A bench that crashes is named at the end; the others still run, so one run gives every figure it can.
crashed=()
took=()
# Each bench's own wall time, printed at the end: what the whole run's length is made of.
run() {
  local t0
  t0=$(date +%s)
  node "out/bench/$1.bench.js" || crashed+=("$1")
  took+=("$1 $(( $(date +%s) - t0 )) s")
}
for b in bundle decode cliStart refresh zeroDowntime fixCycle doctor hub; do run "$b"; done
# Leave a development build behind (source maps) for tests and debugging.
node esbuild.js
# In a real VS Code (code-server with the packaged VSIX): activate() timing, and refreshes with several windows.
bash scripts/ensure-vscode.sh >/dev/null
for b in activation windows; do run "$b"; done
node out/bench/summary.js "$BENCH_REPORT"
echo "bench: $(( $(date +%s) - started )) s in all ($(IFS=,; echo "${took[*]}" | sed 's/,/, /g'))"
if [ ${#crashed[@]} -gt 0 ]; then echo "bench: these benches stopped with an error (their figures are missing above): ${crashed[*]}"; exit 1; fi
