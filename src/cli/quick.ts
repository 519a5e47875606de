/**
 * The CLI's quick entry (dist/cli-quick.js): `status` and `decode` only, so these two start without reading
 * and compiling the whole CLI (dist/cli-main.js, ~8× the size). Anything else — another command, `--help`, a
 * usage error — goes to the full CLI untouched: nothing is printed here first, and the full CLI parses the
 * words again, so its answer is exactly the one it always gives.
 */
import { parseArgs } from './args';
import type { Command } from './context';
import { runCli } from './runCli';

const QUICK: Record<string, () => Command> = {
  decode: () => require('./commands/decode').decode,
  status: () => require('./commands/status').status,
};

const command = (name: string): Command | undefined => (Object.hasOwn(QUICK, name) ? QUICK[name]() : undefined);

type Main = (argv: string[], env?: NodeJS.ProcessEnv) => Promise<number>;

/** `full` loads the full CLI (the bin's loader, with its compile cache). */
export function main(argv: string[], env: NodeJS.ProcessEnv, full: () => { main: Main }): Promise<number> {
  return quickCommand(argv) ? runCli(argv, env, command, () => '') : full().main(argv, env);
}

/** The command when it is one of the quick ones, given without --help/-h and parsed without error; else undefined. */
export function quickCommand(argv: string[]): string | undefined {
  try {
    const p = parseArgs(argv, (c) => command(c)?.flags);
    return p.command && !p.switches.has('--help') && !p.switches.has('-h') ? p.command : undefined;
  } catch {
    return undefined;
  }
}
