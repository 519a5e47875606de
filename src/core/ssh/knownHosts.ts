/**
 * Host-key policy as a pure function (docs/vscode.md §8):
 * a pin wins; else known_hosts (plain, `|1|` hashed, `[host]:port`, comma lists, `*`/`?`/`!` patterns,
 * `@revoked`), comparing keys per type so a host listed only with another key type is "unknown", not a MITM.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export type HostKeyStatus = 'trusted' | 'unknown' | 'changed' | 'revoked';

export interface HostKeyCheck {
  status: HostKeyStatus;
  fingerprint: string;
  keyType: string;
  /** Fingerprints already recorded for this host and key type (for "changed": show both). */
  knownFingerprints?: string[];
  /** How the key was trusted. */
  via?: 'pin' | 'known_hosts';
}

export interface KnownHostEntry {
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** Plain comma-separated patterns, or a hashed `|1|salt|hash` host. */
  patterns?: string[];
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  keyBlob: Buffer;
}

/** OpenSSH's fingerprint: "SHA256:" + unpadded base64 of sha256(blob); equals `ssh-keygen -lf`. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of the blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, …). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const n = keyBlob.readUInt32BE(0);
  if (n === 0 || n > 64 || 4 + n > keyBlob.length) return 'unknown';
  return keyBlob.subarray(4, 4 + n).toString('latin1');
}

/** The host field OpenSSH writes: `host` for port 22, else `[host]:port`; lower-cased. */
export function hostField(host: string, port = 22): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** A line to append to known_hosts (no newline); `hashed` writes the `|1|salt|hash` form. */
export function knownHostsLine(host: string, port: number, keyBlob: Buffer, opts: { hashed?: boolean } = {}): string {
  const field = hostField(host, port);
  const hostPart = opts.hashed ? hashHost(field, randomBytes(20)) : field;
  return `${hostPart} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}`;
}

export function hashHost(field: string, salt: Buffer): string {
  const hash = createHmac('sha1', salt).update(field).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, idx) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!.toLowerCase();
      if (m !== '@revoked' && m !== '@cert-authority') return; // unknown marker: OpenSSH skips the line
      marker = m === '@revoked' ? 'revoked' : 'cert-authority';
    }
    if (fields.length < 3) return;
    const [hosts, keyType, b64] = fields;
    const keyBlob = Buffer.from(b64, 'base64');
    if (keyBlob.length === 0 || keyTypeOf(keyBlob) !== keyType) return; // corrupt line
    const entry: KnownHostEntry = { line: idx + 1, keyType, keyBlob };
    if (marker) entry.marker = marker;
    const hashed = /^\|1\|([^|]+)\|([^|]+)$/.exec(hosts);
    if (hashed) entry.hashed = { salt: Buffer.from(hashed[1], 'base64'), hash: Buffer.from(hashed[2], 'base64') };
    else entry.patterns = hosts.toLowerCase().split(',').filter(Boolean);
    out.push(entry);
  });
  return out;
}

/** Whether the entry's host field names this host/port (OpenSSH match_hostname semantics). */
export function entryMatches(entry: KnownHostEntry, host: string, port = 22): boolean {
  const field = hostField(host, port);
  if (entry.hashed) {
    const h = createHmac('sha1', entry.hashed.salt).update(field).digest();
    return h.length === entry.hashed.hash.length && h.equals(entry.hashed.hash);
  }
  let positive = false;
  for (const p of entry.patterns ?? []) {
    const negated = p.startsWith('!');
    if (!wildcardMatch(negated ? p.slice(1) : p, field)) continue;
    if (negated) return false; // a matching negation vetoes the whole line
    positive = true;
  }
  return positive;
}

export interface CheckHostKeyInput {
  host: string;
  port?: number;
  keyBlob: Buffer;
  knownHostsText?: string;
  pinnedFingerprint?: string;
}

export function checkHostKey(input: CheckHostKeyInput): HostKeyCheck {
  const { host, port = 22, keyBlob } = input;
  const fingerprint = fingerprintOf(keyBlob);
  const keyType = keyTypeOf(keyBlob);
  const base = { fingerprint, keyType };
  const entries = parseKnownHosts(input.knownHostsText ?? '').filter((e) => e.marker !== 'cert-authority' && entryMatches(e, host, port));

  // A revoked key stays refused even when pinned: revocation is the stronger statement.
  if (entries.some((e) => e.marker === 'revoked' && e.keyBlob.equals(keyBlob))) return { ...base, status: 'revoked' };

  if (input.pinnedFingerprint) {
    const pin = normalisePin(input.pinnedFingerprint);
    return pin === fingerprint
      ? { ...base, status: 'trusted', via: 'pin' }
      : { ...base, status: 'changed', knownFingerprints: [pin] };
  }

  const plain = entries.filter((e) => !e.marker);
  if (plain.some((e) => e.keyBlob.equals(keyBlob))) return { ...base, status: 'trusted', via: 'known_hosts' };
  const sameType = plain.filter((e) => e.keyType === keyType);
  if (sameType.length > 0) return { ...base, status: 'changed', knownFingerprints: unique(sameType.map((e) => fingerprintOf(e.keyBlob))) };
  const others = unique(plain.map((e) => fingerprintOf(e.keyBlob)));
  return others.length ? { ...base, status: 'unknown', knownFingerprints: others } : { ...base, status: 'unknown' };
}

/** Accepts "SHA256:abc", "abc" or a padded "abc=" and returns OpenSSH's spelling. */
export function normalisePin(pin: string): string {
  const p = pin.trim().replace(/=+$/, '');
  return /^sha256:/i.test(p) ? `SHA256:${p.slice(7)}` : `SHA256:${p}`;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** `*` any run, `?` one character; everything else literal (OpenSSH match_pattern). */
function wildcardMatch(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(s);
}
