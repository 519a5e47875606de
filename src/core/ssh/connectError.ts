/**
 * A failed handshake as a DevKitError with the agreed code words (docs/ssh.md), or as UnknownHost: a host key
 * known_hosts does not list, which connect.ts turns into a question between two connections.
 */
import { fail } from '../errors/fail';
import type { HostKeyCheck } from './knownHosts';
import type { Resolved, UnknownHostInfo } from './connectOptions';

export class UnknownHost extends Error {
  constructor(readonly info: UnknownHostInfo) {
    super('unknown host key');
  }
}

/** A fingerprint the user accepted for this connection, and whether to pin it. */
export interface Accepted {
  fingerprint: string;
  decision: 'once' | 'pin';
}

export function hostDetails(info: UnknownHostInfo): Record<string, string> {
  const d: Record<string, string> = { host: info.host, port: String(info.port), fingerprint: info.fingerprint, keyType: info.keyType };
  if (info.knownFingerprints?.length) d.otherKeyTypesKnown = info.knownFingerprints.join(', ');
  return d;
}

type Ssh2Error = Error & { level?: string; code?: string };

export function connectError(err: Ssh2Error, o: Resolved, check: HostKeyCheck | undefined, accepted?: Accepted): unknown {
  const where = { host: o.host, port: o.port };
  if (check && check.status !== 'trusted') return hostKeyError(err, o, check, accepted);
  if (err.level === 'client-authentication') return fail('ssh', 'auth-failed', { ...where, user: o.username }, err);
  if (err.level === 'client-timeout') return fail('ssh', 'timeout', { ...where, phase: 'handshake' }, err);
  switch (err.code) {
    case 'ECONNREFUSED':
      return fail('ssh', 'refused', where, err);
    case 'ETIMEDOUT':
      return fail('ssh', 'timeout', where, err);
    case 'ECONNRESET':
    case 'EPIPE':
      return fail('ssh', 'connection-lost', { ...where, phase: 'connect' }, err);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail('network', err.code, where, err);
  }
  if (/connection lost/i.test(err.message)) return fail('ssh', 'connection-lost', { ...where, phase: 'connect' }, err);
  if (err.code) return fail('network', err.code, where, err);
  return fail('ssh', null, { ...where, message: err.message }, err);
}

function hostKeyError(err: Error, o: Resolved, check: HostKeyCheck, accepted?: Accepted): unknown {
  const info: UnknownHostInfo = { host: o.host, port: o.port, fingerprint: check.fingerprint, keyType: check.keyType };
  if (check.knownFingerprints) info.knownFingerprints = check.knownFingerprints;
  if (check.status === 'unknown' && !accepted) return new UnknownHost(info);
  // A key other than the one just accepted, a changed key or a revoked key: hard stop, both fingerprints shown.
  const known = check.status === 'unknown' ? [accepted!.fingerprint] : (check.knownFingerprints ?? []);
  const details = { host: o.host, port: o.port, fingerprint: check.fingerprint, keyType: check.keyType, knownFingerprints: known.join(', '), status: check.status };
  return fail('ssh', 'host-key-changed', details, err);
}
