/** Shared fixtures for the Zoho tests: sandbox credentials, an in-memory refresh log. (Clock, rejection: test/support.) */
import type { RefreshCredentials } from '../../../src/core/zoho/oauth';
import type { RefreshLog } from '../../../src/core/zoho/refreshGuard';
import { SANDBOX_DEFAULTS } from '../../sandbox/zohoSandbox';

/** A sandbox client's refresh credentials (its first refresh token). */
export function credentialsOf(c: { clientId: string; clientSecret: string; refreshTokens: string[] }): RefreshCredentials {
  return { clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshTokens[0] };
}

export const USER_CREDENTIALS = credentialsOf(SANDBOX_DEFAULTS.user);
export const ORG_CREDENTIALS = credentialsOf(SANDBOX_DEFAULTS.org);

export class MemoryLog implements RefreshLog {
  saved: number[] = [];
  async load(): Promise<number[]> {
    return [...this.saved];
  }
  async save(timestamps: number[]): Promise<void> {
    this.saved = [...timestamps];
  }
}
