#!/usr/bin/env bash
# A private OpenSSH server on 127.0.0.1 for the DevKit SSH tests (reference ssh-remote.md §1–§2).
# Run as root. Prints the fixture directory on stdout; everything about the fixture is in <dir>/state.json
# (for TypeScript) and <dir>/state.env (for teardown.sh). Touches neither /etc/ssh nor port 22.
# Env: SSHD_PORT (default: a free port), SDK_SERVICE (default llm-chatbot), SSHD_ALLOW_TCP_FORWARDING (yes: the
# server can serve as a ProxyJump host; default no).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "setup.sh must run as root" >&2; exit 1; }

# --- packages: only when missing; keep a package postinst from starting a system sshd on :22 -------------
if [ ! -x /usr/sbin/sshd ] || ! command -v sudo >/dev/null || ! command -v ssh-keyscan >/dev/null; then
  made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends openssh-server openssh-client sudo >&2 || {
    apt-get update >&2 && apt-get install -y --no-install-recommends openssh-server openssh-client sudo >&2; }
  [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
fi

rand_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
id=$(rand_hex 4)
user="sdkt-$id"
group="sdkapp-$id"
svc="${SDK_SERVICE:-llm-chatbot}"
base=$(mktemp -d /tmp/sdk-sshd.XXXXXX)
chmod 0755 "$base"
dropin="/etc/sudoers.d/$user"
password=$(rand_hex 12)
passphrase=$(rand_hex 8)

# state.env first, so teardown.sh can clean up whatever exists even if a later step fails
cat > "$base/state.env" <<ENV
base='$base'
user='$user'
group='$group'
dropin='$dropin'
ENV
done_ok=
trap '[ -n "$done_ok" ] || { echo "setup.sh failed; cleaning up" >&2; bash "$here/teardown.sh" "$base"; }' EXIT

# --- user, group, keys ---------------------------------------------------------------------------------------
groupadd "$group"
useradd --create-home --shell /bin/bash "$user"
# The password serves password-sudo mode and unlocks the account (with UsePAM no, a '!' shadow field blocks keys too).
echo "$user:$password" | chpasswd
home=$(getent passwd "$user" | cut -d: -f6)

install -d -m 0700 "$base/keys" "$base/hostkeys"
ssh-keygen -q -t ed25519 -N '' -C "sdk-client" -f "$base/keys/client_ed25519"
ssh-keygen -q -t ed25519 -N "$passphrase" -C "sdk-client-enc" -f "$base/keys/client_enc_ed25519"
ssh-keygen -q -t ed25519 -N '' -C "sdk-agent" -f "$base/keys/agent_ed25519"
ssh-keygen -q -t ed25519 -N '' -C "sdk-stranger" -f "$base/keys/stranger_ed25519"   # never authorized
ssh-keygen -q -t ed25519 -N '' -C "" -f "$base/hostkeys/ssh_host_ed25519_key"
ssh-keygen -q -t ecdsa -b 256 -N '' -C "" -f "$base/hostkeys/ssh_host_ecdsa_key"
install -d -m 0700 -o "$user" -g "$user" "$home/.ssh"
cat "$base/keys/client_ed25519.pub" "$base/keys/client_enc_ed25519.pub" "$base/keys/agent_ed25519.pub" > "$home/.ssh/authorized_keys"
chown "$user:$user" "$home/.ssh/authorized_keys"
chmod 0600 "$home/.ssh/authorized_keys"

# --- the file under test: root:<group> 0640 in a root:<group> 0750 dir (proves group preservation) ----------
install -d -m 0750 -o root -g "$group" "$base/app"
cat > "$base/app/.env.initial" <<ENV
# LLM chatbot — production settings
APP_ENV=production
PORT=8080
export LOG_LEVEL=info
SALESIQ_SCREEN_NAME=acme
SALESIQ_ACCESS_TOKEN=1000.$(rand_hex 16).$(rand_hex 16)
SALESIQ_REFRESH_TOKEN="1000.$(rand_hex 16).$(rand_hex 16)"
DB_PASSWORD='s3cr3t pass'
ENV
install -m 0640 -o root -g "$group" "$base/app/.env.initial" "$base/app/.env"
chmod 0600 "$base/app/.env.initial"

# --- fake systemctl / journalctl on the user's PATH and on sudo's secure_path --------------------------------
install -d -m 0755 "$base/fakebin" "$base/svc"
for f in systemctl journalctl chatbot-service; do
  sed "s|@SVC_DIR@|$base/svc|" "$here/fakebin/$f" > "$base/fakebin/$f"
  chmod 0755 "$base/fakebin/$f"
done
cat > "$base/svc/config" <<CFG
UNIT='$svc'
ENV_FILE='$base/app/.env'
KEY='SALESIQ_ACCESS_TOKEN'
CFG
echo inactive > "$base/svc/state"
echo none > "$base/svc/fault"
echo envfile > "$base/svc/envmode"
echo 0 > "$base/svc/pid"
echo 0 > "$base/svc/gen"
chmod 0644 "$base/svc/config" "$base/svc/state" "$base/svc/fault" "$base/svc/gen" "$base/svc/envmode" "$base/svc/pid"
install -m 0640 /dev/null "$base/svc/journal.log"   # root only: an unprivileged journalctl sees "No entries"
install -m 0666 /dev/null "$base/svc/calls.log"     # every invocation (uid + argv), privileged or not

# --- sudoers variants, validated now; switching = installing one as the drop-in -----------------------------
install -d -m 0700 "$base/sudoers"
touch "$base/sudo.log" && chmod 0600 "$base/sudo.log"
common="Defaults:$user secure_path=\"$base/fakebin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"
Defaults:$user logfile=\"$base/sudo.log\", !mail_badpass, loglinelen=0"
alias="SDK_NARROW_$(echo "$id" | tr a-f A-F)"
printf '%s\n%s\n' "$common" "$user ALL=(ALL:ALL) NOPASSWD: ALL" > "$base/sudoers/nopasswd"
printf '%s\n%s\n' "$common" "$user ALL=(ALL:ALL) ALL" > "$base/sudoers/password"
printf '%s\n%s\n%s\n' "$common" "Defaults:$user requiretty" "$user ALL=(ALL:ALL) NOPASSWD: ALL" > "$base/sudoers/requiretty"
printf '%s\n%s\n%s\n' "$common" \
  "Cmnd_Alias $alias = /usr/bin/cat $base/app/.env, $base/fakebin/systemctl restart $svc, $base/fakebin/systemctl status $svc, $base/fakebin/journalctl -u $svc *" \
  "$user ALL=(root) NOPASSWD: $alias" > "$base/sudoers/narrow"
for m in nopasswd password requiretty narrow; do
  chmod 0440 "$base/sudoers/$m"
  visudo -cqf "$base/sudoers/$m"
done
install -m 0440 "$base/sudoers/nopasswd" "$dropin"

# --- sshd on a free loopback port with its own config -------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${SSHD_PORT:-}
if [ -z "$port" ]; then
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if port_free "$p"; then port=$p; break; fi
  done
fi
[ -n "$port" ] || { echo "no free port found" >&2; exit 1; }
install -d -m 0755 /run/sshd
case ${SSHD_ALLOW_TCP_FORWARDING:-no} in yes) forwarding=yes ;; *) forwarding=no ;; esac
cat > "$base/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $base/hostkeys/ssh_host_ed25519_key
HostKey $base/hostkeys/ssh_host_ecdsa_key
PidFile $base/sshd.pid
LogLevel VERBOSE
UsePAM no
PermitRootLogin no
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding $forwarding
MaxStartups 50:30:100
MaxSessions 20
SetEnv PATH=$base/fakebin:/usr/local/bin:/usr/bin:/bin
Subsystem sftp internal-sftp
CFG
/usr/sbin/sshd -t -f "$base/sshd_config"
/usr/sbin/sshd -f "$base/sshd_config" -E "$base/sshd.log"
for _ in $(seq 1 200); do
  [ -s "$base/sshd.pid" ] && ! port_free "$port" && break
  sleep 0.05
done
[ -s "$base/sshd.pid" ] || { echo "sshd did not start:" >&2; cat "$base/sshd.log" >&2; exit 1; }
echo "sshd_pid='$(cat "$base/sshd.pid")'" >> "$base/state.env"

# --- ssh-agent holding a key that exists nowhere else on the client side ------------------------------------
ssh-agent -s -a "$base/agent.sock" > "$base/agent.env" 2>/dev/null </dev/null
agent_pid=$(sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' "$base/agent.env")
echo "agent_pid='$agent_pid'" >> "$base/state.env"
SSH_AUTH_SOCK="$base/agent.sock" ssh-add -q "$base/keys/agent_ed25519" 2>/dev/null

# --- known_hosts as OpenSSH writes them, and fingerprints as ssh-keygen shows them --------------------------
ssh-keyscan -p "$port" -t ed25519,ecdsa 127.0.0.1 > "$base/known_hosts" 2>/dev/null
ssh-keyscan -H -p "$port" -t ed25519,ecdsa 127.0.0.1 > "$base/known_hosts.hashed" 2>/dev/null
[ "$(grep -c . "$base/known_hosts")" = 2 ] || { echo "ssh-keyscan did not return both host keys" >&2; exit 1; }
fp() { ssh-keygen -l -E sha256 -f "$1" | awk '{print $2}'; }

cat > "$base/state.json" <<JSON
{
  "dir": "$base",
  "host": "127.0.0.1",
  "port": $port,
  "user": "$user",
  "group": "$group",
  "home": "$home",
  "password": "$password",
  "passphrase": "$passphrase",
  "service": "$svc",
  "envPath": "$base/app/.env",
  "initialEnvPath": "$base/app/.env.initial",
  "keys": {
    "plain": "$base/keys/client_ed25519",
    "encrypted": "$base/keys/client_enc_ed25519",
    "agentOnly": "$base/keys/agent_ed25519",
    "stranger": "$base/keys/stranger_ed25519"
  },
  "agentSocket": "$base/agent.sock",
  "knownHosts": "$base/known_hosts",
  "knownHostsHashed": "$base/known_hosts.hashed",
  "fingerprints": {
    "ed25519": "$(fp "$base/hostkeys/ssh_host_ed25519_key.pub")",
    "ecdsa": "$(fp "$base/hostkeys/ssh_host_ecdsa_key.pub")"
  },
  "sudoLog": "$base/sudo.log",
  "sshdLog": "$base/sshd.log",
  "sudoersDir": "$base/sudoers",
  "dropin": "$dropin",
  "svcDir": "$base/svc",
  "fakebin": "$base/fakebin"
}
JSON
chmod 0600 "$base/state.json"
done_ok=1
echo "$base"
