/**
 * The seams through which a team hub joins the token machinery. The token manager asks `beforeMint` (adopt the
 * team's token, or mint under the team lease) and the refresher asks `admit` (one rate log for the team). These
 * types carry no Redis: the client lives in the hub chunk, loaded only when a hub is configured.
 */
import type { RefreshCredentials, StoredToken } from '../token/tokenManager';

/** Permission to mint, held until release; publish hands the new token to the team. */
export interface TeamTicket {
  publish(t: StoredToken): Promise<void>;
  release(): Promise<void>;
}

export type TeamPlan = { adopt: StoredToken } | { ticket: TeamTicket };

export interface Team {
  /**
   * A team token valid for more than `marginMs` to adopt, or a ticket to mint. When the hub cannot be reached
   * this answers at once with a ticket that does nothing: the instance works alone.
   */
  beforeMint(creds: RefreshCredentials, opts: { marginMs: number; signal?: AbortSignal }): Promise<TeamPlan>;
}

export interface TeamRateLog {
  /**
   * Records one token request in the team's log and resolves null, or resolves with the time (ms since epoch)
   * when the team's window allows the next one. Null as well when the hub cannot be reached (the local guard
   * still holds).
   */
  admit(creds: RefreshCredentials, opts: { automatic: boolean }): Promise<number | null>;
  /** Zoho throttled: the team's window counts as full from now. */
  recordThrottle(creds: RefreshCredentials): Promise<void>;
}

export const ALONE: TeamTicket = { publish: async () => undefined, release: async () => undefined };
