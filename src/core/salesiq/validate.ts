/**
 * Validating a token, the same way in every front end: which harmless GET proves it (a user token lists the
 * portal's departments, or the portals without a screen name; an org token, made for the visitor API, can
 * only read its brand app), and the four answers a developer wants from the result.
 */
import type { Clock } from '../token/clock';
import { DevKitError } from '../errors/devkitError';
import type { Finding } from '../errors/finding';
import type { HttpClient } from '../net/http';
import { tokenKind } from '../token/token';
import { validateToken } from './api';

export type Validity = 'valid' | 'expired' | 'missing-scope' | 'wrong-portal' | 'failed';

/** The portal settings; each front end reads them from its own place (settings, environment, config file). */
export interface PortalSettings {
  screenName?: string;
  appId?: string;
  departmentId?: string;
}

/**
 * How a front end spells each portal setting, so a message names what the user can actually set; `where`
 * follows the list ("in the environment (or … in the config file)").
 */
export type PortalSettingNames = Record<keyof PortalSettings, string> & { where?: string };

export interface TokenCheck {
  endpoint: string;
  status: number;
  latencyMs: number;
  /** The token owner's portals, when the portal list was asked for. */
  portals?: string[];
}

export interface CheckOptions {
  clock: Clock;
  names: PortalSettingNames;
  signal?: AbortSignal;
}

/** The endpoint that proves this token, and what it needs; an org token without its brand app cannot be checked. */
export function validationRequest(
  token: string,
  portal: PortalSettings,
  names: PortalSettingNames,
): { endpoint: string; screenName?: string; appId?: string } {
  const org = tokenKind(token) === 'org';
  if (org && (!portal.screenName || !portal.appId)) {
    throw new DevKitError({
      source: 'unknown', code: 'no-portal', httpStatus: null, category: 'config', action: 'fix-config', retryable: false,
      title: 'An org token can only be checked against its brand app.',
      explanation: `Set ${names.screenName} and ${names.appId}${names.where ?? ''}: an org token (1005.…) is made for the visitor API, and reading its brand app is the harmless call it may make.`,
    });
  }
  const screenName = portal.screenName || undefined;
  const appId = org ? portal.appId : undefined;
  const endpoint = !screenName ? '/api/v2/portals' : appId ? `/api/v2/${screenName}/apps/${appId}` : `/api/v2/${screenName}/departments`;
  return { endpoint, screenName, appId };
}

/** One harmless authenticated GET; throws the decoded SalesIQ error when the token is refused. */
export async function checkToken(
  http: HttpClient,
  salesiqUrl: string,
  token: string,
  portal: PortalSettings,
  opts: CheckOptions,
): Promise<TokenCheck> {
  const { endpoint, screenName, appId } = validationRequest(token, portal, opts.names);
  const t0 = opts.clock.now();
  const r = await validateToken(http, salesiqUrl, token, { screenName, appId, signal: opts.signal });
  const check: TokenCheck = { endpoint, status: r.status, latencyMs: opts.clock.now() - t0 };
  if (r.portals) check.portals = r.portals;
  return check;
}

/** The four answers a developer wants: it works, it expired, it lacks a scope, or it points at the wrong portal. */
export function validityOf(f: Finding): Validity {
  if (f.source === 'salesiq' && (f.code === 1001 || f.code === 1008)) return 'expired';
  if (f.category === 'scope') return 'missing-scope';
  if (f.source === 'salesiq' && (f.code === 1005 || f.code === 1006)) return 'wrong-portal';
  return 'failed';
}
