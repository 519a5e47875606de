/**
 * Several DevKit instances as separate machines: each a CLI process with its own --state-dir, the same client and
 * refresh token, the same hub. Output is collected line by line so a test can wait (bounded) for what it expects.
 */
import { type ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { StoredToken } from '../../src/core/token/tokenManager';
import { CLI } from '../cli/run';
import { SANDBOX_DEFAULTS, type ZohoSandbox } from '../sandbox/zohoSandbox';
import type { RedisFixture } from './redisFixture';

const USER = SANDBOX_DEFAULTS.user;

export function teamEnv(redis: RedisFixture | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SALESIQ_CLIENT_ID: USER.clientId,
    SALESIQ_CLIENT_SECRET: USER.clientSecret,
    SALESIQ_REFRESH_TOKEN: USER.refreshTokens[0],
    ...(redis ? { SALESIQ_HUB_PASSWORD: redis.userPassword } : {}),
    ...extra,
  };
}

export function machineFlags(sandbox: ZohoSandbox, stateDir: string, redis?: RedisFixture): string[] {
  return ['--dc', 'in', '--accounts-url', sandbox.accountsUrlTemplate, '--salesiq-url', sandbox.salesiqUrlTemplate, '--state-dir', stateDir, ...(redis ? ['--hub', redis.url] : [])];
}

export function newStateDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-machine-'));
}

export function cachedToken(stateDir: string): StoredToken | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(stateDir, 'token-default.json'), 'utf8')) as StoredToken;
  } catch {
    return undefined;
  }
}

/** A long-running `keep-fresh` (one machine). */
export class Machine {
  readonly lines: string[] = [];
  stderr = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly stateDir: string,
    args: string[],
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: stateDir, ...env } as NodeJS.ProcessEnv,
    });
    let buf = '';
    this.child.stdout!.on('data', (d) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      this.lines.push(...parts);
      this.notify();
    });
    this.child.stderr!.on('data', (d) => {
      this.stderr += d;
      this.notify();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the first line (stdout, or stderr when `stderr` is set) matching, or rejects after `ms`. */
  waitFor(re: RegExp, ms: number, from = 0, stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hay = stream === 'stdout' ? this.lines.slice(from) : this.stderr.split('\n');
        const hit = hay.find((l) => re.test(l));
        if (hit === undefined) return false;
        clearTimeout(timer);
        this.waiters.delete(onChange);
        resolve(hit);
        return true;
      };
      const onChange = () => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(onChange);
        reject(new Error(`${this.name}: no ${stream} line matching ${re} within ${ms} ms; stdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`));
      }, ms);
      if (!check()) this.waiters.add(onChange);
    });
  }

  token(): StoredToken | undefined {
    return cachedToken(this.stateDir);
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

export function keepFresh(
  name: string,
  sandbox: ZohoSandbox,
  redis: RedisFixture | undefined,
  marginMin: number,
  extraEnv: Record<string, string> = {},
): Machine {
  const dir = newStateDir();
  return new Machine(name, dir, ['keep-fresh', '--json', '--margin-minutes', String(marginMin), ...machineFlags(sandbox, dir, redis)], teamEnv(redis, extraEnv));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
