#!/usr/bin/env bash
# Debian 12 packages the real-VS-Code and SSH tests need: chromium (drives code-server), libkrb5-dev (code-server's
# kerberos module builds from source offline), OpenSSH server/client and sudo (SSH fixture), ripgrep,
# redis-server (the team hub tests start their own on a private port; the package's own service stays off).
# Idempotent: installs only what is missing, as root; otherwise prints what to install and fails.
set -euo pipefail

packages=(chromium libkrb5-dev openssh-server openssh-client sudo ripgrep redis-server)

missing=()
for pkg in "${packages[@]}"; do
  [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null)" == ii* ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "ensure-system: all present (${packages[*]})"
  exit 0
fi

if ((EUID != 0)); then
  echo "ensure-system: missing Debian packages: ${missing[*]}" >&2
  echo "ensure-system: install them as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Package scripts must not start a system sshd: the tests run their own. policy-rc.d exit 101 = "not allowed".
policy=/usr/sbin/policy-rc.d
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi

echo "ensure-system: installing ${missing[*]}"
log="$(mktemp /tmp/ensure-system.XXXXXX.log)"
if ! { apt-get update -q && apt-get install -y -q -o DPkg::Lock::Timeout=120 "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "ensure-system: apt-get failed; full log: $log" >&2
  exit 1
fi
rm -f "$log"
echo "ensure-system: installed ${missing[*]}"
