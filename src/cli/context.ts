import type { Clock } from '../core/clock';
import { SSH_PASSPHRASE_VAR, SUDO_PASSWORD_VAR } from '../core/defaults';
import { createHttpClient, HttpClient } from '../core/net/http';
import { type StoredToken, TokenManager } from '../core/tokenManager';
import { guardedRefresher } from '../core/zoho/guardedRefresher';
import type { FlagSpec, Parsed } from './args';
import { ConfigFile, configPath, loadConfig, Profile, resolveProfile } from './config';
import type { Io } from './output';
import { StateStore, stateDir } from '../core/stateFiles';

/** What every command gets: parsed flags, resolved profile and config, state, I/O, clock, cancellation. */
export class CliContext {
  readonly config: ConfigFile;
  readonly profile: Profile;
  readonly state: StateStore;

  constructor(
    readonly parsed: Parsed,
    readonly env: NodeJS.ProcessEnv,
    readonly io: Io,
    readonly clock: Clock,
    readonly signal: AbortSignal,
    readonly readStdin: () => Promise<string>,
  ) {
    this.config = loadConfig(configPath(parsed, env), parsed.values['--config'] !== undefined);
    this.profile = resolveProfile(parsed, env, this.config);
    this.state = new StateStore(stateDir(parsed.values['--state-dir'], env));
    const p = this.profile;
    const { credentials, accessToken } = p;
    const secrets = [credentials?.clientSecret, credentials?.refreshToken, accessToken];
    secrets.push(env[SUDO_PASSWORD_VAR], env[SSH_PASSPHRASE_VAR]);
    for (const s of secrets) if (s) io.secrets.add(s);
  }

  http(): HttpClient {
    return createHttpClient();
  }

  /** `onMint` hears of each token this manager mints itself (not one it adopts from another instance). */
  tokenManager(onMint?: (t: StoredToken) => void): TokenManager {
    const p = this.profile;
    return new TokenManager({
      onMint,
      store: this.state.tokenStore(p.name, p.credentials),
      clock: this.clock,
      lease: this.state.lease(p.name, this.clock),
      refresher: guardedRefresher({
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
