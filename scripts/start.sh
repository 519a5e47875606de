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
server_dir=""
cleanup() {
  kill "$sandbox_pid" 2>/dev/null || true
  [ -n "$server_dir" ] && bash test/sshd/teardown.sh "$server_dir" >/dev/null 2>&1 || true
  rm -rf "$run_dir"
}
trap cleanup EXIT
for _ in $(seq 1 100); do [ -s "$seed" ] && break; sleep 0.1; done
[ -s "$seed" ] || { echo "start: the sandbox did not come up on port $port" >&2; exit 1; }

# As root, also a private OpenSSH server on 127.0.0.1 (the tests' fixture: a real sshd and sudo, a root-owned
# .env, a fake systemd unit), so Push Token to Server and Fix Now work end to end. SALESIQ_START_SERVER=0 skips it.
if [ "$(id -u)" = 0 ] && [ "${SALESIQ_START_SERVER:-1}" = 1 ]; then
  server_dir=$(bash test/sshd/setup.sh)
  node -e '
    const fs = require("fs");
    const [seedFile, stateFile] = process.argv.slice(1);
    const seed = JSON.parse(fs.readFileSync(seedFile, "utf8"));
    const st = JSON.parse(fs.readFileSync(stateFile, "utf8"));
    seed.remote = { host: st.host, port: st.port, user: st.user, identityFile: st.keys.plain, knownHostsFile: st.knownHosts, envPath: st.envPath, service: st.service, sudo: "auto" };
    fs.writeFileSync(seedFile, JSON.stringify(seed, null, 2), { mode: 0o600 });
  ' "$seed" "$server_dir/state.json"
  server_note="Test server: ssh on 127.0.0.1, .env at $(node -p 'require(process.argv[1]).envPath' "$server_dir/state.json") — try \"SalesIQ: Fix Now\"."
fi

# A throwaway workspace outside the repo, with a log to try "Decode Error" and the hover on.
workspace="$run_dir/workspace"
mkdir -p "$workspace"
cat > "$workspace/chatbot.log" <<'LOG'
Nov 25 11:37:02 web1 llm-chatbot[812]: INFO transfer requested for visitor 4411
Nov 25 11:37:02 web1 llm-chatbot[812]: ERROR transfer failed: HTTP 400 {"error":{"code":1001,"message":"Unknown authentication error, Contact SalesIQ Team!"}}
LOG

cat <<TXT

SalesIQ DevKit sandbox: Zoho Accounts and SalesIQ emulated on http://127.0.0.1:$port, tokens live $((lifetime / 60)) min.
The VS Code below has two sandbox profiles (user, org) preloaded, and a third, "new", not yet authorized:
"SalesIQ: Authorize with Zoho…" → new → Server-based client walks the browser sign-in. Watch the status bar; try
"SalesIQ: Refresh Access Token", or turn off salesiq.autoRefresh to watch a token expire.
${server_note:-}
TXT
if command -v code >/dev/null 2>&1 && [ -z "${SALESIQ_VSCODE:-}" ]; then
  # Its own profile dirs: the sandbox settings must never land in the user's real VS Code settings.
  SALESIQ_DEVKIT_SEED="$seed" code --new-window --wait --user-data-dir "$run_dir/user" --extensions-dir "$run_dir/extensions" \
    --extensionDevelopmentPath="$PWD" "$workspace"
else
  SALESIQ_DEVKIT_SEED="$seed" node out/test/harness/startDev.js "$@" "$workspace"
fi
