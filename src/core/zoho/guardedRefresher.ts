/**
 * The one way DevKit asks Zoho for a token: through the shared rate guard (single-flight, 10 per 10 minutes
 * per refresh token, retries counted too) with backoff on outages. Used by the extension and the CLI alike.
 */
import type { Clock } from '../clock';
import type { Finding } from '../errors/finding';
import type { HttpClient } from '../net/http';
import type { Refresher } from '../tokenManager';
import { refreshWithRetry } from './oauth';
import { RefreshGuard, RefreshLog } from './refreshGuard';

export interface GuardedRefresherDeps {
  http: () => HttpClient;
  clock: Clock;
  accountsUrl: () => string;
  /** The request history for a refresh token, shared by every window/process that uses it. */
  logFor: (refreshToken: string) => RefreshLog;
  onRequest?: (accountsUrl: string) => void;
  onRetry?: (attempt: number, delayMs: number, f: Finding) => void;
}

export function guardedRefresher(d: GuardedRefresherDeps): Refresher {
  // Single-flight lives in the guard, so keep one per refresh token for the life of this refresher.
  const guards = new Map<string, RefreshGuard>();
  return (creds, { automatic, signal }) => {
    let guard = guards.get(creds.refreshToken);
    if (!guard) guards.set(creds.refreshToken, (guard = new RefreshGuard(d.logFor(creds.refreshToken), d.clock)));
    const url = d.accountsUrl();
    return guard.run(() => {
      d.onRequest?.(url);
      return refreshWithRetry(d.http(), d.clock, url, creds, { signal, onRetry: d.onRetry, beforeRetry: () => guard.admit({ automatic }) });
    }, { automatic });
  };
}
