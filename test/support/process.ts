/**
 * Running a program as a test's user would: its stdout and stderr collected, its exit code, stdout parsed as
 * JSON when it is JSON, and a time bound that kills it, so a hang fails the test instead of stalling the suite.
 */
import { spawn, type ChildProcessWithoutNullStreams, type SpawnOptionsWithoutStdio } from 'node:child_process';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

export type RunOptions = SpawnOptionsWithoutStdio & { label: string; timeoutMs: number };

export interface Started {
  child: ChildProcessWithoutNullStreams;
  /** Everything written to stderr so far (for a test that waits for a line while the program runs). */
  stderr(): string;
  done: Promise<ProcessResult>;
}

/** Starts `file` with `args`; `label` names it in the timeout error. stdin stays open for the caller. */
export function startProcess(file: string, args: string[], opts: RunOptions): Started {
  const { label, timeoutMs, ...spawnOpts } = opts;
  const child = spawn(file, args, spawnOpts);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // A child that exits before reading its stdin must not fail the test with EPIPE.
  child.stdin.on('error', () => undefined);
  const done = new Promise<ProcessResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, json: parseJson(stdout) });
    });
  });
  return { child, stderr: () => stderr, done };
}

/** Runs `file` to its end with `stdin` as its whole input. */
export function runProcess(file: string, args: string[], stdin: string, opts: RunOptions): Promise<ProcessResult> {
  const p = startProcess(file, args, opts);
  p.child.stdin.end(stdin);
  return p.done;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
