/**
 * `salesiq-devkit`: the extension's core, headless, for scripts, CI jobs and servers.
 * The flags, exit codes and JSON words are a public contract (docs/cli-contract.md).
 */
import type { Command } from './context';
import { runCli } from './runCli';

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
const command = (name: string): Command | undefined => (Object.hasOwn(COMMANDS, name) ? COMMANDS[name]() : undefined);

export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCli(argv, env, command, help);
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

if (require.main === module) {
  // Exit as soon as the command is done: an idle keep-alive socket would otherwise hold the process ~1 s.
  // Every line the CLI prints is written whole before it returns (writeLine in src/cli/output.ts), so none is lost.
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
