/**
 * Shape checks for what a user types or imports. Zoho documents token formats only by example, so a
 * surprising shape is a warning, never a refusal; only what cannot possibly work is an error.
 */
export type Check = { level: 'error' | 'warning'; message: string } | undefined;

const TOKENISH = /^\d{4}\.[0-9a-f]+\.[0-9a-f]+$/i;

export function checkClientId(v: string): Check {
  if (!v) return { level: 'error', message: 'The client id is required (API console → your client → Client ID).' };
  if (/\s/.test(v)) return { level: 'error', message: 'A client id has no spaces.' };
  if (!/^1000\.[A-Z0-9]+$/i.test(v)) return { level: 'warning', message: 'Zoho client ids usually look like 1000.XXXXXXXX; check you copied the Client ID, not the secret.' };
  return undefined;
}

export function checkClientSecret(v: string): Check {
  if (!v) return { level: 'error', message: 'The client secret is required.' };
  if (/\s/.test(v)) return { level: 'error', message: 'A client secret has no spaces.' };
  return undefined;
}

export function checkRefreshToken(v: string): Check {
  if (!v) return { level: 'error', message: 'The refresh token is required: without it DevKit cannot mint access tokens.' };
  if (/\s/.test(v)) return { level: 'error', message: 'A refresh token has no spaces.' };
  if (!TOKENISH.test(v)) return { level: 'warning', message: 'Zoho refresh tokens usually look like 1000.<hex>.<hex>.' };
  return undefined;
}

export function checkAccessToken(v: string): Check {
  if (!v) return undefined;
  if (/\s/.test(v)) return { level: 'error', message: 'An access token has no spaces.' };
  if (!TOKENISH.test(v)) return { level: 'warning', message: 'Zoho access tokens usually look like 1000.<hex>.<hex> (or 1005.… for org tokens).' };
  return undefined;
}

/** Minutes since the access token was issued: 0–60, empty means "just now". */
export function checkIssuedMinutesAgo(v: string): Check {
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 60) return { level: 'error', message: 'Enter the minutes since it was issued, from 0 to 60 (tokens live one hour).' };
  return undefined;
}

/** Profile names become SecretStorage keys and CLI flags: keep them simple. */
export function checkProfileName(v: string, existing: string[]): Check {
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(v)) return { level: 'error', message: 'Use 1–40 letters, digits, dot, dash or underscore.' };
  if (existing.includes(v)) return { level: 'warning', message: `Profile "${v}" exists: its credentials will be replaced.` };
  return undefined;
}
