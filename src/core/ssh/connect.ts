/**
 * Connecting to a server: the credentials, the host-key decision (known_hosts, a pin, else the caller's question
 * asked between two connections) and the ProxyJump chain (jumpChain.ts). The open connection is session.ts.
 */
import { fail } from '../errors/fail';
import { hostDetails, UnknownHost } from './connectError';
import type { ConnectOptions } from './connectOptions';
import { handshake } from './handshake';
import { viaJumps } from './jumpChain';
import { authMethods } from './privateKey';
import type { SshSession } from './session';

export async function connect(opts: ConnectOptions): Promise<SshSession> {
  const o = { ...opts, port: opts.port ?? 22 };
  const auth = authMethods(o);
  try {
    return await viaJumps(o, (sock) => handshake(o, auth, undefined, sock));
  } catch (e) {
    if (!(e instanceof UnknownHost)) throw e;
    const info = e.info;
    if (!o.onUnknownHost) throw fail('ssh', 'host-key-unknown', hostDetails(info));
    // Asked between two connections: a prompt inside the verifier would race readyTimeout and LoginGraceTime.
    const decision = await o.onUnknownHost(info);
    if (decision !== 'once' && decision !== 'pin') throw fail('ssh', 'host-key-unknown', { ...hostDetails(info), rejected: true });
    return viaJumps(o, (sock) => handshake(o, auth, { fingerprint: info.fingerprint, decision }, sock));
  }
}
