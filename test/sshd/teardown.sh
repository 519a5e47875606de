#!/usr/bin/env bash
# Undoes setup.sh: stops sshd and the agent by their saved PIDs, ends the test user's leftover processes,
# removes the sudoers drop-in, the user (with home), the group and the fixture directory.
# Usage: teardown.sh <fixture dir printed by setup.sh>
set -uo pipefail
dir=${1:?usage: teardown.sh <fixture dir>}
case "$dir" in /tmp/sdk-sshd.*) ;; *) echo "refusing: $dir is not a fixture dir" >&2; exit 2 ;; esac
[ -f "$dir/state.env" ] || { echo "no state.env in $dir" >&2; exit 2; }
# shellcheck disable=SC1091
. "$dir/state.env"

stop_pid() { [ -n "${1:-}" ] && kill "$1" 2>/dev/null; }
stop_pid "${sshd_pid:-}"
stop_pid "${agent_pid:-}"
# The stand-in service runs as root (a system unit), so the user sweep below does not reach it.
svc_pid=$(cat "$base/svc/pid" 2>/dev/null)
case $svc_pid in ""|0|*[!0-9]*) ;; *) stop_pid "$svc_pid" ;; esac
rm -f "$dropin"
if id "$user" >/dev/null 2>&1; then
  # Sessions, sudo'd helpers or fake-service sleepers the tests left behind (by PID; zombies cannot be killed).
  for pid in $(pgrep -u "$user" 2>/dev/null); do kill "$pid" 2>/dev/null; done
  sleep 0.2
  for pid in $(pgrep -u "$user" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
  userdel -r "$user" 2>/dev/null || userdel "$user"
fi
getent group "$group" >/dev/null && groupdel "$group"
rm -rf "$dir"
