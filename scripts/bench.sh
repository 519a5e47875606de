#!/usr/bin/env bash
# `npm run bench`: the figures the README quotes, measured in one run on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh >/dev/null
node esbuild.js --production
npx tsc -p .
for b in bundle decode refresh zeroDowntime fixCycle doctor hub; do node "out/bench/$b.bench.js"; done
# Leave a development build behind (source maps) for tests and debugging.
node esbuild.js
# In a real VS Code (code-server with the packaged VSIX): activate() timing, and refreshes with several windows.
bash scripts/ensure-vscode.sh >/dev/null
for b in activation windows; do node "out/bench/$b.bench.js"; done
