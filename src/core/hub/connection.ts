/**
 * One connection to the team hub (node-redis), plus a second one for pub/sub (a subscribed Redis connection
 * can do nothing else). Connecting never blocks the caller: commands fail at once while the hub is down
 * (no offline queue), the client reconnects by itself with capped, jittered backoff, and every change of
 * state is reported once, with what to fix when the cause is ours to fix (a password, an ACL grant).
 * Part of the hub chunk: this is the only module that imports Redis.
 */
import { createClient } from 'redis';
import type { HubAddress } from './url';

export type HubState =
  | { kind: 'connecting' }
  | { kind: 'connected'; display: string }
  | { kind: 'down'; display: string; reason: string; fix: string };

export interface ConnectionEvents {
  onState(s: HubState): void;
}

type Client = ReturnType<typeof createClient>;

export class HubUnavailable extends Error {}

const CONNECT_TIMEOUT_MS = 3000;
const COMMAND_TIMEOUT_MS = 2500;
const MAX_BACKOFF_MS = 30_000;

export class HubConnection {
  private readonly client: Client;
  private readonly sub: Client;
  private state: HubState = { kind: 'connecting' };
  private readonly listeners = new Map<string, Set<(message: string) => void>>();
  private readonly subscribed = new Set<string>();
  private readonly reconnectHandlers = new Set<() => void>();
  private readonly readyWaiters = new Set<() => void>();
  private closed = false;

  constructor(
    readonly address: HubAddress,
    password: string | undefined,
    private readonly events: ConnectionEvents,
  ) {
    const options = {
      socket: {
        host: address.host,
        port: address.port,
        connectTimeout: CONNECT_TIMEOUT_MS,
        reconnectStrategy: (retries: number) => Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(retries, 7)) + Math.floor(Math.random() * 250),
        ...(address.tls ? { tls: true as const, servername: address.host } : {}),
      },
      ...(address.username ? { username: address.username } : {}),
      ...(password ? { password } : {}),
      database: address.db,
      disableOfflineQueue: true,
      disableClientInfo: true,
    };
    this.client = createClient(options);
    this.sub = createClient(options);
    this.client.on('ready', () => this.ready());
    this.client.on('error', (e: Error) => this.failed(e));
    this.sub.on('error', () => undefined); // reported through the main connection
    this.sub.on('ready', () => {
      void this.subscribeAll();
      this.reconnected();
    });
  }

  start(): void {
    this.client.connect().catch(() => undefined);
    this.sub.connect().catch(() => undefined);
  }

  get isReady(): boolean {
    return !this.closed && this.client.isReady;
  }

  /** Waits for the first connection, at most `ms`: the first use may wait that long, later ones never wait. */
  whenReady(ms: number): Promise<boolean> {
    if (this.isReady || this.state.kind === 'down') return Promise.resolve(this.isReady);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.readyWaiters.delete(done);
        resolve(this.isReady);
      };
      const timer = setTimeout(done, ms);
      this.readyWaiters.add(done);
    });
  }

  /** One command, bounded in time; throws HubUnavailable when the hub is not connected or does not answer. */
  async command<T>(args: string[]): Promise<T> {
    if (!this.isReady) throw new HubUnavailable(this.state.kind === 'down' ? this.state.reason : 'not connected yet');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HubUnavailable(`no answer within ${COMMAND_TIMEOUT_MS / 1000} s`)), COMMAND_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.client.sendCommand(args) as Promise<T>, timeout]);
    } catch (e) {
      if (e instanceof HubUnavailable) throw e;
      // A refused command (an ACL without a grant, an old Redis) is the hub's problem, never the refresh's:
      // reported like any hub failure, and this call goes on alone.
      const message = (e as Error).message ?? String(e);
      if (/^[A-Z]+ /.test(message)) this.failed(e as Error);
      throw new HubUnavailable(message);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Called after every (re)connection, so a follower can catch up on what it missed while the hub was away. */
  onReconnect(handler: () => void): void {
    this.reconnectHandlers.add(handler);
  }

  /** Listens on a channel from now on, across reconnections (node-redis subscribes again by itself). */
  subscribe(channel: string, listener: (message: string) => void): void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    void this.subscribeAll();
  }

  private async subscribeAll(): Promise<void> {
    if (this.closed || !this.sub.isReady) return;
    for (const channel of this.listeners.keys()) {
      if (this.subscribed.has(channel)) continue;
      this.subscribed.add(channel);
      try {
        await this.sub.subscribe(channel, (message: string) => {
          for (const l of this.listeners.get(channel) ?? []) l(message);
        });
      } catch (e) {
        this.subscribed.delete(channel);
        this.failed(e as Error);
      }
    }
  }

  private reconnected(): void {
    for (const h of this.reconnectHandlers) h();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of [this.client, this.sub]) {
      try {
        c.destroy();
      } catch {
        // already closed
      }
    }
  }

  private ready(): void {
    this.setState({ kind: 'connected', display: this.address.display });
    for (const w of [...this.readyWaiters]) w();
    this.reconnected();
  }

  private failed(e: Error): void {
    if (this.closed) return;
    this.setState({ kind: 'down', display: this.address.display, ...explain(e, this.address) });
    for (const w of [...this.readyWaiters]) w();
  }

  private setState(s: HubState): void {
    // "Down" is said once per cause (the fix names it), not once per failed reconnection attempt.
    const same = s.kind === this.state.kind && (s.kind !== 'down' || (this.state.kind === 'down' && s.fix === this.state.fix));
    this.state = s;
    if (!same) this.events.onState(s);
  }
}

/** The cause in a user's words, and the one thing to do about it. */
function explain(e: Error, a: HubAddress): { reason: string; fix: string } {
  const m = `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message ?? ''}`;
  if (/WRONGPASS|invalid username-password|NOAUTH|Authentication required/i.test(m)) {
    return { reason: `the hub ${a.display} refused the ${a.username ? `password of user ${a.username}` : 'password'}`, fix: 'set the hub password (SALESIQ_HUB_PASSWORD for the CLI; in VS Code run "SalesIQ: Set Team Hub Password")' };
  }
  if (/NOPERM/i.test(m)) {
    return { reason: `the hub user lacks a permission: ${e.message.split('\n')[0].slice(0, 200)}`, fix: 'grant the user the salesiq-devkit:* keys and channels and +@scripting (README, Team hub)' };
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ETIMEDOUT|Connection timeout|ConnectionTimeout|ECONNRESET|Socket closed|closed unexpectedly/i.test(m)) {
    return { reason: `cannot reach the hub ${a.display} (${m.trim().split('\n')[0].slice(0, 120)})`, fix: 'check salesiq.hub.url / --hub and that Redis is running; DevKit works alone meanwhile and reconnects by itself' };
  }
  if (/certificate|SSL|TLS|self.signed|EPROTO/i.test(m)) {
    return { reason: `the TLS handshake with ${a.display} failed (${m.trim().slice(0, 120)})`, fix: 'use rediss:// only with a TLS-enabled Redis whose certificate this machine trusts (NODE_EXTRA_CA_CERTS for a private CA)' };
  }
  return { reason: `the hub ${a.display} failed: ${m.trim().split('\n')[0].slice(0, 160)}`, fix: 'check the hub URL and the Redis server' };
}
