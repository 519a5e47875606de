/**
 * The ssh2 client with the rules from docs/ssh.md and docs/systemd-sudo.md §1 built in: an 'error' listener always attached,
 * Nagle off, keepalive on, a host verifier that is never the auto-accepting default, encrypted keys parsed once,
 * and every failure turned into a DevKitError with the agreed code words.
 */
import type { Duplex } from 'node:stream';
import { Client, utils, type AgentAuthMethod, type ClientChannel, type ConnectConfig, type ParsedKey, type PublicKeyAuthMethod } from 'ssh2';
import { type DevKitError, isDevKitError } from '../errors/devkitError';
import { fail } from '../errors/fail';
import { checkHostKey, type HostKeyCheck } from './knownHosts';

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
   * only, and an unknown jump host is refused, never asked about).
   */
  jump?: JumpHost[];
}

export type JumpHost = Pick<ConnectOptions, 'host' | 'port' | 'username' | 'privateKey' | 'passphrase' | 'agent' | 'knownHostsText'>;

export interface ExecOptions {
  stdin?: Buffer | string;
  /** Client-side limit; the remote command keeps running, so long commands also need `timeout` on the server. */
  timeoutMs?: number;
}

export interface ExecResult {
  /** Exit status; null when killed by a signal; undefined when the connection was lost (outcome unknown). */
  code: number | null | undefined;
  signal?: string;
  stdout: Buffer;
  stderr: string;
}

export interface StreamOptions {
  /** Written first and NOT ended: ending stdin is how the remote side is told to stop. */
  stdin?: Buffer | string;
  onStdout: (chunk: Buffer) => void;
  signal: AbortSignal;
}

export interface HostKeyInfo {
  fingerprint: string;
  keyType: string;
  keyBlob: Buffer;
  /** How the key came to be trusted; 'accepted-pin' asks the caller to store the fingerprint. */
  via: 'known_hosts' | 'pin' | 'accepted-once' | 'accepted-pin';
}

export interface SshSession {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly hostKey: HostKeyInfo;
  readonly closed: boolean;
  exec(cmd: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Runs a long-lived command (e.g. `journalctl -f`), resolving when it ends after `signal` aborts. */
  stream(cmd: string, opts: StreamOptions): Promise<Omit<ExecResult, 'stdout'>>;
  close(): void;
}

const DEFAULT_READY_MS = 20_000;
const DEFAULT_KEEPALIVE_MS = 10_000;
const KEEPALIVE_COUNT_MAX = 3;

export async function connect(opts: ConnectOptions): Promise<SshSession> {
  const o = { ...opts, port: opts.port ?? 22 };
  const auth = authMethods(o);
  try {
    return await viaJumps(o, (sock) => open(o, auth, undefined, sock));
  } catch (e) {
    if (!(e instanceof UnknownHost)) throw e;
    const info = e.info;
    if (!o.onUnknownHost) throw fail('ssh', 'host-key-unknown', hostDetails(info));
    // Asked between two connections: a prompt inside the verifier would race readyTimeout and LoginGraceTime.
    const decision = await o.onUnknownHost(info);
    if (decision !== 'once' && decision !== 'pin') throw fail('ssh', 'host-key-unknown', { ...hostDetails(info), rejected: true });
    return viaJumps(o, (sock) => open(o, auth, { fingerprint: info.fingerprint, decision }, sock));
  }
}

/**
 * Opens the jump hosts one through the other, then the final server through the last one; closing the final
 * session closes the chain. Without jump hosts it is a direct connection.
 */
async function viaJumps(o: Resolved, final: (sock?: Duplex) => Promise<Session>): Promise<SshSession> {
  const hops = o.jump ?? [];
  if (!hops.length) return final();
  const chain: Session[] = [];
  try {
    let sock: Duplex | undefined;
    for (let i = 0; i <= hops.length; i++) {
      const next = i < hops.length ? { host: hops[i].host, port: hops[i].port ?? 22 } : { host: o.host, port: o.port };
      if (i > 0) sock = await chain[i - 1].forward(next.host, next.port);
      if (i === hops.length) break;
      const h: Resolved = {
        ...hops[i],
        port: hops[i].port ?? 22,
        readyTimeoutMs: o.readyTimeoutMs,
        keepaliveIntervalMs: o.keepaliveIntervalMs,
      };
      try {
        chain.push(await open(h, authMethods(h), undefined, sock));
      } catch (e) {
        // A jump host is checked against known_hosts only: an unknown one is refused, never asked about.
        if (e instanceof UnknownHost) throw fail('ssh', 'host-key-unknown', { ...hostDetails(e.info), jumpHost: 'true' });
        throw e;
      }
    }
    const s = await final(sock);
    s.onClose(() => {
      for (const j of chain.reverse()) j.close();
    });
    return s;
  } catch (e) {
    for (const j of chain.reverse()) j.close();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------

type Resolved = ConnectOptions & { port: number };

class UnknownHost extends Error {
  constructor(readonly info: UnknownHostInfo) {
    super('unknown host key');
  }
}

/** Decrypting an OpenSSH key costs ~0.5 s (bcrypt KDF in JS): keep the parsed key per Buffer and passphrase. */
const parsedKeys = new WeakMap<Buffer, { passphrase: string | undefined; key: ParsedKey }>();

export function parsePrivateKey(buf: Buffer, passphrase?: string): ParsedKey {
  const hit = parsedKeys.get(buf);
  if (hit && hit.passphrase === passphrase) return hit.key;
  const parsed = utils.parseKey(buf, passphrase);
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message)) throw fail('ssh', 'passphrase', { reason: 'missing' }, parsed);
    if (/bad passphrase|integrity check failed|bad decrypt/i.test(parsed.message)) throw fail('ssh', 'passphrase', { reason: 'wrong' }, parsed);
    throw fail('ssh', 'auth-failed', { reason: `the private key could not be read: ${parsed.message}` }, parsed);
  }
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
  if (!key.isPrivateKey()) throw fail('ssh', 'auth-failed', { reason: 'the identity file holds a public key, not a private key' });
  parsedKeys.set(buf, { passphrase, key });
  return key;
}

type AuthMethods = (PublicKeyAuthMethod | AgentAuthMethod)[];

function authMethods(o: Resolved): AuthMethods {
  const methods: AuthMethods = [];
  if (o.privateKey) methods.push({ type: 'publickey', username: o.username, key: parsePrivateKey(o.privateKey, o.passphrase) });
  if (o.agent) methods.push({ type: 'agent', username: o.username, agent: o.agent });
  return methods;
}

interface Accepted {
  fingerprint: string;
  decision: 'once' | 'pin';
}

function open(o: Resolved, auth: AuthMethods, accepted?: Accepted, sock?: Duplex): Promise<Session> {
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
      const via: HostKeyInfo['via'] = accepted ? (accepted.decision === 'pin' ? 'accepted-pin' : 'accepted-once') : (check!.via ?? 'known_hosts');
      resolve(new Session(client, o, { fingerprint: check!.fingerprint, keyType: check!.keyType, keyBlob: keyBlob!, via }));
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

function hostDetails(info: UnknownHostInfo): Record<string, string> {
  const d: Record<string, string> = { host: info.host, port: String(info.port), fingerprint: info.fingerprint, keyType: info.keyType };
  if (info.knownFingerprints?.length) d.otherKeyTypesKnown = info.knownFingerprints.join(', ');
  return d;
}

function connectError(
  err: Error & { level?: string; code?: string },
  o: Resolved,
  check: HostKeyCheck | undefined,
  accepted?: Accepted,
): unknown {
  const where = { host: o.host, port: o.port };
  if (check && check.status !== 'trusted') {
    const info: UnknownHostInfo = { host: o.host, port: o.port, fingerprint: check.fingerprint, keyType: check.keyType };
    if (check.knownFingerprints) info.knownFingerprints = check.knownFingerprints;
    if (check.status === 'unknown' && !accepted) return new UnknownHost(info);
    // A key other than the one just accepted, a changed key or a revoked key: hard stop, both fingerprints shown.
    const known = check.status === 'unknown' ? [accepted!.fingerprint] : (check.knownFingerprints ?? []);
    return fail('ssh', 'host-key-changed', { ...where, fingerprint: check.fingerprint, keyType: check.keyType, knownFingerprints: known.join(', '), status: check.status }, err);
  }
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

class Session implements SshSession {
  private lostError: Error | undefined;
  private isClosed = false;
  private readonly pending = new Set<() => void>();
  private readonly closeHooks: (() => void)[] = [];

  constructor(
    private readonly client: Client,
    private readonly o: Resolved,
    readonly hostKey: HostKeyInfo,
  ) {
    client.removeAllListeners('error');
    client.removeAllListeners('close');
    // Late errors (keepalive timeout, reset) must never be unhandled: they would crash the extension host.
    client.on('error', (err: Error) => {
      this.lostError = err;
    });
    client.on('close', () => {
      this.isClosed = true;
      for (const done of [...this.pending]) done();
      for (const h of this.closeHooks.splice(0)) h();
    });
  }

  /** Runs once the connection is closed (jump hosts behind it are closed then). */
  onClose(hook: () => void): void {
    if (this.isClosed) hook();
    else this.closeHooks.push(hook);
  }

  /** A direct-tcpip channel to host:port from the server's side: the transport of the next hop. */
  forward(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      if (this.isClosed) return reject(this.lost());
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
        if (!err) return resolve(stream);
        // OpenSSH answers "administratively prohibited" when AllowTcpForwarding is off.
        reject(fail('ssh', 'connection-lost', { host: this.o.host, reason: `the jump host ${this.o.host} refused to forward to ${host}:${port} (${err.message}); it needs AllowTcpForwarding yes` }, err));
      });
    });
  }

  get host(): string {
    return this.o.host;
  }
  get port(): number {
    return this.o.port;
  }
  get username(): string {
    return this.o.username;
  }
  get closed(): boolean {
    return this.isClosed;
  }

  exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.channel(cmd, reject, (stream) => {
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let code: number | null | undefined;
        let signal: string | undefined;
        let timer: NodeJS.Timeout | undefined;
        const finish = () => {
          if (timer) clearTimeout(timer);
          this.pending.delete(finish);
          const r: ExecResult = { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
          if (signal) r.signal = signal;
          resolve(r);
        };
        this.pending.add(finish);
        stream.on('data', (c: Buffer) => out.push(c));
        stream.stderr.on('data', (c: Buffer) => err.push(c));
        stream.on('exit', (c: number | null, s?: string) => {
          code = c;
          if (c === null && s) signal = s.startsWith('SIG') ? s : `SIG${s}`;
        });
        stream.on('close', finish);
        // Always end stdin, or `cat` / `sudo -S` on the server wait forever.
        stream.end(opts.stdin ?? '');
        if (opts.timeoutMs) {
          timer = setTimeout(() => {
            this.pending.delete(finish);
            stream.close();
            reject(fail('ssh', 'timeout', { host: this.o.host, phase: 'command', seconds: Math.round(opts.timeoutMs! / 1000) }));
          }, opts.timeoutMs);
        }
      });
    });
  }

  stream(cmd: string, opts: StreamOptions): Promise<Omit<ExecResult, 'stdout'>> {
    return new Promise((resolve, reject) => {
      this.channel(cmd, reject, (stream) => {
        const err: Buffer[] = [];
        let code: number | null | undefined;
        let signal: string | undefined;
        let grace: NodeJS.Timeout | undefined;
        const finish = () => {
          if (grace) clearTimeout(grace);
          opts.signal.removeEventListener('abort', stop);
          this.pending.delete(finish);
          const r: Omit<ExecResult, 'stdout'> = { code, stderr: Buffer.concat(err).toString('utf8') };
          if (signal) r.signal = signal;
          resolve(r);
        };
        const stop = () => {
          stream.end();
          // If the remote side ignores EOF, stop waiting; the channel close is best effort.
          grace = setTimeout(() => {
            stream.close();
            finish();
          }, 3000);
        };
        this.pending.add(finish);
        stream.on('data', opts.onStdout);
        stream.stderr.on('data', (c: Buffer) => err.push(c));
        stream.on('exit', (c: number | null, s?: string) => {
          code = c;
          if (c === null && s) signal = s.startsWith('SIG') ? s : `SIG${s}`;
        });
        stream.on('close', finish);
        if (opts.stdin !== undefined) stream.write(opts.stdin);
        if (opts.signal.aborted) stop();
        else opts.signal.addEventListener('abort', stop, { once: true });
      });
    });
  }

  close(): void {
    this.client.end();
  }

  private channel(cmd: string, reject: (e: unknown) => void, use: (s: ClientChannel) => void): void {
    if (this.isClosed) {
      reject(this.lost());
      return;
    }
    try {
      this.client.exec(cmd, (err, stream) => (err ? reject(this.isClosed ? this.lost() : fail('ssh', 'connection-lost', { host: this.o.host, reason: err.message }, err)) : use(stream)));
    } catch (e) {
      reject(this.lost(e));
    }
  }

  private lost(cause?: unknown): DevKitError {
    return fail('ssh', 'connection-lost', { host: this.o.host, reason: this.lostError?.message }, cause ?? this.lostError);
  }
}
