/**
 * Finds error bodies inside arbitrary text: SalesIQ envelopes `{"error":{"code":1001,…}}`, bare SalesIQ
 * error objects `{"code":1001,"message":…}`, OAuth bodies `{"error":"invalid_client"}` and the errors of
 * Zoho's other APIs that the same token reaches (`{"code":"INVALID_TOKEN","message":…,"status":"error"}`) —
 * as JSON, Python reprs or Node inspect output, whole or truncated.
 *
 * Instead of trying to parse at every `{` (quadratic on brace-heavy input), it looks for the keys `error`
 * and `code` written as object keys, walks back to the object that holds them (bounded) and reads just
 * that object with the forgiving parser. Classification uses the code, never the message.
 */
import { isKnownCode } from './catalogue';
import type { Hit } from './hits';
import { parseObjectAt, type Loose, type LooseObject } from './looseParse';

const BACK_LIMIT = 2048;
const FORWARD_LIMIT = 16384;
const MAX_ANCHORS = 5000;
const SALESIQ_MIN = 1000;
const SALESIQ_MAX = 1999;

export function findJsonErrors(text: string): Hit[] {
  const hits: Hit[] = [];
  const bodies: Array<[number, number]> = [];
  scanKey(text, 'error', ERROR_VALUE, (open) => {
    const parsed = parseObjectAt(text, open, open + FORWARD_LIMIT);
    const hit = parsed && fromErrorKey(parsed.value, open);
    if (!hit || !parsed) return;
    hits.push(hit);
    bodies.push([open, parsed.end]);
  });
  const inBody = insideAny(bodies);
  scanKey(text, 'code', SALESIQ_CODE_VALUE, (open) => {
    if (inBody(open)) return; // the inner object of an envelope already reported
    const parsed = parseObjectAt(text, open, open + FORWARD_LIMIT);
    const hit = parsed && fromBareSalesIqObject(parsed.value, open);
    if (hit) hits.push(hit);
  });
  scanKey(text, 'code', ZOHO_API_CODE_VALUE, (open) => {
    if (inBody(open)) return;
    const parsed = parseObjectAt(text, open, open + FORWARD_LIMIT);
    const hit = parsed && fromZohoApiObject(parsed.value, open);
    if (hit) hits.push(hit);
  });
  return hits;
}

/** What may follow `error:` (an object or a string) and `code:` (a 4-digit SalesIQ code), checked before parsing. */
const ERROR_VALUE = /\s*[{"']/y;
const SALESIQ_CODE_VALUE = /\s*["']?1\d{3}(?!\d)/y;
/** Zoho's other APIs (CRM, Desk…) name their errors in capitals: `"code":"INVALID_TOKEN"`. */
const ZOHO_API_CODE_VALUE = /\s*["'][A-Z][A-Z0-9_]{2,63}["']/y;

/** Zoho Accounts' throttle sentence: fixed text, so it names the throttle even when the `error` word was cut. */
const THROTTLE_DESCRIPTION = /^You have made too many requests continuously/;

/**
 * Calls `onObject(openBrace)` once per distinct object that has `key` as one of its keys with a value
 * matching `value` (a sticky pattern tried right after the colon).
 */
function scanKey(text: string, key: string, value: RegExp, onObject: (open: number) => void): void {
  const seen = new Set<number>();
  let anchors = 0;
  for (let k = text.indexOf(key); k >= 0 && anchors < MAX_ANCHORS; k = text.indexOf(key, k + key.length)) {
    const start = keyStart(text, k, key.length);
    if (start < 0) continue;
    value.lastIndex = text.indexOf(':', k) + 1;
    if (!value.test(text)) continue;
    anchors++;
    const open = enclosingBrace(text, start);
    if (open < 0 || seen.has(open)) continue;
    seen.add(open);
    onObject(open);
  }
}

/**
 * If `text[k…]` is written as an object key (`"error":`, `'error':`, `error:` after `{` or `,`), returns
 * where the key starts (its quote), else -1. Cheap checks first: most occurrences are plain prose.
 */
function keyStart(text: string, k: number, len: number): number {
  const before = text[k - 1];
  const quoted = before === '"' || before === "'";
  let i = k + len;
  if (quoted) {
    if (text[i] !== before) return -1;
    i++;
  } else if (isWordChar(before) || isWordChar(text[i])) {
    return -1;
  }
  i = skipWs(text, i, 1);
  if (text[i] !== ':') return -1;
  const start = quoted ? k - 1 : k;
  const prev = text[skipWs(text, start - 1, -1)];
  return prev === '{' || prev === ',' ? start : -1;
}

/** The `{` of the innermost object around `pos`, scanning back a bounded distance. */
function enclosingBrace(text: string, pos: number): number {
  let depth = 0;
  const stop = Math.max(0, pos - BACK_LIMIT);
  for (let i = pos - 1; i >= stop; i--) {
    const c = text[i];
    if (c === '}') depth++;
    else if (c === '{') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function fromErrorKey(obj: LooseObject, pos: number): Hit | undefined {
  const err = obj.error;
  if (isObject(err)) return fromErrorObject(err, pos);
  if (typeof err !== 'string' || !err.trim()) return undefined;
  const code = err.trim();
  const description = str(obj.error_description);
  const details = pick(obj, ['user_location']);
  if (!isKnownCode('oauth', code) && description && THROTTLE_DESCRIPTION.test(description)) {
    return { pos, source: 'oauth', code: 'Access Denied', message: description, details, takesStatus: true };
  }
  // A known OAuth word, or the OAuth error shape (description / status "failure"), is Zoho Accounts talking.
  if (isKnownCode('oauth', code) || description !== undefined || obj.status === 'failure') {
    return { pos, source: 'oauth', code, message: description, details, takesStatus: true };
  }
  return { pos, source: 'unknown', code: code.slice(0, 80), message: description, details, takesStatus: true };
}

function fromErrorObject(err: LooseObject, pos: number): Hit | undefined {
  const code = codeOf(err.code);
  const message = str(err.message);
  if (code === null && message === undefined) return undefined;
  const details = pick(err, ['json_key', 'param', 'header']);
  const salesiq = typeof code === 'number' && code >= SALESIQ_MIN && code <= SALESIQ_MAX;
  const oauth = typeof code === 'string' && isKnownCode('oauth', code);
  return { pos, source: salesiq ? 'salesiq' : oauth ? 'oauth' : 'unknown', code, message, details, takesStatus: true };
}

/** `{"code":"INVALID_TOKEN","details":{},"message":"invalid oauth token","status":"error"}` from another Zoho API. */
function fromZohoApiObject(obj: LooseObject, pos: number): Hit | undefined {
  const code = typeof obj.code === 'string' ? obj.code.trim() : '';
  const known = isKnownCode('oauth', code);
  if (!code || (!known && obj.status !== 'error')) return undefined;
  return { pos, source: known ? 'oauth' : 'unknown', code, message: str(obj.message), takesStatus: true };
}

/** `{"code":1001,"message":"…"}` as logged by code that printed only `body["error"]`. */
function fromBareSalesIqObject(obj: LooseObject, pos: number): Hit | undefined {
  const code = codeOf(obj.code);
  if (typeof code !== 'number' || code < SALESIQ_MIN || code > SALESIQ_MAX || str(obj.message) === undefined) return undefined;
  return { pos, source: 'salesiq', code, message: str(obj.message), details: pick(obj, ['json_key', 'param', 'header']), takesStatus: true };
}

function codeOf(v: Loose | undefined): number | string | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^\d{1,9}$/.test(t)) return Number(t);
    if (t) return t.slice(0, 80);
  }
  return null;
}

function pick(obj: LooseObject, keys: string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = obj[k];
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  }
  return Object.keys(out).length ? out : undefined;
}

function insideAny(spans: Array<[number, number]>): (pos: number) => boolean {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  return (pos) => {
    let lo = 0;
    let hi = sorted.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid][0] <= pos) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Spans can nest; checking the few nearest starts is enough in practice and keeps this bounded.
    for (let i = best; i >= 0 && i > best - 8; i--) if (pos > sorted[i][0] && pos < sorted[i][1]) return true;
    return false;
  };
}

function isObject(v: Loose | undefined): v is LooseObject {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function str(v: Loose | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\w$]/.test(c);
}

function skipWs(text: string, i: number, step: 1 | -1): number {
  for (let n = 0; n < 256 && i >= 0 && i < text.length && /\s/.test(text[i]); n++) i += step;
  return i;
}
