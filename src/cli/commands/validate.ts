import { DevKitError, isDevKitError } from '../../core/errors/devkitError';
import { findingFor } from '../../core/errors/catalogue';
import { tokenAgeEvidence } from '../../core/errors/evidence';
import { countdownText, tokenKind } from '../../core/token/token';
import type { Command } from '../context';
import { printOk } from '../output';
import { type ApiToken, apiToken, checkToken, portalSettings, type TokenCheck, tokenFields } from '../tokens';

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
      {
        ...tokenFields(ctx, t),
        valid: true,
        tokenSource: t.source,
        tokenKind: tokenKind(t.value),
        endpoint: r.endpoint,
        status: r.status,
        latencyMs: r.latencyMs,
        ...(portal.screenName ? { screenName: portal.screenName } : {}),
        ...(r.portals ? { portals: r.portals } : {}),
      },
      `profile ${ctx.profile.name}: the token is valid — SalesIQ accepted GET ${r.endpoint} (HTTP ${r.status}, ${r.latencyMs} ms)${left === undefined ? '' : `; expires in ${countdownText(left)}`}`,
    );
  },
};

/** An expired/invalid answer (1001/1008) gets the cached token's age as evidence: expired, or revoked early. */
function withTokenAge(e: unknown, t: ApiToken, now: number): unknown {
  if (!isDevKitError(e) || e.finding.action !== 'refresh' || t.expiresAt === undefined) return e;
  const f = e.finding;
  const evidence = `${tokenAgeEvidence(t.expiresAt, now)} Get a new one with "salesiq-devkit refresh" (or "salesiq-devkit fix").`;
  const details = { ...f.details, evidence };
  return new DevKitError(findingFor(f.source, f.code, { httpStatus: f.httpStatus, message: f.details?.message, details }), { cause: e });
}
