/**
 * One SSH handshake with the rules from docs/ssh.md and docs/systemd-sudo.md §1 built in: an 'error' listener
 * always attached, Nagle off, keepalive on, a host verifier that is never the auto-accepting default, and every
 * failure turned into a DevKitError (connectError.ts).
 */
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { isDevKitError } from '../errors/devkitError';
import { fail } from '../errors/fail';
import { type Accepted, connectError } from './connectError';
import type { Resolved } from './connectOptions';
import { checkHostKey, type HostKeyCheck } from './knownHosts';
import type { AuthMethods } from './privateKey';
import { type HostKeyInfo, Session } from './session';

const DEFAULT_READY_MS = 20_000;
const DEFAULT_KEEPALIVE_MS = 10_000;
const KEEPALIVE_COUNT_MAX = 3;

/** Connects to `o` (over `sock` when it is a hop behind a jump host); `accepted` is a fingerprint the user just trusted. */
export function handshake(o: Resolved, auth: AuthMethods, accepted?: Accepted, sock?: Duplex): Promise<Session> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let check: HostKeyCheck | undefined;
    let keyBlob: Buffer | undefined;
    let settled = false;
    const settle = (e: unknown) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(e);
    };
    client.on('error', (err: Error & { level?: string; code?: string }) => settle(connectError(err, o, check, accepted)));
    client.on('close', () => settle(fail('ssh', 'connection-lost', { host: o.host, port: o.port, phase: 'connect' })));
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      const c = check!;
      resolve(new Session(client, o, { fingerprint: c.fingerprint, keyType: c.keyType, keyBlob: keyBlob!, via: trustedVia(c, accepted) }));
    });
    const cfg: ConnectConfig = {
      host: o.host,
      port: o.port,
      ...(sock ? { sock } : {}),
      username: o.username,
      readyTimeout: o.readyTimeoutMs ?? DEFAULT_READY_MS,
      keepaliveInterval: o.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      authHandler: auth,
      // Always set: ssh2's default is to accept any host key. Calls verify() explicitly (a forgotten return hangs).
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        keyBlob = Buffer.from(key);
        const { host, port, knownHostsText, pinnedFingerprint } = o;
        check = checkHostKey({ host, port, keyBlob, knownHostsText, pinnedFingerprint });
        if (check.status === 'unknown' && accepted && check.fingerprint === accepted.fingerprint) check = { ...check, status: 'trusted' };
        verify(check.status === 'trusted');
      },
    };
    try {
      client.connect(cfg);
      // The socket exists synchronously; without this small exchanges wait for delayed ACKs (~40 ms each).
      if (!sock) client.setNoDelay(true);
    } catch (e) {
      settle(isDevKitError(e) ? e : fail('ssh', 'auth-failed', { reason: (e as Error).message }, e));
    }
  });
}

function trustedVia(check: HostKeyCheck, accepted?: Accepted): HostKeyInfo['via'] {
  if (accepted) return accepted.decision === 'pin' ? 'accepted-pin' : 'accepted-once';
  return check.via ?? 'known_hosts';
}
