import * as path from 'path';
import { runProcess, type ProcessResult } from '../support/process';

export const CLI = path.resolve(__dirname, '../../../dist/cli.js');

export type CliResult = ProcessResult;

/** Runs the built CLI as a user's script would; bounded by a timeout so a hang fails the test. */
export function runCli(args: string[], env: Record<string, string | undefined>, stdin = '', timeoutMs = 20_000): Promise<CliResult> {
  const childEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv;
  return runProcess(process.execPath, [CLI, ...args], stdin, { env: childEnv, label: `salesiq-devkit ${args.join(' ')}`, timeoutMs });
}
