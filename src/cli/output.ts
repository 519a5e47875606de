/**
 * How results leave the CLI: one JSON document on stdout with --json, short human text otherwise, and the
 * contract's exit codes: 0 ok · 1 failed · 2 usage · 3 needs the user.
 */
// Plain requires (`import x = require()`): esbuild copies every export of a namespace import (`import * as`) at start.
import fs = require('fs');
import { isDevKitError } from '../core/errors/devkitError';
import type { Finding } from '../core/errors/finding';
import type * as Format from '../core/errors/format';
import { redact } from '../core/redact';

export const EXIT = { ok: 0, failed: 1, usage: 2, needsUser: 3 } as const;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  json: boolean;
  /** Secrets seen this run, masked in every line printed. */
  secrets: Set<string>;
}

/** Findings a person must act on before a retry can help: re-authorize, trust a host, fix or add a setting. */
export function exitCodeFor(f: Finding): number {
  if (f.retryable) return EXIT.failed;
  return f.action === 'reauthorize' || f.action === 'trust-host' || f.action === 'fix-config' ? EXIT.needsUser : EXIT.failed;
}

/**
 * One line to stdout (fd 1) or stderr (fd 2), written to the descriptor itself and whole before this returns:
 * the first use of process.stdout on a pipe builds a net.Socket (loading net and stream), a tenth of a CLI
 * start for one line, and its writes to a pipe that is full are queued, so the bin's process.exit would drop
 * them. A descriptor that is non-blocking (EAGAIN: the reader is behind) is waited on, as a blocking write
 * waits; one that fails otherwise (EPIPE, …) is handed to Node's stream from then on, which behaves as before.
 */
export function writeLine(fd: 1 | 2, line: string): void {
  let buf = Buffer.from(`${line}\n`);
  if (!viaStream.has(fd)) {
    for (;;) {
      try {
        while (buf.length) buf = buf.subarray(fs.writeSync(fd, buf));
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') break;
        Atomics.wait(pause, 0, 0, 1);
      }
    }
    viaStream.add(fd);
  }
  (fd === 1 ? process.stdout : process.stderr).write(buf);
}

const viaStream = new Set<number>();
/** Atomics.wait on it sleeps the thread for a millisecond (nothing ever notifies it). */
const pause = new Int32Array(new SharedArrayBuffer(4));

export function printOk(io: Io, fields: Record<string, unknown>, human: string): number {
  if (io.json) io.stdout(JSON.stringify({ ok: true, ...fields }, null, 2));
  else io.stdout(redact(human, io.secrets));
  return EXIT.ok;
}

/**
 * `new Date(ms).toISOString()` from the UTC fields: V8's toISOString looks up the local time zone on its first
 * call (reading /etc/localtime and the zone files), about a millisecond of a CLI start for a UTC text. Years
 * outside 0–9999 and invalid times get toISOString's own answer.
 */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (!(y >= 0 && y <= 9999)) return d.toISOString();
  const p = (n: number, width = 2) => String(n).padStart(width, '0');
  const date = `${p(y, 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  return `${date}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}Z`;
}

/** The contract's `error` object of a failed command (also each failed server's, with several servers). */
export function errorObject(f: Finding): Record<string, unknown> {
  const { category, action, code, title, explanation, details } = f;
  return { category, action, code, title, explanation, ...(details ? { details } : {}) };
}

export function printFailure(io: Io, e: unknown): number {
  const f = toFinding(e);
  if (io.json) {
    io.stdout(redact(JSON.stringify({ ok: false, error: errorObject(f) }, null, 2), io.secrets));
  } else {
    // The catalogue behind the text is loaded only when a command fails (status never needs it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { formatFindingText } = require('../core/errors/format') as typeof Format;
    io.stderr(redact(formatFindingText(f), io.secrets));
  }
  return exitCodeFor(f);
}

function toFinding(e: unknown): Finding {
  if (isDevKitError(e)) return e.finding;
  const message = e instanceof Error ? e.message : String(e);
  return { source: 'unknown', code: null, httpStatus: null, category: 'unknown', action: 'none', retryable: false, title: 'Unexpected error.', explanation: message };
}
