#!/usr/bin/env bash
# `npm start`: installs what it needs, builds, starts the Zoho sandbox with 10-minute tokens (so warning,
# expiry and auto-refresh are visible within minutes) and opens the extension in a real VS Code preloaded
# with sandbox credentials. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh

run_dir=$(mktemp -d -t salesiq-start-XXXXXX)
seed="$run_dir/seed.json"
port="${SALESIQ_SANDBOX_PORT:-7357}"
lifetime="${SALESIQ_SANDBOX_LIFETIME:-600}"
node out/test/sandbox/main.js --port "$port" --lifetime "$lifetime" --seed-file "$seed" &
sandbox_pid=$!
cleanup() {
  kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$run_dir"
}
trap cleanup EXIT
for _ in $(seq 1 100); do [ -s "$seed" ] && break; sleep 0.1; done
[ -s "$seed" ] || { echo "start: the sandbox did not come up on port $port" >&2; exit 1; }

# A throwaway workspace outside the repo, with a log to try "Decode Error" and the hover on.
workspace="$run_dir/workspace"
mkdir -p "$workspace"
cat > "$workspace/chatbot.log" <<'LOG'
Nov 25 11:37:02 web1 llm-chatbot[812]: INFO transfer requested for visitor 4411
Nov 25 11:37:02 web1 llm-chatbot[812]: ERROR transfer failed: HTTP 400 {"error":{"code":1001,"message":"Unknown authentication error, Contact SalesIQ Team!"}}
LOG

cat <<TXT

SalesIQ DevKit sandbox: Zoho Accounts and SalesIQ emulated on http://127.0.0.1:$port, tokens live $((lifetime / 60)) min.
The VS Code below has two sandbox profiles (user, org) preloaded. Watch the status bar; try
"SalesIQ: Refresh Access Token", or turn off salesiq.autoRefresh to watch a token expire.
TXT
if command -v code >/dev/null 2>&1 && [ -z "${SALESIQ_VSCODE:-}" ]; then
  # Its own profile dirs: the sandbox settings must never land in the user's real VS Code settings.
  SALESIQ_DEVKIT_SEED="$seed" code --new-window --wait --user-data-dir "$run_dir/user" --extensions-dir "$run_dir/extensions" \
    --extensionDevelopmentPath="$PWD" "$workspace"
else
  SALESIQ_DEVKIT_SEED="$seed" node out/test/harness/startDev.js "$@" "$workspace"
fi
