/**
 * Changes one key in a `.env` file and leaves every other byte alone (docs/systemd-sudo.md §4 and
 * docs/vscode.md §7, modelled on python-dotenv's set_key).
 *
 * The file is handled as latin1 text: each byte maps to exactly one char and back, so invalid UTF-8, a BOM and
 * mixed line endings survive untouched; the only bytes we produce are ASCII (key and a validated value).
 */
import { redact } from '../redact';

export interface SetEnvKeyResult {
  content: Buffer;
  /** How many assignments of the key were rewritten (duplicates count each). */
  replaced: number;
  appended: boolean;
  /** The file uses CRLF line endings (a service may keep the `\r` in the value: warn). */
  crlf: boolean;
}

/** Shell-style names only: a `.` or `-` in a key is read differently by a shell, systemd and the dotenv parsers. */
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_KEY = 128;
/** Token-ish characters only: no quotes, `$`, `\`, `#`, spaces, `;&|<>()` or anything a shell/dotenv reads specially. */
const SAFE_VALUE = /^[A-Za-z0-9._~+/=:@%,-]+$/;
const MAX_VALUE = 4096;

/** Why the value cannot be written safely, or undefined if it can. */
export function validateEnvValue(value: string): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'the value is empty';
  if (value.length > MAX_VALUE) return `the value is longer than ${MAX_VALUE} characters`;
  if (/[\r\n]/.test(value)) return 'the value contains a line break';
  if (/\p{Cc}/u.test(value)) return 'the value contains a control character';
  if (!SAFE_VALUE.test(value)) {
    const bad = [...value].find((c) => !SAFE_VALUE.test(c)) ?? '?';
    return `the value contains the character ${JSON.stringify(bad)}, which a shell or .env parser would treat specially`;
  }
  return undefined;
}

export function validateEnvKey(key: string): string | undefined {
  if (typeof key !== 'string' || key === '') return 'the key is empty';
  if (key.length > MAX_KEY) return `the key is longer than ${MAX_KEY} characters`;
  return KEY.test(key) ? undefined : `${JSON.stringify(key)} is not a variable name (letters, digits and _, not starting with a digit)`;
}

/** An empty value blanks the key (the .env import offers that); pushing a token refuses empty values itself. */
export function setEnvKey(original: Buffer, key: string, value: string): SetEnvKeyResult {
  const problem = validateEnvKey(key) ?? (value === '' ? undefined : validateEnvValue(value));
  if (problem) throw new RangeError(`Refusing to write ${key}: ${problem}.`);

  const text = original.toString('latin1');
  const crlf = usesCrlf(text);
  const eol = crlf ? '\r\n' : '\n';
  const lines = splitLines(text);
  const out: string[] = [];
  let replaced = 0;

  for (const entry of entries(lines)) {
    const raw = entry.lines.join('');
    if (entry.assignment?.key === key) {
      out.push(rewrite(entry.assignment, entry.lines, value));
      replaced++;
    } else {
      out.push(raw);
    }
  }

  let result = out.join('');
  const appended = replaced === 0;
  if (appended) {
    const body = result.startsWith(BOM_LATIN1) ? result.slice(BOM_LATIN1.length) : result;
    if (body.length > 0 && !result.endsWith('\n')) result += eol;
    result += `${key}=${value}${eol}`;
  }
  return { content: Buffer.from(result, 'latin1'), replaced, appended, crlf };
}

/** The value dotenv would load for `key` (last assignment wins), or undefined if the key is absent. */
export function readEnvKey(content: Buffer | string, key: string): string | undefined {
  const text = typeof content === 'string' ? content : content.toString('utf8');
  let found: string | undefined;
  for (const entry of entries(splitLines(text))) {
    if (entry.assignment?.key === key) found = decodeValue(entry.assignment, entry.lines);
  }
  return found;
}

/**
 * A short line diff for a confirmation prompt: changed lines only (no context, so other secrets in the file
 * stay off screen), each masked with `redact` plus the given secrets.
 */
export function maskedDiff(oldBuf: Buffer, newBuf: Buffer, secrets: Iterable<string> = [], name = '.env'): string {
  const known = [...secrets].filter(Boolean);
  const a = splitLines(oldBuf.toString('utf8')).map(stripEol);
  const b = splitLines(newBuf.toString('utf8')).map(stripEol);
  const hunks = diffLines(a, b);
  if (hunks.length === 0) return `${name}: no change`;
  const mask = (l: string) => redact(l, known);
  const out = [`--- ${name} (current)`, `+++ ${name} (new)`];
  for (const h of hunks) {
    out.push(`@@ -${h.aStart + 1},${h.removed.length} +${h.bStart + 1},${h.added.length} @@`);
    for (const l of h.removed) out.push(`-${mask(l)}`);
    for (const l of h.added) out.push(`+${mask(l)}`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------

/** A UTF-8 BOM as it reads when decoded as latin1, and as it reads when decoded as UTF-8. */
const BOM_LATIN1 = '\u00ef\u00bb\u00bf';
const BOM_UTF8 = '\ufeff';

interface Assignment {
  key: string;
  /** Index in the first line where the value text starts (after `=` and any spaces). */
  valueStart: number;
  quote: '' | '"' | "'" | '`';
  /** Line index (within the entry) and column where the value (including the closing quote) ends. */
  endLine: number;
  endCol: number;
}

interface Entry {
  lines: string[];
  assignment?: Assignment;
}

// `export ` prefix, key, then `=` (spaces allowed around it) or dotenv's `KEY: value`.
const ASSIGN = /^([ \t]*(?:export[ \t]+)?)([A-Za-z_][A-Za-z0-9_.-]*)([ \t]*=[ \t]*|:[ \t]+)/;

function usesCrlf(text: string): boolean {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length;
  return crlf > 0 && crlf * 2 >= lf;
}

/** Lines with their own terminators kept (so joining gives the exact input back). */
function splitLines(text: string): string[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return lines;
}

function stripEol(l: string): string {
  return l.replace(/\r?\n$/, '');
}

/** Groups lines into entries; a quoted value that does not close on its line runs on (dotenv ≥ 15). */
function* entries(lines: string[]): Generator<Entry> {
  for (let i = 0; i < lines.length; i++) {
    const first = i === 0 ? stripBom(lines[i]) : lines[i];
    const offset = lines[i].length - first.length;
    const m = ASSIGN.exec(first);
    if (!m) {
      yield { lines: [lines[i]] };
      continue;
    }
    const valueStart = offset + m[0].length;
    const q = lines[i][valueStart];
    const quote = q === '"' || q === "'" || q === '`' ? q : '';
    if (!quote) {
      yield { lines: [lines[i]], assignment: { key: m[2], valueStart, quote, endLine: 0, endCol: unquotedEnd(lines[i], valueStart) } };
      continue;
    }
    // Find the closing quote, possibly on a later line; an unclosed quote is treated as a one-line value.
    let j = i;
    let col = closingQuote(lines[i], valueStart + 1, quote);
    while (col < 0 && j + 1 < lines.length) {
      j++;
      col = closingQuote(lines[j], 0, quote);
    }
    if (col < 0) {
      yield { lines: [lines[i]], assignment: { key: m[2], valueStart, quote: '', endLine: 0, endCol: unquotedEnd(lines[i], valueStart) } };
      continue;
    }
    yield { lines: lines.slice(i, j + 1), assignment: { key: m[2], valueStart, quote, endLine: j - i, endCol: col + 1 } };
    i = j;
  }
}

function stripBom(line: string): string {
  if (line.startsWith(BOM_LATIN1)) return line.slice(BOM_LATIN1.length);
  if (line.startsWith(BOM_UTF8)) return line.slice(1);
  return line;
}

/** Index of the closing quote at or after `from`, honouring backslash escapes inside double quotes. */
function closingQuote(line: string, from: number, quote: string): number {
  for (let k = from; k < line.length; k++) {
    if (line[k] === '\\' && quote === '"') {
      k++;
      continue;
    }
    if (line[k] === quote) return k;
  }
  return -1;
}

/** An unquoted value ends before ` #comment` (or is empty if a comment follows `=`), trailing blanks, or the line end. */
function unquotedEnd(line: string, start: number): number {
  const body = stripEol(line);
  const hash = /(?:^|[ \t])#/.exec(body.slice(start));
  const end = hash ? start + hash.index : body.length;
  let e = end;
  while (e > start && (body[e - 1] === ' ' || body[e - 1] === '\t')) e--;
  return e;
}

function rewrite(a: Assignment, lines: string[], value: string): string {
  const head = lines[0].slice(0, a.valueStart);
  let tail = lines[a.endLine].slice(a.endCol);
  if (tail.startsWith('#')) tail = ` ${tail}`; // `KEY= #note` had an empty value: keep the comment a comment
  return `${head}${a.quote}${value}${a.quote}${tail}`;
}

function decodeValue(a: Assignment, lines: string[]): string {
  if (!a.quote) return stripEol(lines[0]).slice(a.valueStart, a.endCol);
  const joined = a.endLine === 0
    ? lines[0].slice(a.valueStart + 1, a.endCol - 1)
    : [lines[0].slice(a.valueStart + 1), ...lines.slice(1, a.endLine), lines[a.endLine].slice(0, a.endCol - 1)].join('');
  const v = joined.replace(/\r\n/g, '\n');
  if (a.quote !== '"') return v;
  return v.replace(/\\([nr"\\])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

interface Hunk {
  aStart: number;
  bStart: number;
  removed: string[];
  added: string[];
}

/** Line diff via LCS (files are small); falls back to one prefix/suffix hunk for very large inputs. */
function diffLines(a: string[], b: string[]): Hunk[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  if (am.length === 0 && bm.length === 0) return [];
  if (am.length * bm.length > 4_000_000) return [{ aStart: pre, bStart: pre, removed: am, added: bm }];

  // lcs[i][j] = LCS length of am[i..] and bm[j..]
  const lcs: number[][] = Array.from({ length: am.length + 1 }, () => new Array<number>(bm.length + 1).fill(0));
  for (let i = am.length - 1; i >= 0; i--) {
    for (let j = bm.length - 1; j >= 0; j--) {
      lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const hunks: Hunk[] = [];
  let cur: Hunk | undefined;
  let i = 0;
  let j = 0;
  const open = () => (cur ??= { aStart: pre + i, bStart: pre + j, removed: [], added: [] });
  while (i < am.length || j < bm.length) {
    if (i < am.length && j < bm.length && am[i] === bm[j]) {
      if (cur) hunks.push(cur);
      cur = undefined;
      i++;
      j++;
    } else if (j < bm.length && (i === am.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
      open().added.push(bm[j++]);
    } else {
      open().removed.push(am[i++]);
    }
  }
  if (cur) hunks.push(cur);
  return hunks;
}
