/**
 * One CLI run, whichever command table serves it: the full CLI (main.ts) or the quick entry for `status` and
 * `decode` (quick.ts). Flags, exit codes and JSON words are the contract's (docs/cli-contract.md).
 */
import { systemClock } from '../core/token/clock';
import { parseArgs, UsageError } from './args';
import { readStdinBounded } from './boundedRead';
import type { CliContext as Ctx, Command } from './context';
import { EXIT, Io, printFailure, writeLine } from './output';

const newContext = (...a: ConstructorParameters<typeof Ctx>): Ctx => new (require('./context') as typeof import('./context')).CliContext(...a);

/** Parses `argv`, prints help when asked, runs the command and maps what it threw to the contract's exit codes. */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  command: (name: string) => Command | undefined,
  help: () => string,
): Promise<number> {
  const io: Io = { stdout: (s) => writeLine(1, s), stderr: (s) => writeLine(2, s), json: argv.includes('--json'), secrets: new Set() };
  let parsed;
  try {
    parsed = parseArgs(argv, (c) => command(c)?.flags);
  } catch (e) {
    return usage(io, e);
  }
  if (parsed.switches.has('--help') || parsed.switches.has('-h') || !parsed.command) {
    io.stdout(help());
    return parsed.command || parsed.switches.size ? EXIT.ok : EXIT.usage;
  }
  const abort = new AbortController();
  const stop = () => abort.abort(new Error('stopped by signal'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const ctx = newContext(parsed, env, io, systemClock, abort.signal, readStdin);
    return await command(parsed.command)!.run(ctx);
  } catch (e) {
    return e instanceof UsageError ? usage(io, e) : printFailure(io, e);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function usage(io: Io, e: unknown): number {
  io.stderr(`salesiq-devkit: ${(e as Error).message}\nRun "salesiq-devkit --help" for usage.`);
  return EXIT.usage;
}

const readStdin = (): Promise<string> => readStdinBounded();
