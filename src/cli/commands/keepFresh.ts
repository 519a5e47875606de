import { DevKitError } from '../../core/errors/devkitError';
import type { Finding } from '../../core/errors/finding';
import { keepFresh as runKeepFresh, type KeepFreshEvent } from '../../core/flows/keepFresh';
import { redact } from '../../core/redact';
import { countdownText } from '../../core/token/token';
import { UsageError } from '../args';
import { missingCredentials } from '../config';
import type { CliContext, Command } from '../context';
import type { StoredToken, TokenStore } from '../../core/token/tokenManager';
import { EXIT, exitCodeFor } from '../output';
import { SSH_FLAGS, type ServerSettings, where } from '../sshFlags';
import { SERVER_FLAGS, serverTargets } from '../servers';
import { RemoteServer } from '../sshRemote';

const DEFAULT_MARGIN_MIN = 5;

/**
 * `keep-fresh`: runs until SIGINT/SIGTERM (exit 0), refreshing ahead of expiry and pushing each new token when a
 * server is configured. One line per action (with --json one JSON object per line), tokens never printed.
 */
export const keepFresh: Command = {
  summary: 'runs until stopped: refreshes ahead of expiry and pushes each new token',
  flags: { values: [...SSH_FLAGS.values, ...SERVER_FLAGS.values, '--margin-minutes'], switches: [...SSH_FLAGS.switches, ...SERVER_FLAGS.switches] },
  async run(ctx) {
    if (ctx.parsed.switches.has('--value-stdin')) throw new UsageError('keep-fresh pushes each token it refreshes; --value-stdin applies to push-env only');
    const marginMs = margin(ctx.parsed.values['--margin-minutes']);
    if (!ctx.profile.credentials) throw new DevKitError(missingCredentials(ctx.profile));
    // One server (flags or the `server` section), or several (--server…/--all-servers), each pushed on its own.
    const { fleet, servers: targets } = serverTargets(ctx);
    const byName = new Map(targets.map((t) => [t.name, t.settings]));
    const server = fleet ? undefined : targets[0]?.settings;
    let minted: StoredToken | undefined;
    const manager = ctx.tokenManager((t) => (minted = t));
    const store = ctx.state.tokenStore(ctx.profile.name, undefined);
    const say = announcer(ctx, fleet ? targets.map((t) => t.name) : server);
    const arrivals = followTeam(ctx, store, say);
    const result = await runKeepFresh(
      {
        clock: ctx.clock,
        current: () => store.readToken(),
        refresh: async (m, signal) => {
          minted = undefined;
          const t = await manager.refresh({ automatic: true, marginMs: m, signal });
          ctx.io.secrets.add(t.accessToken);
          return { ...t, adopted: t !== minted };
        },
        push: targets.length ? (t, o) => push(byName.get(o.server ?? '') ?? server!, t.accessToken, o) : undefined,
        ...(fleet ? { servers: targets.map((t) => t.name) } : {}),
        onEvent: say,
        ...(arrivals ? { tokenArrived: arrivals } : {}),
      },
      { marginMs, signal: ctx.signal },
    );
    return result.finding ? exitCodeFor(result.finding) : EXIT.ok;
  },
};

/**
 * With a team hub: every token a teammate publishes is stored here at once (when newer than ours) and wakes the
 * loop, which pushes it to this instance's servers. Returns the loop's wake-up, or undefined without a hub.
 */
function followTeam(ctx: CliContext, store: TokenStore, say: (e: KeepFreshEvent) => void): (() => Promise<void>) | undefined {
  const hub = ctx.hub();
  const creds = ctx.profile.credentials;
  if (!hub || !creds) return undefined;
  let waiting: Array<() => void> = [];
  hub.follow(creds, (t) => {
    void (async () => {
      const local = await store.readToken();
      if (local && local.expiresAt >= t.expiresAt) return;
      ctx.io.secrets.add(t.accessToken);
      await store.writeToken({ ...t, lastRefresh: { at: ctx.clock.now(), ok: true, automatic: true } });
      say({ type: 'adopted', at: ctx.clock.now(), token: t });
      for (const wake of waiting) wake();
      waiting = [];
    })().catch((e) => ctx.io.stderr(`team hub: could not store the team's token: ${(e as Error).message}`));
  });
  return () => new Promise<void>((resolve) => waiting.push(resolve));
}

/**
 * The log, saying each new token once: a token a teammate minted may reach this instance twice, through the
 * hub's announcement and through the loop's own refresh adopting it from the hub, and it is one adoption.
 */
function announcer(ctx: CliContext, servers: ServerSettings | string[] | undefined): (e: KeepFreshEvent) => void {
  let announced: string | undefined;
  return (e) => {
    if (e.type === 'refreshed' || e.type === 'adopted') {
      if (e.token.accessToken === announced) return;
      announced = e.token.accessToken;
    }
    log(ctx, e, servers);
  };
}

function margin(given: string | undefined): number {
  if (given === undefined) return DEFAULT_MARGIN_MIN * 60_000;
  const m = Number(given);
  if (!Number.isFinite(m) || m <= 0 || m >= 60) throw new UsageError(`--margin-minutes must be a number above 0 and below 60 (got "${given}")`);
  return Math.round(m * 60_000);
}

/** One connection per push. Restarts only when the file changed (or a failed attempt may have left it unapplied). */
async function push(s: ServerSettings, value: string, o: { retry: boolean; signal: AbortSignal }): Promise<string> {
  const remote = new RemoteServer(s, o.signal);
  try {
    const w = await remote.write(value);
    if (!s.restart) return `${w.changed ? 'wrote' : 'already there:'} ${s.key} in ${where(s)}; not restarted`;
    if (!w.changed && !o.retry) return `${s.key} in ${where(s)} already held this token; no restart needed`;
    const r = await remote.restart(value, w);
    return `${w.changed ? 'wrote' : 'kept'} ${s.key} in ${where(s)}; restarted ${s.service}: ${r.state}${r.tokenLive ? ' (its log shows the new token)' : ''}`;
  } finally {
    remote.close();
  }
}

function log(ctx: CliContext, e: KeepFreshEvent, server: ServerSettings | string[] | undefined): void {
  const at = new Date(e.at).toISOString();
  const profile = ctx.profile.name;
  const token = 'token' in e && e.token ? { expiresAt: new Date(e.token.expiresAt).toISOString(), remainingSeconds: Math.max(0, Math.floor((e.token.expiresAt - e.at) / 1000)) } : {};
  const failure = 'finding' in e && e.finding ? { error: errorJson(e.finding) } : {};
  const origin = e.type === 'refreshed' || e.type === 'adopted' ? (e.token as StoredToken).origin : undefined;
  const named = (e.type === 'pushed' || e.type === 'push-failed') && e.server !== undefined ? { server: e.server } : {};
  const gaveUp = e.type === 'push-failed' && e.gaveUp ? { gaveUp: true } : {};
  const adopted = origin ? { source: origin.source, ...(origin.mintedBy ? { mintedBy: origin.mintedBy } : {}) } : {};
  const line = ctx.io.json
    ? JSON.stringify({ at, event: e.type, profile, ...named, ...token, ...adopted, ...gaveUp, ...(e.type === 'pushed' ? { detail: e.detail } : {}), ...(e.type === 'stopped' ? { reason: e.reason } : {}), ...failure })
    : `${at} ${human(e, server)}`;
  ctx.io.stdout(redact(line, ctx.io.secrets));
}

function human(e: KeepFreshEvent, server: ServerSettings | string[] | undefined): string {
  const left = (t: { expiresAt: number }) => countdownText(t.expiresAt - e.at);
  switch (e.type) {
    case 'start':
      return `keep-fresh started: ${e.token ? `cached token expires in ${left(e.token)}` : 'no cached token yet'}; ${pushingTo(server)}`;
    case 'refreshed': {
      const o = (e.token as StoredToken).origin;
      if (o?.source === 'adopted') return `adopted the ${o.via === 'hub' ? `team hub's token (minted by ${o.mintedBy ?? 'another instance'})` : 'token another process minted'}, expires in ${left(e.token)}`;
      return `refreshed: new token expires in ${left(e.token)}`;
    }
    case 'adopted': {
      const o = (e.token as StoredToken).origin;
      if (o?.via === 'hub') return `adopted the team hub's token (minted by ${o.mintedBy ?? 'another instance'}), expires in ${left(e.token)}`;
      return `adopted the token another instance refreshed: it expires in ${left(e.token)}`;
    }
    case 'pushed':
      return `pushed${e.server !== undefined ? ` to ${e.server}` : ''}: ${e.detail}`;
    case 'refresh-failed':
      return `${e.type}: ${findingText(e.finding)}`;
    case 'push-failed': {
      const then = e.gaveUp ? ` — no more pushes to ${e.server} until this is fixed; the other servers go on` : '';
      return `${e.type}${e.server !== undefined ? ` on ${e.server}` : ''}: ${findingText(e.finding)}${then}`;
    }
    case 'stopped':
      return e.finding ? `stopped: ${e.finding.title} — ${e.finding.explanation}` : `stopped (${e.reason})`;
  }
}

function findingText(f: Finding): string {
  return `${f.title} [${f.category} → ${f.action}]${f.retryable ? ' — will retry with backoff' : ''}`;
}

function pushingTo(server: ServerSettings | string[] | undefined): string {
  if (Array.isArray(server)) return `pushing to ${server.length} servers: ${server.join(', ')}`;
  return server ? `pushing to ${where(server)}` : 'no server configured, keeping the cache fresh only';
}

function errorJson(f: Finding): Record<string, unknown> {
  return { category: f.category, action: f.action, code: f.code, title: f.title, explanation: f.explanation };
}
