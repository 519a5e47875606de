/** Runs the CLI the way the contract says scripts do: the executable bin itself, never `node dist/cli.js`. */
import { spawn } from 'node:child_process';
import { CLI, type CliResult } from '../cli/run';

export function runBin(args: string[], env: Record<string, string | undefined>, stdin = '', timeoutMs = 45_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, args, { env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`salesiq-devkit ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}

/** Waits for `cond` with a bound; false if it never held. */
export async function until(cond: () => boolean, ms = 10_000, step = 50): Promise<boolean> {
  for (let waited = 0; waited <= ms; waited += step) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, step));
  }
  return cond();
}
