/**
 * `salesiq-devkit`: the extension's core, headless, for scripts, CI jobs and servers.
 * The flags, exit codes and JSON words are a public contract (docs/cli-contract.md).
 */
import { systemClock } from '../core/token/clock';
import { parseArgs, UsageError } from './args';
import { readStdinBounded } from './boundedRead';
import type { CliContext as Ctx, Command } from './context';
import { EXIT, Io, printFailure } from './output';

/**
 * Each command's module is required when that command runs (esbuild turns a `require` of a bundled module into
 * a lazily run initializer), so `decode` never evaluates the push, fix or authorize code, nor the Node modules
 * they need (http, readline, child_process): the start costs what the command uses. `--help` loads them all.
 */
const COMMANDS: Record<string, () => Command> = {
  decode: () => require('./commands/decode').decode,
  status: () => require('./commands/status').status,
  refresh: () => require('./commands/refresh').refresh,
  validate: () => require('./commands/validate').validate,
  'test-transfer': () => require('./commands/testTransfer').testTransfer,
  'push-env': () => require('./commands/pushEnv').pushEnv,
  logs: () => require('./commands/logs').logs,
  fix: () => require('./commands/fix').fix,
  'keep-fresh': () => require('./commands/keepFresh').keepFresh,
  authorize: () => require('./commands/authorize').authorize,
  doctor: () => require('./commands/doctor').doctor,
};
const newContext = (...a: ConstructorParameters<typeof Ctx>): Ctx => new (require('./context') as typeof import('./context')).CliContext(...a);
const command = (name: string): Command | undefined => (Object.hasOwn(COMMANDS, name) ? COMMANDS[name]() : undefined);

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const io: Io = { stdout: (s) => process.stdout.write(`${s}\n`), stderr: (s) => process.stderr.write(`${s}\n`), json: argv.includes('--json'), secrets: new Set() };
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

function help(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c().summary}`);
  return [
    'Usage: salesiq-devkit <command> [flags]',
    '',
    'Commands:',
    ...rows,
    '',
    'Global flags: --json --profile NAME --config FILE --dc DC --accounts-url URL --salesiq-url URL --state-dir DIR',
    'Credentials come from the environment (SALESIQ_CLIENT_ID, SALESIQ_CLIENT_SECRET, SALESIQ_REFRESH_TOKEN, …) or the config file; never from flags.',
    'Exit codes: 0 success · 1 failed · 2 usage error · 3 needs the user.',
  ].join('\n');
}

const readStdin = (): Promise<string> => readStdinBounded();

if (require.main === module) {
  // Exit as soon as the command is done: an idle keep-alive socket would otherwise hold the process ~1 s.
  // Writes to pipes and files are synchronous on Linux, so nothing printed is lost.
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
