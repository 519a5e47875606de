import * as fs from 'fs';
import { decodeText } from '../../core/errors/decode';
import { formatFindingText } from '../../core/errors/format';
import { internalErrorLine, isDecodingFailure } from '../../core/errors/internal';
import { redact } from '../../core/redact';
import { UsageError } from '../args';
import type { Command } from '../context';

/** `decode [FILE|-]`: every error found in the text, decoded; exit 0 whether or not errors were found, 1 if decoding failed. */
export const decode: Command = {
  summary: 'decodes every error found in the text (default stdin)',
  flags: { values: [], switches: [] },
  async run(ctx) {
    const [file, ...rest] = ctx.parsed.positionals;
    if (rest.length) throw new UsageError('decode takes one FILE (or - for stdin)');
    const text = !file || file === '-' ? await ctx.readStdin() : readFile(file);
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

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
