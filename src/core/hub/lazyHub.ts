/**
 * The team hub as the token manager and the refresher see it, without loading Redis: the hub chunk (node-redis
 * and the hub logic) is required on the first call, so an instance without a hub, or one that never refreshes,
 * never pays for it. Shared by the extension and the CLI; each passes its own way to load the chunk.
 */
import type { RefreshCredentials, StoredToken } from '../token/tokenManager';
import type * as HubChunk from './chunk';
import type { Team, TeamPlan, TeamRateLog } from './team';

export interface LazyHub extends Team, TeamRateLog {
  follow(creds: RefreshCredentials, onToken: (t: StoredToken) => void): void;
  /** True once connected; false before the first use and while the hub is away. */
  readonly connected: boolean;
  close(): Promise<void>;
}

export function lazyHub(load: () => typeof HubChunk, options: HubChunk.TeamHubOptions): LazyHub {
  let hub: HubChunk.TeamHub | undefined;
  const open = () => (hub ??= new (load().TeamHub)(options));
  return {
    beforeMint: (creds, opts): Promise<TeamPlan> => open().beforeMint(creds, opts),
    admit: (creds, opts) => open().admit(creds, opts),
    recordThrottle: (creds) => open().recordThrottle(creds),
    follow: (creds, onToken) => open().follow(creds, onToken),
    get connected() {
      return hub?.connected ?? false;
    },
    close: async () => {
      await hub?.close();
      hub = undefined;
    },
  };
}
