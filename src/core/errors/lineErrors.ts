/**
 * Errors that are sentences rather than bodies: Node and Python network failures, curl, OpenSSH/ssh2,
 * sudo and systemd messages. One cheap pass finds interesting spots; each spot's line (or a window of a
 * very long line) is examined once by a few simple, backtracking-free patterns.
 */
import type { Source } from './finding';
import type { Hit } from './hits';

const SPOT =
  /E(?:CONNREFUSED|NOTFOUND|TIMEDOUT|CONNRESET|AI_AGAIN|HOSTUNREACH|NETUNREACH|PIPE)|UND_ERR_|CERT|UNABLE_TO_|ConnectionError|ConnectionRefusedError|ReadTimeout|ConnectTimeout|SSLError|Errno|Failed to resolve|certificate|socket hang up|refused|timed out|Timed out|reset by peer|Connection closed|Connection lost|Broken pipe|Keepalive timeout|client_loop|HOST IDENTIFICATION|Host key verification|Host denied|authenticity of host|host key is known|Permission denied \(|authentication methods failed|passphrase|sudo|tty|not allowed to execute|sudoers|Sorry, try again|incorrect password|Job for|Failed with result|Unit |Interactive authentication|curl: \(|invalid_c|invalid_redirect|other_dc|INVALID_TOKEN|AUTHENTICATION_FAILURE|OAUTH_SCOPE_MISMATCH|too many requests continuously/g;
const LONG_LINE = 4096;
const WINDOW = 512;

const NODE_CODE =
  /\b(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT|UND_ERR_SOCKET|CERT_[A-Z_]{2,40}|ERR_TLS_CERT_[A-Z_]{2,40}|UNABLE_TO_[A-Z_]{2,40}|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\b(?:[ \t]+([\w.-]+(?::\d+)?))?/g;
const PY_EXCEPTION = /\b(ConnectionError|ReadTimeout|ConnectTimeout|SSLError)\b/;
const PY_HOST = /host='([^'\s]{1,253})', port=(\d{1,5})/;
const CURL = /curl: \((\d{1,3})\)/;
const CURL_HOST = /Could not resolve host: ([\w.-]+)/;
const FINGERPRINT = /SHA256:[A-Za-z0-9+/]{43}/;
const SSH_CONTEXT = /\bssh\b|\bsshd\b|\bssh2\b|port 22\b|known_hosts/i;

/** Prose with no code of its own, mapped to a network code; `reason` keeps the original words. */
const NETWORK_PROSE: Array<[RegExp, string]> = [
  [/ConnectionRefusedError|Connection refused/, 'ECONNREFUSED'],
  [/Name or service not known|nodename nor servname|getaddrinfo failed|No address associated with hostname|Failed to resolve '[^'\s]{1,253}'/, 'ENOTFOUND'],
  [/Temporary failure in name resolution/, 'EAI_AGAIN'],
  [/Connection timed out/, 'ETIMEDOUT'],
  [/Connection reset by peer|socket hang up|Broken pipe/, 'ECONNRESET'],
  [/Network is unreachable/, 'ENETUNREACH'],
  [/No route to host/, 'EHOSTUNREACH'],
  [/CERTIFICATE_VERIFY_FAILED|self[- ]signed certificate|unable to verify the first certificate|unable to get local issuer certificate|certificate has expired/i, 'CERT'],
];

const CURL_CODES: Record<string, string> = {
  6: 'ENOTFOUND', 7: 'ECONNREFUSED', 28: 'ETIMEDOUT', 52: 'ECONNRESET', 56: 'ECONNRESET',
  35: 'CERT', 51: 'CERT', 58: 'CERT', 60: 'CERT', 77: 'CERT', 83: 'CERT', 90: 'CERT', 91: 'CERT',
};

type Rule = [RegExp, Source, string, ((m: RegExpExecArray, seg: string) => Record<string, string>)?];

const FIXED_RULES: Rule[] = [
  [/REMOTE HOST IDENTIFICATION HAS CHANGED/, 'ssh', 'host-key-changed'],
  [/Host key verification failed|Host denied \(verification failed\)|authenticity of host|No [A-Z0-9]+ host key is known for/, 'ssh', 'host-key-unknown'],
  [/Permission denied \((?:publickey|password|keyboard-interactive|gssapi)|All configured authentication methods failed/, 'ssh', 'auth-failed'],
  [/bad passphrase|no passphrase given|incorrect passphrase/i, 'ssh', 'passphrase'],
  [/Timed out while waiting for handshake/, 'ssh', 'timeout'],
  [/Connection lost before handshake|Keepalive timeout|client_loop: send disconnect/, 'ssh', 'connection-lost'],
  [/sudo: a password is required|sudo: a terminal is required to read the password/, 'sudo', 'password-required'],
  [/you must have a tty to run sudo/, 'sudo', 'tty-required'],
  [/Sorry, user (\S{1,64}) is not allowed to execute| is not in the sudoers file/, 'sudo', 'not-allowed',
    (m, seg) => ({ user: m[1] ?? wordBefore(seg, m.index) })],
  [/Sorry, try again\.|incorrect password attempt/, 'sudo', 'password-wrong'],
  [/Job for (\S{1,256}) failed|: Failed with result/, 'systemd', 'job-failed', (m, seg) => ({ unit: m[1] ?? wordBefore(seg, m.index) })],
  [/Unit (\S{1,256}) (?:not found|could not be found)/, 'systemd', 'unit-not-found', (m) => ({ unit: m[1].replace(/\.$/, '') })],
  [/Interactive authentication required/, 'systemd', 'interactive-auth'],
  // Zoho's throttle sentence is fixed text: it identifies the throttle even when a log cut the body short.
  [/You have made too many requests continuously/, 'oauth', 'Access Denied'],
];

/**
 * OAuth error words (Zoho Accounts) and the token errors of Zoho's other APIs, written bare by a framework
 * (`InvalidClientError: (invalid_client)`, `refresh failed: invalid_code`). Bodies are read by jsonErrors.
 */
const OAUTH_WORD = /\b(invalid_client_secret|invalid_client|invalid_code|invalid_redirect_uri|other_dc|INVALID_TOKEN|AUTHENTICATION_FAILURE|OAUTH_SCOPE_MISMATCH)\b/;

/** Phrases that mean an SSH failure when SSH is the context, and a network failure otherwise. */
const SSH_OR_NETWORK: Array<[RegExp, string, string]> = [
  [/Connection refused/, 'refused', 'ECONNREFUSED'],
  [/Connection timed out|Operation timed out/, 'timeout', 'ETIMEDOUT'],
  [/Connection closed by|Connection reset by peer|Broken pipe/, 'connection-lost', 'ECONNRESET'],
];

export function findLineErrors(text: string, skip: Array<[number, number]> = []): Hit[] {
  const hits: Hit[] = [];
  const sshText = /\bssh:|\bsshd\b|known_hosts|\bssh2\b|Permission denied \(publickey/.test(text);
  SPOT.lastIndex = 0;
  for (let m = SPOT.exec(text); m; m = SPOT.exec(text)) {
    const [from, to] = segmentAround(text, m.index);
    SPOT.lastIndex = to + 1;
    if (skip.some(([a, b]) => m!.index >= a && m!.index < b)) continue;
    examine(text, from, to, sshText, hits);
  }
  return hits;
}

function segmentAround(text: string, pos: number): [number, number] {
  const start = text.lastIndexOf('\n', pos) + 1;
  let end = text.indexOf('\n', pos);
  if (end < 0) end = text.length;
  if (end - start <= LONG_LINE) return [start, end];
  return [Math.max(start, pos - WINDOW), Math.min(end, pos + WINDOW)];
}

function examine(text: string, from: number, to: number, sshText: boolean, hits: Hit[]): void {
  const seg = text.slice(from, to);
  const add = (source: Source, code: string, details?: Record<string, string>, weak?: boolean) =>
    hits.push({ pos: from, source, code, details: clean(details), weak });

  let explicit = false;
  NODE_CODE.lastIndex = 0;
  for (let m = NODE_CODE.exec(seg); m; m = NODE_CODE.exec(seg)) {
    explicit = true;
    add('network', m[1], m[2] && /[.:]|^localhost$/.test(m[2]) ? { address: m[2] } : undefined);
  }
  const py = PY_EXCEPTION.exec(seg);
  if (py) {
    explicit = true;
    const host = PY_HOST.exec(seg);
    add('network', py[1], { address: host ? `${host[1]}:${host[2]}` : '', reason: proseReason(seg) ?? '' });
  }
  const curl = CURL.exec(seg);
  if (curl && CURL_CODES[curl[1]]) {
    explicit = true;
    const host = CURL_HOST.exec(seg);
    add('network', CURL_CODES[curl[1]], host ? { address: host[1] } : { reason: `curl error ${curl[1]}` });
  }

  let fixed = false;
  for (const [re, source, code, detailsOf] of FIXED_RULES) {
    const m = re.exec(seg);
    if (!m) continue;
    fixed = true;
    const details = detailsOf?.(m, seg) ?? {};
    if (source === 'ssh' && code.startsWith('host-key')) {
      const fp = FINGERPRINT.exec(text.slice(from, Math.min(text.length, to + 2000)));
      if (fp) details.fingerprint = fp[0];
    }
    add(source, code, details);
  }
  const word = OAUTH_WORD.exec(seg);
  if (word) {
    fixed = true;
    add('oauth', word[1]);
  }
  if (explicit || fixed) return;

  const errno = /Errno|Error:|Exception|urllib3|requests\./.test(seg);
  const ssh = SSH_CONTEXT.test(seg) || (sshText && !errno);
  for (const [re, sshCode, netCode] of SSH_OR_NETWORK) {
    const m = re.exec(seg);
    if (!m) continue;
    if (ssh) add('ssh', sshCode);
    else add('network', netCode, { reason: m[0] }, true);
    return;
  }
  for (const [re, code] of NETWORK_PROSE) {
    const m = re.exec(seg);
    if (m) {
      const host = /Failed to resolve '([^'\s]{1,253})'/.exec(m[0]);
      add('network', code, host ? { address: host[1], reason: m[0] } : { reason: m[0] }, true);
      return;
    }
  }
}

/** The word right before `pos` (a user name or unit that a message puts first). */
function wordBefore(seg: string, pos: number): string {
  const start = seg.lastIndexOf(' ', pos - 1) + 1;
  return seg.slice(start, pos).replace(/[:\s]+$/, '').slice(-256);
}

function proseReason(seg: string): string | undefined {
  for (const [re] of NETWORK_PROSE) {
    const m = re.exec(seg);
    if (m) return m[0];
  }
  return undefined;
}

function clean(d?: Record<string, string>): Record<string, string> | undefined {
  if (!d) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d)) if (v) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}
