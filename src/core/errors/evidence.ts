/**
 * Sentences that tie a decoded error to the user's own situation (stored token, data centre, token type).
 * Exported so other front ends (the refresh client, notifications) can attach the same evidence through
 * `findingFor(…, { details: { evidence } })`.
 */
import { DATA_CENTERS, dataCenterFromAccountsUrl, isDataCenter } from '../zoho/datacenters';
import { relativeText } from '../token/token';

/** "Your stored token expired 34 min ago at 11:37 local (10:37 UTC)." or "…still valid for 12 min…". */
export function tokenAgeEvidence(expiresAt: number, now: number): string {
  const left = expiresAt - now;
  const at = clockText(expiresAt, now);
  if (left <= 0) return `Your stored token expired ${relativeText(left)} at ${at}, so this error is what an expired token looks like.`;
  return `Your stored token is still valid for ${relativeText(left).replace(/^in /, '')} (until ${at}) — it may have been revoked or replaced by newer tokens.`;
}

/** Evidence for 1009 from the token's prefix (a hint, never validation — docs/zoho.md §4). */
export function tokenKindEvidence(kind: 'user' | 'org' | 'unknown', visitorApi: boolean): string | undefined {
  if (kind === 'user') {
    const where = visitorApi ? ' and the request went to the visitor API, which' : '; the visitor API';
    return `Your token starts \`1000.\` (a user token)${where} only accepts an org token (starts \`1005.\`).`;
  }
  if (kind === 'org') return 'Your token starts `1005.` (an org token), so the token type is right; the scope itself is probably missing.';
  return visitorApi ? 'The request went to the visitor API, which only accepts an org token (starts `1005.`).' : undefined;
}

/** Names the data centre in use (an id like `in`, or an accounts URL) and the most likely other one for invalid_client. */
export function dataCentreEvidence(dataCenter: string): string {
  const given = dataCenter.trim();
  const dc = isDataCenter(given) ? given : dataCenterFromAccountsUrl(given.includes('://') ? given : `https://${given}`);
  const where = dc ? `the ${DATA_CENTERS[dc].label} data centre (${new URL(DATA_CENTERS[dc].accountsUrl).host})` : `the accounts server ${given}`;
  const other = dc === 'in' ? 'accounts.zoho.com (US) or accounts.zoho.eu (EU)' : 'accounts.zoho.in if the account was created in India';
  return `You are using ${where}; the client is most likely registered in a different one — for example ${other}.`;
}

function clockText(t: number, now: number): string {
  const d = new Date(t);
  const local = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const utc = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const day = Math.abs(now - t) > 20 * 3600_000 ? ` on ${d.toISOString().slice(0, 10)}` : '';
  return `${local} local (${utc} UTC)${day}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
