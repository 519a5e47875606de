/**
 * Every error DevKit knows, keyed by source and the provider's own code, with a plain-words explanation
 * (what it means, the likely cause, the one fix). `findingFor` is the only way failures become Findings,
 * so the status bar, notifications, the decode view and the CLI all say the same thing.
 * Meanings come from codes only — never from message text (docs/zoho.md §11, the "Invalid" substring bug).
 */
import type { Action, Category, Finding, FindingContext, Source } from './finding';
import { ENTRIES, type Entry } from './catalogueEntries';
import { decodingFailed, reportInternalError } from './internal';

export type { FindingContext } from './finding';

/** The three parts of an explanation, for views that show them separately. */
export interface ExplanationParts {
  meaning: string;
  cause: string;
  fix: string;
}

/** Network error spellings folded into the agreed code words (the original goes to details.rawCode). */
const NETWORK_ALIASES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_SOCKET: 'ECONNRESET',
  EPIPE: 'ECONNRESET',
  ConnectTimeout: 'ETIMEDOUT',
  Timeout: 'ETIMEDOUT',
};

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH/i;

const SOURCES: readonly Source[] = ['salesiq', 'oauth', 'http', 'network', 'ssh', 'sudo', 'systemd', 'unknown'];

export function findingFor(source: Source, code: string | number | null, ctx: FindingContext = {}): Finding {
  try {
    // Untyped callers (JSON, plain JS) could pass any word; the contract allows only these.
    return build(SOURCES.includes(source) ? source : 'unknown', code, ctx ?? {});
  } catch (err) {
    // A catalogue bug must never pass for an explanation, nor throw a second failure at the caller.
    reportInternalError('the catalogue', err);
    const known = SOURCES.includes(source) && (code === null || typeof code === 'string' || typeof code === 'number');
    return decodingFailed(err, known ? { source, code } : undefined);
  }
}

/** True when the catalogue has a specific entry (not the generic fallback) for this code. */
export function isKnownCode(source: Source, code: string | number | null): boolean {
  try {
    return entryFor(source, normalise(source, code)) !== undefined;
  } catch (err) {
    reportInternalError('the catalogue', err);
    return false;
  }
}

/**
 * A TLS failure, whatever its spelling: the generic `CERT`, Node's own codes (`CERT_HAS_EXPIRED`,
 * `ERR_TLS_CERT_ALTNAME_INVALID`, `SELF_SIGNED_CERT_IN_CHAIN`…), which a finding keeps whole.
 */
export function isTlsCode(code: unknown): boolean {
  return typeof code === 'string' && code !== 'SSLError' && TLS_CODE.test(code);
}

/** Splits a catalogue-made explanation back into meaning / cause / fix; other texts come back as meaning. */
export function explanationParts(f: Finding): ExplanationParts {
  try {
    const parts = partsFor(f.source, f.code, { httpStatus: f.httpStatus, message: f.details?.message, details: f.details });
    if (parts && join(parts) === f.explanation) return parts;
  } catch (err) {
    // The explanation is still shown whole, as one part.
    reportInternalError('the catalogue', err);
  }
  return { meaning: f.explanation, cause: '', fix: '' };
}

function build(source: Source, rawCode: string | number | null, ctx: FindingContext): Finding {
  const normal = normalise(source, rawCode, ctx.details);
  const { code: given, details } = normal;
  const ctx2: FindingContext = { ...ctx, httpStatus: statusOf(source, given, ctx.httpStatus), details };
  const hit = entryFor(source, normal);
  if (!hit) return generic(source, given, ctx2);
  // Keep numbers as numbers, and a code that shares an entry as it was spelt (CERT_HAS_EXPIRED); other
  // string codes take the catalogue's spelling ("access denied" → "Access Denied").
  const code = typeof given === 'string' && !normal.entryCode ? hit.key : given;
  const entry = resolve(hit.entry, ctx2);
  const parts = partsFromEntry(entry, source, ctx2);
  return finish(source, code, ctx2, entry.category, entry.action, entry.retryable, fill(entry.title, vars(ctx2)), parts);
}

function partsFor(source: Source, code: string | number | null, ctx: FindingContext): ExplanationParts | undefined {
  const hit = entryFor(source, normalise(source, code));
  return hit ? partsFromEntry(resolve(hit.entry, ctx), source, ctx) : genericParts(source, code, ctx).parts;
}

/** An HTTP finding's code is its status; other findings carry the status the caller saw, if any. */
function statusOf(source: Source, code: string | number | null, given?: number | null): number | null {
  if (isStatus(given)) return given;
  return source === 'http' && isStatus(code) ? code : null;
}

function isStatus(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599;
}

interface Normalised {
  code: string | number | null;
  details: Record<string, string>;
  /** The entry a code shares without being renamed to it (every TLS code uses the `CERT` entry). */
  entryCode?: string;
}

function entryFor(source: Source, n: Normalised): { key: string; entry: Entry } | undefined {
  return lookup(source, n.entryCode ?? n.code);
}

function normalise(source: Source, code: string | number | null, details?: Record<string, string>): Normalised {
  const d: Record<string, string> = { ...(details ?? {}) };
  if (code === null || (typeof code !== 'string' && !(typeof code === 'number' && Number.isFinite(code)))) {
    return { code: null, details: d };
  }
  if (source === 'salesiq' || source === 'http') {
    const n = typeof code === 'number' ? code : /^\s*\d+\s*$/.test(code) ? Number(code) : NaN;
    if (Number.isFinite(n)) return { code: n, details: d };
  }
  if (source === 'network' && typeof code === 'string') {
    const own = Object.prototype.hasOwnProperty.call(NETWORK_ALIASES, code) ? NETWORK_ALIASES[code] : undefined;
    if (own) {
      d.rawCode = d.rawCode ?? code;
      return { code: own, details: d };
    }
    if (code !== 'CERT' && isTlsCode(code)) return { code, details: d, entryCode: 'CERT' };
  }
  return { code, details: d };
}

function lookup(source: Source, code: string | number | null): { key: string; entry: Entry } | undefined {
  if (code === null) return undefined;
  const table = ENTRIES[source];
  if (!table) return undefined;
  const key = String(code);
  if (Object.prototype.hasOwnProperty.call(table, key)) return { key, entry: table[key] };
  if (typeof code === 'number') return numberRange(source, code, table);
  const lower = key.toLowerCase();
  for (const k of Object.keys(table)) if (k.toLowerCase() === lower) return { key: k, entry: table[k] };
  return undefined;
}

function numberRange(source: Source, code: number, table: Record<string, Entry>): { key: string; entry: Entry } | undefined {
  if (source !== 'http') return undefined;
  if (code >= 500 && code <= 599) return { key: '5xx', entry: table['5xx'] };
  if (code >= 400 && code <= 499) return { key: '4xx', entry: table['4xx'] };
  return undefined;
}

/** Some entries depend on the situation (an HTML page under a 4xx is a wrong URL, not an outage). */
function resolve(entry: Entry, ctx: FindingContext): Entry {
  return entry.variant?.(ctx) ?? entry;
}

function partsFromEntry(entry: Entry, source: Source, ctx: FindingContext): ExplanationParts {
  const v = vars(ctx);
  const text = (t: Entry['meaning']) => fill(typeof t === 'function' ? t(ctx) : t, v);
  const cause = [text(entry.cause), ...extras(source, ctx)].filter(Boolean).join(' ');
  return { meaning: text(entry.meaning), cause, fix: text(entry.fix) };
}

/** Sentences about facts the error body or the caller supplied. */
function extras(source: Source, ctx: FindingContext): string[] {
  const d = ctx.details ?? {};
  const out: string[] = [];
  if (d.json_key) out.push(`SalesIQ points at the field \`${d.json_key}\`.`);
  if (d.param) out.push(`SalesIQ points at the parameter \`${d.param}\`.`);
  if (d.header) out.push(`SalesIQ points at the header \`${d.header}\`.`);
  if (d.rawCode && source === 'network') out.push(`(Reported as ${d.rawCode}.)`);
  if (d.address) out.push(`Address: ${d.address}.`);
  if (d.unit) out.push(`Unit: ${d.unit}.`);
  if (d.reason) out.push(`Underlying error: ${d.reason}.`);
  if (d.evidence) out.push(d.evidence);
  return out;
}

function generic(source: Source, code: string | number | null, ctx: FindingContext): Finding {
  const g = genericParts(source, code, ctx);
  return finish(source, code, ctx, g.category, g.action, g.retryable, g.title, g.parts);
}

function genericParts(source: Source, code: string | number | null, ctx: FindingContext) {
  const said = ctx.message ? ` The message was: “${clip(ctx.message)}”.` : '';
  const shown = code === null ? 'an error without a code' : `error ${code}`;
  const g = genericText(source, code, shown, said);
  return {
    category: g.category ?? ('unknown' as Category),
    action: g.action ?? ('contact-support' as Action),
    retryable: g.retryable ?? false,
    title: g.title,
    parts: { meaning: g.meaning, cause: extras(source, ctx).join(' '), fix: g.fix },
  };
}

/** What DevKit can still say about an unknown code, by who answered; unknown and not retried unless said. */
interface GenericText {
  category?: Category;
  action?: Action;
  retryable?: boolean;
  title: string;
  meaning: string;
  fix: string;
}

function genericText(source: Source, code: string | number | null, shown: string, said: string): GenericText {
  switch (source) {
    case 'salesiq':
      return {
        title: `SalesIQ returned an undocumented error (${code ?? 'no code'}).`,
        meaning: `SalesIQ answered with ${shown}, which is not in SalesIQ's published error list, so DevKit cannot say for sure what it means.${said}`,
        fix: 'Check the request (URL, screen name, body) against the SalesIQ API docs; if it persists, contact SalesIQ support with the code and the request path.',
      };
    case 'oauth':
      return {
        category: 'grant',
        title: `Zoho Accounts refused the token request (${code ?? 'no code'}).`,
        meaning: `Zoho Accounts answered the token request with ${shown}, which DevKit does not know.${said}`,
        fix: 'Check the client ID, client secret, refresh token and data centre; if they are right, contact Zoho support with this error.',
      };
    case 'network':
      return {
        category: 'network', action: 'retry', retryable: true,
        title: 'A network error stopped the request.',
        meaning: `The connection failed with ${shown} before any answer arrived.${said}`,
        fix: 'Check the network connection (and any proxy or VPN), then try again.',
      };
    default:
      return {
        title: code === null ? 'An unrecognised error occurred.' : `An unrecognised error occurred (${code}).`,
        meaning: `DevKit found ${shown}${source !== 'unknown' ? ` from ${source}` : ''} that it has no explanation for.${said}`,
        fix: 'Read the original message for clues; if it keeps happening, report it with the full error text (secrets removed).',
      };
  }
}

function vars(ctx: FindingContext): Record<string, string> {
  return { ...(ctx.details ?? {}), status: ctx.httpStatus != null ? String(ctx.httpStatus) : '' };
}

function finish(
  source: Source,
  code: string | number | null,
  ctx: FindingContext,
  category: Category,
  action: Action,
  retryable: boolean,
  title: string,
  parts: ExplanationParts,
): Finding {
  const details: Record<string, string> = { ...(ctx.details ?? {}) };
  if (ctx.message && !details.message) details.message = clip(ctx.message);
  const httpStatus = statusOf(source, code, ctx.httpStatus);
  const f: Finding = { source, code, httpStatus, category, action, retryable, title, explanation: join(parts) };
  if (Object.keys(details).length) f.details = details;
  return f;
}

function join(p: ExplanationParts): string {
  return [p.meaning, p.cause, p.fix].filter(Boolean).join(' ');
}

/** Replaces `{{name}}` with a detail value, or the fallback after `|` (`{{user|<user>}}`). */
function fill(s: string, vars: Record<string, string>): string {
  return s.replace(/\{\{(\w+)(?:\|([^}]*))?\}\}/g, (_m, k: string, dflt?: string) => vars[k] || dflt || '');
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 199)}…` : one;
}
