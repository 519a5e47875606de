/**
 * What a bug inside the decoder or the catalogue turns into: a log line and a finding that says decoding
 * failed, so neither the decode view nor the CLI can mistake it for "no error found". Built without the
 * catalogue, which may be the part that failed.
 */
import { redact } from '../redact';
import type { Finding } from './finding';

export type InternalErrorSink = (where: string, err: unknown) => void;

/** Default sink: stderr (the CLI's diagnostics, the extension host's log). */
export const reportInternalError: InternalErrorSink = (where, err) => {
  console.error(internalErrorLine(where, err));
};

/** The log line for a decoder bug (redacted, with the top of the stack). */
export function internalErrorLine(where: string, err: unknown): string {
  return `salesiq-devkit: decoding failed in ${where}: ${describe(err, true)}`;
}

/** A finding for an error the decoder could not explain; keeps the original source and code when known. */
export function decodingFailed(err: unknown, original?: Pick<Finding, 'source' | 'code'>): Finding {
  const what = original?.code != null ? ` ${original.source} error ${original.code}` : ' this text';
  return {
    source: original?.source ?? 'unknown',
    code: original?.code ?? 'decode-failed',
    httpStatus: null,
    category: 'unknown',
    action: 'contact-support',
    retryable: false,
    title: `Decoding failed: ${describe(err, false)}`,
    explanation:
      `DevKit hit an internal error while explaining${what}, so it cannot say what the error means. ` +
      'This is a bug in DevKit, not in your setup: read the original message, and report the bug with the text ' +
      '(secrets removed) and the log line that starts "salesiq-devkit: decoding failed".',
    details: { decodeFailed: describe(err, false) },
  };
}

/** True for the finding `decodingFailed` makes: the CLI exits 1 on it, as for any failed operation. */
export function isDecodingFailure(f: Finding): boolean {
  return typeof f.details?.decodeFailed === 'string';
}

function describe(err: unknown, withStack: boolean): string {
  const e = err instanceof Error ? err : undefined;
  const text = e ? `${e.name}: ${e.message}` : String(err);
  const stack = withStack && e?.stack ? `\n${redact(e.stack.split('\n').slice(1, 6).join('\n'))}` : '';
  const one = redact(text).replace(/\s+/g, ' ').trim();
  return (one.length > 160 ? `${one.slice(0, 159)}…` : one) + stack;
}
