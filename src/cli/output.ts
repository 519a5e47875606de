/**
 * How results leave the CLI: one JSON document on stdout with --json, short human text otherwise, and the
 * contract's exit codes: 0 ok · 1 failed · 2 usage · 3 needs the user.
 */
import { isDevKitError } from '../core/errors/devkitError';
import type { Finding } from '../core/errors/finding';
import { formatFindingText } from '../core/errors/format';
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

export function printOk(io: Io, fields: Record<string, unknown>, human: string): number {
  if (io.json) io.stdout(JSON.stringify({ ok: true, ...fields }, null, 2));
  else io.stdout(redact(human, io.secrets));
  return EXIT.ok;
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
    io.stderr(redact(formatFindingText(f), io.secrets));
  }
  return exitCodeFor(f);
}

function toFinding(e: unknown): Finding {
  if (isDevKitError(e)) return e.finding;
  const message = e instanceof Error ? e.message : String(e);
  return { source: 'unknown', code: null, httpStatus: null, category: 'unknown', action: 'none', retryable: false, title: 'Unexpected error.', explanation: message };
}
