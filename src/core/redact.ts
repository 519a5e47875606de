/**
 * Masks secrets in any text before it reaches a log, a notification or a terminal.
 * A Zoho token keeps its prefix and last four characters (`1000.a1b2…9f0e`) so a human can still tell
 * two tokens apart.
 */
const ZOHO_TOKEN = /\b(\d{4}\.)([0-9a-f]{4})[0-9a-f]*\.[0-9a-f]*([0-9a-f]{4})\b/gi;
const AUTH_HEADER = /\b(Zoho-oauthtoken|Bearer)\s+([^\s"',;]+)/gi;
const SECRET_FIELD = /(["']?(?:access_token|refresh_token|client_secret|client_id|password|passphrase)["']?\s*[:=]\s*["']?)([^"'&\s,}]+)/gi;
/** A grant code (`1000.<hex>.<hex>`) in a URL or form body; `"code":1001` or systemd's `code=exited` is not a secret. */
const GRANT_CODE = /(\bcode=)(\d{4}\.[^&\s"']+)/gi;

export function maskToken(token: string): string {
  if (token.length <= 12) return '…';
  const m = /^(\d{4}\.)/.exec(token);
  return m ? `${m[1]}${token.slice(5, 9)}…${token.slice(-4)}` : `${token.slice(0, 4)}…${token.slice(-4)}`;
}

export function redact(text: string, knownSecrets: Iterable<string> = []): string {
  let out = text;
  for (const s of knownSecrets) {
    if (s && s.length >= 6) out = out.split(s).join(maskToken(s));
  }
  return out
    .replace(ZOHO_TOKEN, (_m, p: string, a: string, z: string) => `${p}${a}…${z}`)
    .replace(AUTH_HEADER, (_m, scheme: string, tok: string) => `${scheme} ${tok.includes('…') ? tok : maskToken(tok)}`)
    .replace(SECRET_FIELD, mask)
    .replace(GRANT_CODE, mask);
}

function mask(_m: string, k: string, v: string): string {
  return `${k}${v.includes('…') ? v : maskToken(v)}`;
}
