import { decodeText } from '../../core/errors/decode';
import { formatFindingText } from '../../core/errors/format';
import { internalErrorLine, isDecodingFailure } from '../../core/errors/internal';
import { redact } from '../../core/redact';
import { UsageError } from '../args';
import { BoundedReadError, readBoundedFile, INPUT_MAX_BYTES } from '../boundedRead';
import type { Command } from '../context';

/** `decode [FILE|-]`: every error found in the text, decoded; exit 0 whether or not errors were found, 1 if decoding failed. */
export const decode: Command = {
  summary: 'decodes every error found in the text (default stdin)',
  flags: { values: [], switches: [] },
  async run(ctx) {
    const [file, ...rest] = ctx.parsed.positionals;
    if (rest.length) throw new UsageError('decode takes one FILE (or - for stdin)');
    const text = await withFix(() => (!file || file === '-' ? ctx.readStdin() : readBoundedFile(file, INPUT_MAX_BYTES).toString('utf8')));
    // Evidence from the profile: the cached token's expiry (for 1001/1008) and the data centre in use.
    const token = await ctx.state.tokenStore(ctx.profile.name, undefined).readToken().catch(() => undefined);
    const findings = decodeText(text, {
      now: ctx.clock.now(),
      dataCenter: ctx.profile.dataCenter,
      token: token && { expiresAt: token.expiresAt, accessToken: token.accessToken },
      onInternalError: (where, err) => ctx.io.stderr(redact(internalErrorLine(where, err), ctx.io.secrets)),
    });
    if (ctx.io.json) {
      ctx.io.stdout(JSON.stringify({ findings: findings.map(({ details: _d, ...f }) => f) }, null, 2));
    } else if (!findings.length) {
      ctx.io.stdout('No error found.');
    } else {
      ctx.io.stdout(redact(findings.map(formatFindingText).join('\n\n'), ctx.io.secrets));
    }
    return findings.some(isDecodingFailure) ? 1 : 0;
  },
};

/** A refused read, with what to do instead: decode wants the part of a log around the error, as a file or a pipe. */
async function withFix(read: () => string | Promise<string>): Promise<string> {
  try {
    return await read();
  } catch (e) {
    if (!(e instanceof BoundedReadError)) throw e;
    const fix: Record<string, string> = {
      'not-a-file': 'name a log file, or pipe the text in: ... | salesiq-devkit decode -',
      'too-large': 'decode the part around the error, e.g. tail -n 5000 app.log | salesiq-devkit decode -',
      timeout: 'pipe the text in (... | salesiq-devkit decode -) or name a FILE; in a terminal, end the input with Ctrl-D',
      unreadable: 'check the path and its permissions',
    };
    throw new UsageError(`decode: ${e.message}: ${fix[e.refusal]}`);
  }
}
