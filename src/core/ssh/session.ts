/**
 * An open SSH connection: commands (`exec`, `stream`), the forwarding a jump host gives the next hop, and a
 * connection loss that settles every pending command instead of leaving it hanging. Made by handshake.ts.
 */
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import type { DevKitError } from '../errors/devkitError';
import { fail } from '../errors/fail';
import type { Resolved } from './connectOptions';

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

export type ExitResult = Omit<ExecResult, 'stdout'>;

export interface StreamOptions {
  /** Written first and NOT ended: ending stdin is how the remote side is told to stop. */
  stdin?: Buffer | string;
  onStdout: (chunk: Buffer) => void;
  signal: AbortSignal;
  /** Handed the channel's stdin once it is open: a conversation with the remote command writes more, then ends it. */
  onOpen?: (stdin: { write(data: Buffer | string): void; end(): void }) => void;
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
  stream(cmd: string, opts: StreamOptions): Promise<ExitResult>;
  close(): void;
}

/** How long a stopped stream may ignore the EOF on its stdin before the channel is closed from this side. */
const STREAM_STOP_GRACE_MS = 3000;

/** One command's end: settled once, by the channel closing, the connection closing, or the caller. */
interface Exit {
  /** Settles now with what has been seen so far. */
  finish(): void;
  /** Never settles (the caller has rejected instead). */
  abandon(): void;
}

export class Session implements SshSession {
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
        const reason = `the jump host ${this.o.host} refused to forward to ${host}:${port} (${err.message}); it needs AllowTcpForwarding yes`;
        reject(fail('ssh', 'connection-lost', { host: this.o.host, reason }, err));
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
        const exit = this.watchExit(stream, (r) => {
          clearTimeout(timer);
          resolve(withStdout(r, Buffer.concat(out)));
        });
        stream.on('data', (c: Buffer) => out.push(c));
        // Always end stdin, or `cat` / `sudo -S` on the server wait forever.
        stream.end(opts.stdin ?? '');
        const seconds = Math.round((opts.timeoutMs ?? 0) / 1000);
        const timer = opts.timeoutMs
          ? setTimeout(() => {
              exit.abandon();
              stream.close();
              reject(fail('ssh', 'timeout', { host: this.o.host, phase: 'command', seconds }));
            }, opts.timeoutMs)
          : undefined;
      });
    });
  }

  stream(cmd: string, opts: StreamOptions): Promise<ExitResult> {
    return new Promise((resolve, reject) => {
      this.channel(cmd, reject, (stream) => {
        let grace: NodeJS.Timeout | undefined;
        const stop = () => {
          stream.end();
          // If the remote side ignores EOF, stop waiting; the channel close is best effort.
          grace = setTimeout(() => {
            stream.close();
            exit.finish();
          }, STREAM_STOP_GRACE_MS);
        };
        const exit = this.watchExit(stream, (r) => {
          clearTimeout(grace);
          opts.signal.removeEventListener('abort', stop);
          resolve(r);
        });
        stream.on('data', opts.onStdout);
        if (opts.stdin !== undefined) stream.write(opts.stdin);
        opts.onOpen?.({ write: (d) => void stream.write(d), end: () => void stream.end() });
        if (opts.signal.aborted) stop();
        else opts.signal.addEventListener('abort', stop, { once: true });
      });
    });
  }

  close(): void {
    this.client.end();
  }

  /**
   * The one exit path of `exec` and `stream`: stderr and the exit status (or signal) collected, `done` called
   * once when the channel closes, or when the connection closes under it (code stays undefined: outcome unknown).
   */
  private watchExit(stream: ClientChannel, done: (r: ExitResult) => void): Exit {
    const err: Buffer[] = [];
    let code: number | null | undefined;
    let signal: string | undefined;
    const finish = () => {
      if (!this.pending.delete(finish)) return;
      const r: ExitResult = { code, stderr: Buffer.concat(err).toString('utf8') };
      if (signal) r.signal = signal;
      done(r);
    };
    this.pending.add(finish);
    stream.stderr.on('data', (c: Buffer) => err.push(c));
    stream.on('exit', (c: number | null, s?: string) => {
      code = c;
      if (c === null && s) signal = s.startsWith('SIG') ? s : `SIG${s}`;
    });
    stream.on('close', finish);
    return { finish, abandon: () => this.pending.delete(finish) };
  }

  private channel(cmd: string, reject: (e: unknown) => void, use: (s: ClientChannel) => void): void {
    if (this.isClosed) {
      reject(this.lost());
      return;
    }
    try {
      this.client.exec(cmd, (err, stream) => {
        if (!err) return use(stream);
        reject(this.isClosed ? this.lost() : fail('ssh', 'connection-lost', { host: this.o.host, reason: err.message }, err));
      });
    } catch (e) {
      reject(this.lost(e));
    }
  }

  private lost(cause?: unknown): DevKitError {
    return fail('ssh', 'connection-lost', { host: this.o.host, reason: this.lostError?.message }, cause ?? this.lostError);
  }
}

function withStdout(r: ExitResult, stdout: Buffer): ExecResult {
  const full: ExecResult = { code: r.code, stdout, stderr: r.stderr };
  if (r.signal) full.signal = r.signal;
  return full;
}
