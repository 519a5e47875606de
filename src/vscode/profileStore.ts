import type { RefreshCredentials, StoredToken, TokenStore } from '../core/token/tokenManager';
import type { SecretStore } from './secretStore';

/**
 * One profile's secrets in SecretStorage. On the desktop it is shared by every window and fires onDidChange in
 * all of them, which lets one window refresh and the others adopt; the refresh history and lease live in
 * shared state files (src/core/token/stateFiles.ts) so the rate limit holds wherever secrets are per window.
 */
export const keys = {
  credentials: (profile: string) => `salesiq.credentials/${profile}`,
  token: (profile: string) => `salesiq.token/${profile}`,
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
  }
}
