import { redact } from '../../core/redact';
import { fail } from '../../core/errors/fail';
import { UsageError } from '../args';
import type { Command } from '../context';
import { EXIT, printOk } from '../output';
import { SSH_FLAGS, serverSettings } from '../sshFlags';
import { followFleet, logsFleet } from '../fleetCommands';
import { fleetRequested, SERVER_FLAGS } from '../servers';
import { RemoteServer } from '../sshRemote';
import { cachedToken, tokenFields } from '../tokens';

/**
 * `logs [-n N] [--follow]`: the service's journal from the server, tokens masked. With --follow it streams
 * until SIGINT/SIGTERM (exit 0); with --json each followed line is one JSON object on its own line. With several
 * servers each line is prefixed with its server (`[staging] …`; JSON: `server`).
 */
export const logs: Command = {
  summary: "prints the service's recent journal lines from the server",
  flags: { values: [...SSH_FLAGS.values, ...SERVER_FLAGS.values, '-n'], switches: [...SSH_FLAGS.switches, ...SERVER_FLAGS.switches, '--follow'] },
  async run(ctx) {
    const n = lineCount(ctx.parsed.values['-n']);
    if (fleetRequested(ctx)) {
      const cached = await cachedToken(ctx).catch(() => undefined);
      const secrets = cached ? [cached.accessToken] : [];
      return ctx.parsed.switches.has('--follow') ? followFleet(ctx, n, secrets) : logsFleet(ctx, n, secrets);
    }
    const s = serverSettings(ctx);
    const cached = await cachedToken(ctx).catch(() => undefined);
    const secrets = cached ? [cached.accessToken] : [];
    const remote = new RemoteServer(s, ctx.signal);
    try {
      if (!ctx.parsed.switches.has('--follow')) {
        const lines = await remote.journal(n, secrets);
        return printOk(ctx.io, { ...tokenFields(ctx, cached), host: s.host, service: s.service, journal: lines }, lines.length ? lines.join('\n') : `-- no journal lines for ${s.service} --`);
      }
      const print = (line: string) =>
        ctx.io.stdout(redact(ctx.io.json ? JSON.stringify({ service: s.service, line }) : line, [...ctx.io.secrets, ...secrets]));
      const end = await remote.follow(n, print, ctx.signal);
      if (end === 'connection-lost') throw fail('ssh', 'connection-lost', { host: s.host, step: 'logs --follow' });
      return EXIT.ok;
    } finally {
      remote.close();
    }
  },
};

function lineCount(given: string | undefined): number {
  if (given === undefined) return 20;
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UsageError(`-n must be a whole number from 1 to 10000 (got "${given}")`);
  return n;
}
