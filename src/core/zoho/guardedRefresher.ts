/**
 * The one way DevKit asks Zoho for a token: through the shared rate guard (single-flight, 10 per 10 minutes
 * per refresh token, retries counted too) with backoff on outages. Used by the extension and the CLI alike.
 */
import type { Clock } from '../token/clock';
import { findingFor } from '../errors/catalogue';
import { DevKitError, isDevKitError } from '../errors/devkitError';
import type { Finding } from '../errors/finding';
import type { TeamRateLog } from '../hub/team';
import type { HttpClient } from '../net/http';
import type { Refresher } from '../token/tokenManager';
import { isThrottle, refreshWithRetry } from './oauth';
import { RefreshGuard, type RefreshGuardOptions, RefreshLog } from './refreshGuard';

export interface GuardedRefresherDeps {
  http: () => HttpClient;
  clock: Clock;
  accountsUrl: () => string;
  /** The request history for a refresh token, shared by every window/process that uses it. */
  logFor: (refreshToken: string) => RefreshLog;
  onRequest?: (accountsUrl: string) => void;
  onRetry?: (attempt: number, delayMs: number, f: Finding) => void;
  /** The team hub's rate log: every request of every instance on the hub counts there too. */
  team?: TeamRateLog;
  guard?: RefreshGuardOptions;
}

export function guardedRefresher(d: GuardedRefresherDeps): Refresher {
  // Single-flight lives in the guard, so keep one per refresh token for the life of this refresher.
  const guards = new Map<string, RefreshGuard>();
  return (creds, { automatic, signal }) => {
    let guard = guards.get(creds.refreshToken);
    if (!guard) guards.set(creds.refreshToken, (guard = new RefreshGuard(d.logFor(creds.refreshToken), d.clock, d.guard)));
    const url = d.accountsUrl();
    const team = d.team;
    const teamAdmit = async () => {
      const until = team ? await team.admit(creds, { automatic }) : null;
      if (until !== null) throw new DevKitError(findingFor('oauth', 'rate-limit-local', { details: { nextAllowedAt: new Date(until).toISOString() } }));
    };
    return guard.run(async () => {
      await teamAdmit();
      d.onRequest?.(url);
      try {
        return await refreshWithRetry(d.http(), d.clock, url, creds, {
          signal,
          onRetry: d.onRetry,
          beforeRetry: async () => {
            await guard.admit({ automatic });
            await teamAdmit();
          },
        });
      } catch (e) {
        if (team && isDevKitError(e) && isThrottle(e.finding)) await team.recordThrottle(creds);
        throw e;
      }
    }, { automatic });
  };
}
