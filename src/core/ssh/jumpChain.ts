/**
 * OpenSSH's ProxyJump with ssh2: the jump hosts opened one through the other (a direct-tcpip channel from each
 * to the next), then the final server through the last one; closing the final session closes the chain.
 * docs/ssh.md § Servers behind a bastion.
 */
import type { Duplex } from 'node:stream';
import { fail } from '../errors/fail';
import { hostDetails, UnknownHost } from './connectError';
import type { Resolved } from './connectOptions';
import { handshake } from './handshake';
import { authMethods } from './privateKey';
import type { Session } from './session';

/** `final` opens the server over the socket it is given (none without jump hosts: a direct connection). */
export async function viaJumps(o: Resolved, final: (sock?: Duplex) => Promise<Session>): Promise<Session> {
  const hops = o.jump ?? [];
  if (!hops.length) return final();
  const chain: Session[] = [];
  const closeChain = () => {
    for (const j of chain.reverse()) j.close();
  };
  try {
    let sock: Duplex | undefined;
    for (const hop of hops) {
      const h: Resolved = { ...hop, port: hop.port ?? 22, readyTimeoutMs: o.readyTimeoutMs, keepaliveIntervalMs: o.keepaliveIntervalMs };
      if (chain.length) sock = await chain[chain.length - 1].forward(h.host, h.port);
      chain.push(await openJumpHost(h, sock));
    }
    sock = await chain[chain.length - 1].forward(o.host, o.port);
    const s = await final(sock);
    s.onClose(closeChain);
    return s;
  } catch (e) {
    closeChain();
    throw e;
  }
}

async function openJumpHost(h: Resolved, sock: Duplex | undefined): Promise<Session> {
  try {
    return await handshake(h, authMethods(h), undefined, sock);
  } catch (e) {
    // A jump host is checked against known_hosts only: an unknown one is refused, never asked about.
    if (e instanceof UnknownHost) throw fail('ssh', 'host-key-unknown', { ...hostDetails(e.info), jumpHost: 'true' });
    throw e;
  }
}
