/**
 * The shared vocabulary of every failure DevKit reports. The words are part of the public CLI contract
 * (`decode --json` and every `{ok:false,error}`), so the extension uses exactly the same ones.
 */
export type Source = 'salesiq' | 'oauth' | 'http' | 'network' | 'ssh' | 'sudo' | 'systemd' | 'unknown';

export type Category =
  | 'auth' | 'grant' | 'scope' | 'config' | 'rate-limit' | 'request' | 'permission'
  | 'plan' | 'server' | 'network' | 'host-key' | 'unknown';

export type Action =
  | 'refresh' | 'reauthorize' | 'fix-config' | 'wait' | 'fix-request' | 'retry'
  | 'trust-host' | 'fix-server' | 'upgrade-plan' | 'contact-support' | 'push' | 'none';

export interface Finding {
  source: Source;
  /** The provider's own code: a number for SalesIQ, a string for OAuth/network/ssh, null where none. */
  code: number | string | null;
  httpStatus: number | null;
  category: Category;
  action: Action;
  retryable: boolean;
  title: string;
  explanation: string;
  /** Extra facts surfaced from the error (json_key, param, header, host, fingerprint…). Not in the contract. */
  details?: Record<string, string>;
}

/** What the caller knows about an error besides its source and code (input to the catalogue). */
export interface FindingContext {
  httpStatus?: number | null;
  /** The provider's message (e.g. SalesIQ `error.message`); shown, never used to classify. */
  message?: string;
  /** Facts from the error body or the caller: json_key, param, header, evidence, dataCenter, user, unit… */
  details?: Record<string, string>;
}
