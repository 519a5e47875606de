/**
 * The built CLI as a long-running process (keep-fresh, logs --follow): stdout lines as they come, stderr, a
 * bounded wait for what a test expects, a signal and the exit.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI } from '../cli/run';

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export class RunningCli {
  readonly lines: string[] = [];
  stderr = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<Exit>;
  private partial = '';

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => {
      const parts = (this.partial + d.toString()).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Polls `done` until it holds; past `timeoutMs` the process is killed and the test fails with its output. */
  async waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > until) {
        this.child.kill('SIGKILL');
        assert.fail(`timed out waiting for ${what}; stdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The signal, then the exit. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    this.child.kill(signal);
    return this.exit();
  }

  /** The exit; SIGKILL (seen as signal SIGKILL, never as success) if it has not come within 15 s. */
  async exit(): Promise<Exit> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  json(): Array<Record<string, any>> {
    return this.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  }
}
