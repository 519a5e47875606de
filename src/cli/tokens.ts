/**
 * The token and portal facts several commands share: which token to call SalesIQ with, the contract's token
 * fields, the portal settings, and the cheapest call that proves a token works.
 */
import { DevKitError } from '../core/errors/devkitError';
import type { Finding } from '../core/errors/finding';
import { checkToken as checkTokenWith, type PortalSettingNames, type PortalSettings, type TokenCheck } from '../core/salesiq/validate';
import type { StoredToken } from '../core/token/tokenManager';
import type { CliContext } from './context';

export type { TokenCheck } from '../core/salesiq/validate';
export type Portal = PortalSettings;

/** How the CLI's messages name the portal settings: the environment first, the config file's keys after. */
export const PORTAL_NAMES: PortalSettingNames = {
  screenName: 'SALESIQ_SCREEN_NAME',
  appId: 'SALESIQ_APP_ID',
  departmentId: 'SALESIQ_DEPARTMENT_ID',
  where: ' in the environment (or salesiq.screenName / appId / departmentId in the config file)',
};

export interface ApiToken {
  value: string;
  source: 'env' | 'cache';
  expiresAt?: number;
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
export function tokenFields(
  ctx: CliContext,
  t?: { expiresAt?: number },
): { profile: string; expiresAt: string | null; remainingSeconds: number | null } {
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

/** The cheapest call that proves the token for its kind (core/salesiq/validate.ts), with the CLI's plumbing. */
export function checkToken(ctx: CliContext, token: string, portal: Portal): Promise<TokenCheck> {
  return checkTokenWith(ctx.http(), ctx.profile.salesiqUrl, token, portal, { clock: ctx.clock, names: PORTAL_NAMES, signal: ctx.signal });
}
