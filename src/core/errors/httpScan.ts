/**
 * HTTP evidence around bodies: status lines (`HTTP/1.1 400`, `HTTP 400`, `status=400`, Python's
 * `401 Client Error`, `<Response [503]>`) and HTML pages where JSON was expected.
 * Zoho answers many errors with HTTP 200, so a status only annotates a body; alone it becomes an
 * `http` finding when it is 4xx/5xx.
 */
import type { Hit } from './hits';

export interface StatusMarker {
  pos: number;
  status: number;
  /** A response's own status line (`HTTP/1.1 400` starting a line, as curl -i prints): headers may follow. */
  statusLine: boolean;
}

const STATUS =
  /\bHTTP\/\d(?:\.\d)?\s+(\d{3})\b|\bHTTP\s+(?:status\s+|error\s+|code\s+)?(\d{3})\b|\bstatus(?:[ _]?code)?(?:\s*[=:]\s*|\s+)(\d{3})\b|\b(\d{3}) (?:Client|Server) Error\b|<Response \[(\d{3})\]>/gi;
const HTML_START = /<(?:!doctype\s+html|html)\b/gi;
const HTML_END = /<\/html\s*>/gi;
const HTML_LIMIT = 65536;
const TITLE = /<(?:title|h1)\b[^>]{0,200}>([^<]{0,300})/i;
const ERROR_NUMBER = /\b([45]\d\d)\b/;

export function findStatusMarkers(text: string): StatusMarker[] {
  const out: StatusMarker[] = [];
  STATUS.lastIndex = 0;
  for (let m = STATUS.exec(text); m; m = STATUS.exec(text)) {
    const status = Number(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]);
    if (status >= 100 && status <= 599) out.push({ pos: m.index, status, statusLine: m[1] !== undefined && startsLine(text, m.index) });
  }
  return out;
}

/** True when only `< ` (curl -v) or nothing precedes `pos` on its line. */
function startsLine(text: string, pos: number): boolean {
  const before = text.slice(Math.max(0, pos - 2), pos);
  return pos === 0 || before.endsWith('\n') || before === '< ' || (pos === 1 && before === '<');
}

/** HTML documents in the text, each as a hit plus its span (prose inside a page is not decoded). */
export function findHtmlPages(text: string): { hits: Hit[]; spans: Array<[number, number]> } {
  const hits: Hit[] = [];
  const spans: Array<[number, number]> = [];
  HTML_START.lastIndex = 0;
  for (let m = HTML_START.exec(text); m; m = HTML_START.exec(text)) {
    const start = m.index;
    HTML_END.lastIndex = start;
    const close = HTML_END.exec(text);
    const end = close && close.index - start < HTML_LIMIT ? close.index + close[0].length : Math.min(text.length, start + HTML_LIMIT);
    const title = TITLE.exec(text.slice(start, Math.min(end, start + 8192)));
    const n = title ? ERROR_NUMBER.exec(title[1]) : null;
    hits.push({ pos: start, source: 'http', code: 'html', takesStatus: true, status: n ? Number(n[1]) : undefined });
    spans.push([start, end]);
    HTML_START.lastIndex = end;
  }
  return { hits, spans };
}
