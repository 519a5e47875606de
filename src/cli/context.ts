import type { Clock } from '../core/token/clock';
import { SSH_PASSPHRASE_VAR, SUDO_PASSWORD_VAR } from '../core/defaults';
import { createHttpClient, HttpClient } from '../core/net/http';
import { type StoredToken, TokenManager } from '../core/token/tokenManager';
import { guardedRefresher } from '../core/zoho/guardedRefresher';
import type { FlagSpec, Parsed } from './args';
import { ConfigFile, configPath, loadConfig, Profile, resolveProfile } from './config';
import type { Io } from './output';
import { StateStore, stateDir } from '../core/token/stateFiles';
import type { LazyHub } from '../core/hub/lazyHub';
import { hubAddress, openHub } from './hub';

/** What every command gets: parsed flags, resolved profile and config, state, I/O, clock, cancellation. */
export class CliContext {
  readonly config: ConfigFile;
  readonly profile: Profile;
  readonly state: StateStore;
  private teamHub: LazyHub | null | undefined;

  constructor(
    readonly parsed: Parsed,
    readonly env: NodeJS.ProcessEnv,
    readonly io: Io,
    readonly clock: Clock,
    readonly signal: AbortSignal,
    readonly readStdin: () => Promise<string>,
  ) {
    // `authorize --config FILE` creates the file when it does not exist yet.
    this.config = loadConfig(configPath(parsed, env), parsed.values['--config'] !== undefined && parsed.command !== 'authorize');
    this.profile = resolveProfile(parsed, env, this.config);
    this.state = new StateStore(stateDir(parsed.values['--state-dir'], env));
    const p = this.profile;
    const { credentials, accessToken } = p;
    const secrets = [credentials?.clientSecret, credentials?.refreshToken, accessToken];
    secrets.push(env[SUDO_PASSWORD_VAR], env[SSH_PASSPHRASE_VAR], env.SALESIQ_HUB_PASSWORD);
    for (const s of secrets) if (s) io.secrets.add(s);
  }

  /** The team hub when --hub or hub.url is set (checked here, connected on first use), else undefined. */
  hub(): LazyHub | undefined {
    if (this.teamHub === undefined) {
      const address = hubAddress(this);
      this.teamHub = address ? openHub(this, address, this.sandboxTiming()) : null;
    }
    return this.teamHub ?? undefined;
  }

  /**
   * Time compressed for a local sandbox only (a loopback accounts URL): SALESIQ_SANDBOX_RATE_WINDOW_SEC shortens
   * Zoho's 10-minute window and SALESIQ_SANDBOX_LEASE_SEC the hub lease, so benches run many token lifetimes in
   * minutes. Ignored for any real Zoho server.
   */
  private sandboxTiming(): { rate?: { limit: number; windowMs: number; reserve: number }; leaseTtlMs?: number } {
    let host: string;
    try {
      host = new URL(this.profile.accountsUrl).hostname;
    } catch {
      return {};
    }
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') return {};
    const sec = (name: string) => {
      const v = Number(this.env[name]);
      return Number.isFinite(v) && v > 0 ? Math.round(v * 1000) : undefined;
    };
    const windowMs = sec('SALESIQ_SANDBOX_RATE_WINDOW_SEC');
    const leaseTtlMs = sec('SALESIQ_SANDBOX_LEASE_SEC');
    return { ...(windowMs ? { rate: { limit: 10, windowMs, reserve: 1 } } : {}), ...(leaseTtlMs ? { leaseTtlMs } : {}) };
  }

  http(): HttpClient {
    return createHttpClient();
  }

  /** `onMint` hears of each token this manager mints itself (not one it adopts from another instance). */
  tokenManager(onMint?: (t: StoredToken) => void): TokenManager {
    const p = this.profile;
    const team = this.hub();
    const { rate } = this.sandboxTiming();
    return new TokenManager({
      onMint,
      store: this.state.tokenStore(p.name, p.credentials),
      clock: this.clock,
      lease: this.state.lease(p.name, this.clock),
      ...(team ? { team } : {}),
      refresher: guardedRefresher({
        ...(team ? { team } : {}),
        ...(rate ? { guard: rate } : {}),
        http: () => this.http(),
        clock: this.clock,
        accountsUrl: () => p.accountsUrl,
        logFor: (rt) => this.state.refreshLog(rt),
        onRetry: (n, ms, f) => this.io.stderr(`attempt ${n} failed (${f.title}); retrying in ${ms / 1000} s`),
      }),
    });
  }
}

export interface Command {
  flags: FlagSpec;
  summary: string;
  run(ctx: CliContext): Promise<number>;
}
