import { DevKitError, isDevKitError } from '../../core/errors/devkitError';
import { findingFor } from '../../core/errors/catalogue';
import { tokenAgeEvidence } from '../../core/errors/evidence';
import type { Finding } from '../../core/errors/finding';
import { validateToken } from '../../core/salesiq/api';
import { countdownText, tokenKind } from '../../core/token';
import type { StoredToken } from '../../core/tokenManager';
import { configProblem } from '../config';
import type { CliContext, Command } from '../context';
import { printOk } from '../output';

/** `validate`: one harmless authenticated GET with the token; the decoded SalesIQ error when it is refused. */
export const validate: Command = {
  summary: 'checks the token with a harmless authenticated GET',
  flags: { values: [], switches: [] },
  async run(ctx) {
    const t = await apiToken(ctx);
    const portal = portalSettings(ctx);
    let r: TokenCheck;
    try {
      r = await checkToken(ctx, t.value, portal);
    } catch (e) {
      throw withTokenAge(e, t, ctx.clock.now());
    }
    const left = t.expiresAt === undefined ? undefined : t.expiresAt - ctx.clock.now();
    return printOk(
      ctx.io,
      { ...tokenFields(ctx, t), valid: true, tokenSource: t.source, tokenKind: tokenKind(t.value), endpoint: r.endpoint, status: r.status, latencyMs: r.latencyMs, ...(portal.screenName ? { screenName: portal.screenName } : {}), ...(r.portals ? { portals: r.portals } : {}) },
      `profile ${ctx.profile.name}: the token is valid — SalesIQ accepted GET ${r.endpoint} (HTTP ${r.status}, ${r.latencyMs} ms)${left === undefined ? '' : `; expires in ${countdownText(left)}`}`,
    );
  },
};

export interface ApiToken {
  value: string;
  source: 'env' | 'cache';
  expiresAt?: number;
}

export interface Portal {
  screenName?: string;
  appId?: string;
  departmentId?: string;
}

export interface TokenCheck {
  endpoint: string;
  status: number;
  latencyMs: number;
  portals?: string[];
}

export async function cachedToken(ctx: CliContext): Promise<StoredToken | undefined> {
  return ctx.state.tokenStore(ctx.profile.name, undefined).readToken();
}

/** The token to call SalesIQ with: SALESIQ_ACCESS_TOKEN when set (an explicit choice), else the cached one. */
export async function apiToken(ctx: CliContext): Promise<ApiToken> {
  if (ctx.profile.accessToken) return { value: ctx.profile.accessToken, source: 'env' };
  const t = await cachedToken(ctx);
  if (!t) throw new DevKitError(noToken(ctx));
  ctx.io.secrets.add(t.accessToken);
  return { value: t.accessToken, source: 'cache', expiresAt: t.expiresAt };
}

export function noToken(ctx: CliContext): Finding {
  return {
    source: 'unknown', code: 'no-token', httpStatus: null, category: 'auth', action: 'refresh', retryable: false,
    title: `No cached token for profile "${ctx.profile.name}".`,
    explanation: `Run "salesiq-devkit refresh --profile ${ctx.profile.name}" to mint one (state dir ${ctx.state.dir}), or set SALESIQ_ACCESS_TOKEN.`,
  };
}

/** The contract's token fields; null where the expiry is not known (a token given through the environment or stdin). */
export function tokenFields(ctx: CliContext, t?: { expiresAt?: number }): { profile: string; expiresAt: string | null; remainingSeconds: number | null } {
  const at = t?.expiresAt;
  return {
    profile: ctx.profile.name,
    expiresAt: at === undefined ? null : new Date(at).toISOString(),
    remainingSeconds: at === undefined ? null : Math.max(0, Math.floor((at - ctx.clock.now()) / 1000)),
  };
}

/** Screen name, app ID and department ID: the environment wins over the config file's `salesiq` section. */
export function portalSettings(ctx: CliContext): Portal {
  const cfg = ctx.config.salesiq ?? {};
  const p: Portal = {};
  const screenName = ctx.env.SALESIQ_SCREEN_NAME || cfg.screenName;
  const appId = ctx.env.SALESIQ_APP_ID || cfg.appId;
  const departmentId = ctx.env.SALESIQ_DEPARTMENT_ID || cfg.departmentId;
  if (screenName) p.screenName = screenName;
  if (appId) p.appId = appId;
  if (departmentId) p.departmentId = departmentId;
  return p;
}

/**
 * The cheapest call that proves the token for its kind: a user token lists the portal's departments (or the
 * portals, without a screen name); an org token, made for the visitor API, can only read its brand app.
 */
export async function checkToken(ctx: CliContext, token: string, portal: Portal): Promise<TokenCheck> {
  const org = tokenKind(token) === 'org';
  if (org && (!portal.screenName || !portal.appId)) {
    throw new DevKitError(configProblem('An org token can only be checked against its brand app.', 'Set SALESIQ_SCREEN_NAME and SALESIQ_APP_ID (or salesiq.screenName and salesiq.appId in the config file).', 'no-portal'));
  }
  const screen = portal.screenName;
  const appId = org ? portal.appId : undefined;
  const endpoint = !screen ? '/api/v2/portals' : appId ? `/api/v2/${screen}/apps/${appId}` : `/api/v2/${screen}/departments`;
  const t0 = ctx.clock.now();
  const r = await validateToken(ctx.http(), ctx.profile.salesiqUrl, token, { screenName: screen, appId, signal: ctx.signal });
  const check: TokenCheck = { endpoint, status: r.status, latencyMs: ctx.clock.now() - t0 };
  if (r.portals) check.portals = r.portals;
  return check;
}

/** An expired/invalid answer (1001/1008) gets the cached token's age as evidence: expired, or revoked early. */
function withTokenAge(e: unknown, t: ApiToken, now: number): unknown {
  if (!isDevKitError(e) || e.finding.action !== 'refresh' || t.expiresAt === undefined) return e;
  const f = e.finding;
  const evidence = `${tokenAgeEvidence(t.expiresAt, now)} Get a new one with "salesiq-devkit refresh" (or "salesiq-devkit fix").`;
  return new DevKitError(findingFor(f.source, f.code, { httpStatus: f.httpStatus, message: f.details?.message, details: { ...f.details, evidence } }), { cause: e });
}
