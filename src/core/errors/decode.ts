/**
 * Finds every error in pasted text (a response body, curl -i output, a journal, a traceback, an SSH
 * session) and decodes it into Findings. Pure and total: any input, any size, never throws; every scan is
 * linear or bounded. Nothing is guessed: text without a recognisable error yields [].
 */
import { redact } from '../redact';
import { tokenKind } from '../token/token';
import { findingFor } from './catalogue';
import { dataCentreEvidence, tokenAgeEvidence, tokenKindEvidence } from './evidence';
import type { Finding } from './finding';
import type { Hit } from './hits';
import { findHtmlPages, findStatusMarkers, type StatusMarker } from './httpScan';
import { findJsonErrors } from './jsonErrors';
import { decodingFailed, reportInternalError, type InternalErrorSink } from './internal';
import { findLineErrors } from './lineErrors';

export interface DecodeContext {
  /** ms since epoch; defaults to Date.now() */
  now?: number;
  token?: { expiresAt: number; accessToken?: string };
  dataCenter?: string;
  tokenKindHint?: 'user' | 'org' | 'unknown';
  /** Where a bug inside the decoder is logged (default: stderr); the result then says decoding failed. */
  onInternalError?: InternalErrorSink;
}

/** How far after a response's status line its body may start (headers in between). */
const STATUS_LINE_REACH = 16384;
const MAX_FINDINGS = 50;

type Placed = Hit & { httpStatus: number | null };

export function decodeText(text: string, context: DecodeContext = {}): Finding[] {
  try {
    return decode(typeof text === 'string' ? text : String(text ?? ''), context ?? {});
  } catch (err) {
    // Never "no error found" for a text the decoder choked on: say so, and log it for the bug report.
    try {
      (context?.onInternalError ?? reportInternalError)('the decoder', err);
    } catch {
      reportInternalError('the decoder', err);
    }
    return [decodingFailed(err)];
  }
}

function decode(text: string, context: DecodeContext): Finding[] {
  const html = findHtmlPages(text);
  const found = bodies(text, html.hits);
  // JSON quoted inside a string (`"body":"{\"error\":…}"`) is read again with one level of escaping removed.
  if (text.includes('\\"error\\"') || text.includes('\\"code\\"')) found.push(...bodies(text.split('\\"').join('"'), []));
  // A body's error word also stands bare on its log line; the body (with its status and message) tells more.
  const inBodies = new Set(found.filter((h) => h.source === 'oauth').map((h) => String(h.code).toLowerCase()));
  const lines = findLineErrors(text, html.spans).filter((h) => !(h.source === 'oauth' && inBodies.has(String(h.code).toLowerCase())));
  const placed = [...found, ...lines.map((h) => ({ ...h, httpStatus: null }))];
  // "Host key verification failed" follows the CHANGED banner; the changed key is the finding that matters.
  const changed = placed.some((h) => h.code === 'host-key-changed');
  const kept = pruneNetwork(placed.filter((h) => !(changed && h.code === 'host-key-unknown')));
  kept.sort((a, b) => a.pos - b.pos);
  // Fold raw hits first so a flood of repeats costs nothing; fold again after the catalogue
  // has put codes into canonical spelling.
  const unique = fold(kept, (h) => h.httpStatus);
  return fold(unique.map((h) => toFinding(h, text, context)), (f) => f.httpStatus);
}

/** JSON and HTML bodies, each paired with the status line before it; lone 4xx/5xx lines become findings. */
function bodies(text: string, htmlHits: Hit[]): Placed[] {
  const hits = [...findJsonErrors(text), ...htmlHits].sort((a, b) => a.pos - b.pos);
  const markers = findStatusMarkers(text);
  const out: Placed[] = hits.map((h) => ({ ...h, httpStatus: h.status ?? null }));
  const lone: Placed[] = [];
  let next = 0;
  markers.forEach((m, i) => {
    const limit = Math.min(reach(text, m), markers[i + 1]?.pos ?? Infinity);
    while (next < out.length && out[next].pos < m.pos) next++;
    if (next < out.length && out[next].pos < limit) out[next++].httpStatus = m.status;
    else if (m.status >= 400) lone.push(statusHit(m));
  });
  return [...out, ...lone];
}

/**
 * A status line covers the response after it; a status inside a log line (`status=400`, `HTTP 400`)
 * covers only that line and the next, so it never sticks to an unrelated error further down.
 */
function reach(text: string, m: StatusMarker): number {
  if (m.statusLine) return m.pos + STATUS_LINE_REACH;
  const eol = text.indexOf('\n', m.pos);
  const next = eol < 0 ? -1 : text.indexOf('\n', eol + 1);
  return eol < 0 ? text.length : next < 0 ? text.length : next;
}

function statusHit(m: StatusMarker): Placed {
  return { pos: m.pos, source: 'http', code: m.status, httpStatus: m.status };
}

/**
 * Prose-derived network hits ("Connection refused" inside a traceback) repeat what an explicit code says;
 * keep them only when nothing explicit was found, else lend their words to the explicit one.
 */
function pruneNetwork(hits: Placed[]): Placed[] {
  const strong = hits.filter((h) => h.source === 'network' && !h.weak);
  if (!strong.length) return hits;
  const reason = hits.find((h) => h.weak && h.details?.reason)?.details?.reason;
  for (const h of strong) {
    if (reason && !h.details?.reason && (h.code === 'ConnectionError' || h.code === 'SSLError')) h.details = { ...h.details, reason };
  }
  return hits.filter((h) => !h.weak);
}

function toFinding(h: Placed, text: string, context: DecodeContext): Finding {
  const details: Record<string, string> = {};
  for (const [k, v] of Object.entries(h.details ?? {})) if (v) details[k] = redact(v).slice(0, 300);
  const evidence = evidenceFor(h, text, context);
  if (evidence) details.evidence = evidence;
  if (h.source === 'oauth' && h.code === 'invalid_client' && context.dataCenter) details.dataCenter = context.dataCenter;
  return findingFor(h.source, h.code, { httpStatus: h.httpStatus, message: h.message ? redact(h.message) : undefined, details });
}

function evidenceFor(h: Hit, text: string, context: DecodeContext): string | undefined {
  if (h.source === 'salesiq' && (h.code === 1001 || h.code === 1008)) {
    const exp = context.token?.expiresAt;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
    const now = typeof context.now === 'number' && Number.isFinite(context.now) ? context.now : Date.now();
    return tokenAgeEvidence(exp, now);
  }
  if (h.source === 'salesiq' && h.code === 1009) return tokenKindEvidence(kindOf(text, context), /\/api\/visitor\/|\/visitor\/v2\//.test(text));
  if (h.source === 'oauth' && h.code === 'invalid_client' && context.dataCenter) return dataCentreEvidence(context.dataCenter);
  return undefined;
}

/** The token type from the context, else from an Authorization header in the pasted text. */
function kindOf(text: string, context: DecodeContext): 'user' | 'org' | 'unknown' {
  if (context.token?.accessToken) {
    const k = tokenKind(context.token.accessToken);
    if (k !== 'unknown') return k;
  }
  if (context.tokenKindHint && context.tokenKindHint !== 'unknown') return context.tokenKindHint;
  const header = /Zoho-oauthtoken\s+(\d{4}\.)/i.exec(text);
  return header ? tokenKind(header[1]) : 'unknown';
}

/** Same source + code + HTTP status → one (the first, in text order). */
function fold<T extends Pick<Finding, 'source' | 'code'>>(items: T[], status: (t: T) => number | null): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const t of items) {
    const key = `${t.source}|${t.code}|${status(t)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
    if (out.length >= MAX_FINDINGS) break;
  }
  return out;
}
