import { createHash, randomUUID } from 'crypto';
import type { Clock } from '../core/clock';
import { sleep } from '../core/clock';
import type { Lease, RefreshCredentials, StoredToken, TokenStore } from '../core/tokenManager';
import type { SecretStore } from './secretStore';

/**
 * One profile's secrets in SecretStorage. SecretStorage is shared by every VS Code window of the user and
 * fires onDidChange in all of them, which is what lets one window refresh and the others adopt.
 */
export const keys = {
  credentials: (profile: string) => `salesiq.credentials/${profile}`,
  token: (profile: string) => `salesiq.token/${profile}`,
  lease: (profile: string) => `salesiq.lease/${profile}`,
  /** Zoho's limit is per refresh token, so the history is too (two profiles may share one). */
  refreshLog: (refreshToken: string) => `salesiq.refreshLog/${createHash('sha256').update(refreshToken).digest('hex').slice(0, 16)}`,
};

export interface StoredCredentials extends RefreshCredentials {
  /** Extra keys kept with the credentials (e.g. the SALESIQ_VISITOR_* set imported from .env). */
  extra?: Record<string, string>;
}

export class ProfileStore implements TokenStore {
  constructor(private readonly secrets: SecretStore, readonly profile: string) {}

  readToken(): Promise<StoredToken | undefined> {
    return this.secrets.getJson<StoredToken>(keys.token(this.profile));
  }

  writeToken(t: StoredToken): Promise<void> {
    return this.secrets.setJson(keys.token(this.profile), t);
  }

  readCredentials(): Promise<StoredCredentials | undefined> {
    return this.secrets.getJson<StoredCredentials>(keys.credentials(this.profile));
  }

  writeCredentials(c: StoredCredentials): Promise<void> {
    return this.secrets.setJson(keys.credentials(this.profile), c);
  }

  async forget(): Promise<void> {
    await this.secrets.delete(keys.token(this.profile));
    await this.secrets.delete(keys.credentials(this.profile));
    await this.secrets.delete(keys.lease(this.profile));
  }

  refreshLog(refreshToken: string): { load(): Promise<number[]>; save(ts: number[]): Promise<void> } {
    const key = keys.refreshLog(refreshToken);
    return {
      load: async () => (await this.secrets.getJson<number[]>(key)) ?? [],
      save: (ts) => this.secrets.setJson(key, ts),
    };
  }
}

/**
 * A short lease in SecretStorage: write our id, let other windows' writes land, read back. SecretStorage
 * has no compare-and-swap, so a rare double refresh remains possible; the refresh guard's shared history
 * still bounds it within Zoho's limit.
 */
export class SecretLease implements Lease {
  private readonly owner = randomUUID();

  constructor(
    private readonly secrets: SecretStore,
    private readonly key: string,
    private readonly clock: Clock,
    private readonly ttlMs = 30_000,
    private readonly settleMs = 200,
  ) {}

  async acquire(): Promise<boolean> {
    const now = this.clock.now();
    const held = await this.secrets.getJson<{ owner: string; until: number }>(this.key);
    if (held && held.owner !== this.owner && held.until > now) return false;
    await this.secrets.setJson(this.key, { owner: this.owner, until: now + this.ttlMs });
    await sleep(this.clock, this.settleMs);
    const after = await this.secrets.getJson<{ owner: string }>(this.key);
    return after?.owner === this.owner;
  }

  async release(): Promise<void> {
    const held = await this.secrets.getJson<{ owner: string }>(this.key);
    if (held?.owner === this.owner) await this.secrets.delete(this.key);
  }
}
