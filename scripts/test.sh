#!/usr/bin/env bash
# `npm test`: installs what the tests need (system packages, npm deps, a real VS Code), builds, and runs
# every suite: unit (Node), cli (the built CLI as a process), ssh (a real OpenSSH server on 127.0.0.1)
# and vscode (the extension inside a real VS Code extension host). Ends with `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh
node scripts/run-tests.js "$@"
