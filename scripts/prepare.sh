#!/usr/bin/env bash
# What both README commands need first: system packages, npm dependencies, a real VS Code, a build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh
bash scripts/ensure-deps.sh
bash scripts/ensure-vscode.sh
echo "build: esbuild + tsc"
node esbuild.js
npx tsc -p .
