/** What a caller gives `connect` (connect.ts): the server, the credentials, the host-key policy and the jump hosts. */

export type TrustDecision = 'once' | 'pin' | 'reject';

export interface UnknownHostInfo {
  host: string;
  port: number;
  fingerprint: string;
  keyType: string;
  /** Fingerprints of other key types known for the host (shown so the user knows it is not a MITM). */
  knownFingerprints?: string[];
}

export interface ConnectOptions {
  host: string;
  port?: number;
  username: string;
  privateKey?: Buffer;
  passphrase?: string;
  /** ssh-agent socket path (`SSH_AUTH_SOCK`), or 'pageant' on Windows. */
  agent?: string;
  knownHostsText?: string;
  pinnedFingerprint?: string;
  /** Asked for a host that known_hosts does not list; without it an unknown host is refused. */
  onUnknownHost?: (info: UnknownHostInfo) => Promise<TrustDecision>;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /**
   * Jump hosts in order (OpenSSH's ProxyJump): each is reached through the one before it (a direct-tcpip
   * channel), each host key is checked against its own known_hosts text (a pin applies to the final server
   * only, and an unknown jump host is refused, never asked about). See docs/ssh.md § Servers behind a bastion.
   */
  jump?: JumpHost[];
}

export type JumpHost = Pick<ConnectOptions, 'host' | 'port' | 'username' | 'privateKey' | 'passphrase' | 'agent' | 'knownHostsText'>;

/** Options with the port settled (22 unless given). */
export type Resolved = ConnectOptions & { port: number };

/** The server key's passphrase, once known (asked or stored), given to each hop that offers that same key. */
export function withServerPassphrase(hops: JumpHost[], serverKey: Buffer | undefined, passphrase: string | undefined): JumpHost[] {
  if (!serverKey || !passphrase) return hops;
  return hops.map((h) => (h.privateKey?.equals(serverKey) ? { ...h, passphrase } : h));
}
