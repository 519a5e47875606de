/** Runs the CLI the way the contract says scripts do: the executable bin itself, never `node dist/cli.js`. */
import { runProcess } from '../support/process';
import { CLI, type CliResult } from '../cli/run';

export function runBin(args: string[], env: Record<string, string | undefined>, stdin = '', timeoutMs = 45_000): Promise<CliResult> {
  return runProcess(CLI, args, stdin, { env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv, label: `salesiq-devkit ${args.join(' ')}`, timeoutMs });
}

/** Waits for `cond` with a bound; false if it never held. */
export async function until(cond: () => boolean, ms = 10_000, step = 50): Promise<boolean> {
  for (let waited = 0; waited <= ms; waited += step) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, step));
  }
  return cond();
}
