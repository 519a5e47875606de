/**
 * TypeScript handle on the private OpenSSH test server made by setup.sh (root only). Tests reach the server
 * through real SSH; the helpers here act directly on the files as root (to set up a case or check a result).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { ConnectOptions } from '../../src/core/ssh/connectOptions';

const run = promisify(execFile);

export type FixtureSudoMode = 'nopasswd' | 'password' | 'narrow' | 'requiretty' | 'none';
export type FaultMode = 'none' | 'restart-fail' | 'crash' | `crash ${number}` | `delay ${number}`;
/** How the unit finds the .env: EnvironmentFile= it, its WorkingDirectory (the app reads it), or another file. */
export type EnvMode = 'envfile' | 'workdir' | `other ${string}`;

interface State {
  dir: string;
  host: string;
  port: number;
  user: string;
  group: string;
  home: string;
  password: string;
  passphrase: string;
  service: string;
  envPath: string;
  initialEnvPath: string;
  keys: { plain: string; encrypted: string; agentOnly: string; stranger: string };
  agentSocket: string;
  knownHosts: string;
  knownHostsHashed: string;
  fingerprints: { ed25519: string; ecdsa: string };
  sudoLog: string;
  sshdLog: string;
  sudoersDir: string;
  dropin: string;
  svcDir: string;
  fakebin: string;
}

export interface SshdFixture extends Omit<State, 'knownHosts' | 'knownHostsHashed' | 'sudoLog' | 'sshdLog'> {
  sudoLogPath: string;
  sshdLogPath: string;
  /** known_hosts text from `ssh-keyscan` (plain) and `ssh-keyscan -H` (hashed), both host keys. */
  knownHostsText: string;
  knownHostsHashedText: string;
  knownHostsPath: string;
  /** Plain key + plain known_hosts: the usual way in. */
  connectOptions(extra?: Partial<ConnectOptions>): ConnectOptions;
  setSudoMode(mode: FixtureSudoMode): void;
  setFault(mode: FaultMode): void;
  setEnvMode(mode: EnvMode): void;
  serviceState(): string;
  /** The running service's PID (0 when none), as the fake systemd knows it. */
  mainPid(): number;
  /** The running service's environment (/proc/<pid>/environ), read as root; empty when not running. */
  serviceEnv(): Record<string, string>;
  /** Puts the .env back (or the given bytes) as root:<group> 0640 and removes backups and temp files. */
  resetEnv(content?: Buffer | string): void;
  readEnv(): Buffer;
  envStat(): fs.Stats;
  /** Names in the app directory (backups, temp files). */
  appDirEntries(): string[];
  backups(): string[];
  sudoLog(): string;
  sshdLog(): string;
  callsLog(): string;
  journalLog(): string;
  /** PIDs of the sshd processes serving the test user's connections (the root monitor and the user's child). */
  sessionPids(): number[];
  /**
   * Cuts connections from the server side, as a crashed sshd or a network drop would: SIGKILL to the sshd
   * processes of the test user's connections that are not in `keep`. Returns the PIDs killed.
   */
  cutSessions(keep?: number[]): number[];
  /** PIDs of the processes whose command line contains `marker` (e.g. a remote script name), as root sees them. */
  processesWith(marker: string): number[];
  /**
   * Takes the lock a DevKit read takes (a shared flock on the .env's directory) until release() is called, or
   * 60 s: reads go on, a write waits for it after making its temp file, as behind a slow reader.
   */
  holdReadLock(): Promise<{ release(): void }>;
  /** A ~/.bashrc that prints before its interactivity check (on) or Debian's default (off). */
  setNoisyShell(on: boolean): void;
  stop(): Promise<void>;
  /** For signal handlers, where nothing asynchronous runs any more. */
  stopSync(): void;
}

/** Every process with its command line (zombies have none and are left out). */
function processes(): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const c = fs.readFileSync(`/proc/${name}/cmdline`);
      if (c.length) out.push({ pid: Number(name), cmd: c.toString('utf8').split('\0').join(' ').trim() });
    } catch {
      /* ended meanwhile */
    }
  }
  return out;
}

export function repoRoot(): string {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json'))) {
    const up = path.dirname(d);
    if (up === d) throw new Error('package.json not found above ' + __dirname);
    d = up;
  }
  return d;
}

export async function startSshd(): Promise<SshdFixture> {
  if (process.getuid?.() !== 0) throw new Error('The SSH test server needs root (it creates a user, sudoers rules and an sshd).');
  const scripts = path.join(repoRoot(), 'test', 'sshd');
  const { stdout } = await run('bash', [path.join(scripts, 'setup.sh')], { timeout: 120_000 });
  const dir = stdout.trim().split('\n').pop()!;
  const s = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as State;
  const groupId = Number(/^[^:]+:[^:]*:(\d+):/.exec(fs.readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith(`${s.group}:`)) ?? '')?.[1]);
  const appDir = path.dirname(s.envPath);
  const bashrc = path.join(s.home, '.bashrc');
  const defaultBashrc = fs.readFileSync(bashrc);
  const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : '');
  const { knownHosts, knownHostsHashed, sudoLog, sshdLog, ...rest } = s;

  return {
    ...rest,
    sudoLogPath: sudoLog,
    sshdLogPath: sshdLog,
    knownHostsText: read(knownHosts),
    knownHostsHashedText: read(knownHostsHashed),
    knownHostsPath: knownHosts,
    connectOptions: (extra = {}) => ({
      host: s.host,
      port: s.port,
      username: s.user,
      privateKey: fs.readFileSync(s.keys.plain),
      knownHostsText: read(knownHosts),
      readyTimeoutMs: 10_000,
      ...extra,
    }),
    setSudoMode(mode) {
      if (mode === 'none') {
        fs.rmSync(s.dropin, { force: true });
        return;
      }
      // sudo ignores names with a dot, so the temp file is never read half-written; rename is atomic.
      const tmp = `${s.dropin}.tmp`;
      fs.copyFileSync(path.join(s.sudoersDir, mode), tmp);
      fs.chmodSync(tmp, 0o440);
      fs.renameSync(tmp, s.dropin);
    },
    setFault(mode) {
      fs.writeFileSync(path.join(s.svcDir, 'fault'), `${mode}\n`);
    },
    setEnvMode(mode) {
      fs.writeFileSync(path.join(s.svcDir, 'envmode'), `${mode}\n`);
    },
    serviceState: () => read(path.join(s.svcDir, 'state')).trim(),
    mainPid: () => Number(read(path.join(s.svcDir, 'pid')).trim()) || 0,
    serviceEnv() {
      const pid = Number(read(path.join(s.svcDir, 'pid')).trim()) || 0;
      const raw = pid > 0 ? read(`/proc/${pid}/environ`) : '';
      return Object.fromEntries(raw.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    },
    resetEnv(content) {
      for (const n of fs.readdirSync(appDir)) if (n.startsWith('.env.bak-') || n.startsWith('.env.devkit-')) fs.rmSync(path.join(appDir, n));
      const tmp = path.join(appDir, '.env.fixture-tmp');
      fs.writeFileSync(tmp, content ?? fs.readFileSync(s.initialEnvPath));
      fs.chownSync(tmp, 0, groupId);
      fs.chmodSync(tmp, 0o640);
      fs.renameSync(tmp, s.envPath);
    },
    readEnv: () => fs.readFileSync(s.envPath),
    envStat: () => fs.statSync(s.envPath),
    appDirEntries: () => fs.readdirSync(appDir).sort(),
    backups: () => fs.readdirSync(appDir).filter((n) => n.startsWith('.env.bak-')).sort().map((n) => path.join(appDir, n)),
    sudoLog: () => read(sudoLog),
    sshdLog: () => read(sshdLog),
    callsLog: () => read(path.join(s.svcDir, 'calls.log')),
    journalLog: () => read(path.join(s.svcDir, 'journal.log')),
    sessionPids: () => processes().filter((p) => p.cmd.startsWith(`sshd: ${s.user}`)).map((p) => p.pid),
    cutSessions(keep = []) {
      const killed: number[] = [];
      for (const p of processes()) {
        if (!p.cmd.startsWith(`sshd: ${s.user}`) || keep.includes(p.pid)) continue;
        try {
          process.kill(p.pid, 'SIGKILL');
          killed.push(p.pid);
        } catch {
          /* already gone */
        }
      }
      return killed;
    },
    processesWith: (marker) => processes().filter((p) => p.cmd.includes(marker) && p.pid !== process.pid).map((p) => p.pid),
    holdReadLock() {
      // Its own process group, so release() ends flock and its sleeping child together.
      const child = spawn('flock', ['-s', appDir, 'sh', '-c', 'echo held; exec sleep 60'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
      return new Promise((resolve, reject) => {
        child.once('error', reject);
        child.stdout.once('data', () =>
          resolve({
            release: () => {
              try {
                process.kill(-child.pid!, 'SIGKILL');
              } catch {
                /* already gone */
              }
            },
          }),
        );
      });
    },
    setNoisyShell(on) {
      fs.writeFileSync(bashrc, on ? Buffer.concat([Buffer.from('echo "Welcome to sdk-host!"\n'), defaultBashrc]) : defaultBashrc);
    },
    async stop() {
      await run('bash', [path.join(scripts, 'teardown.sh'), dir], { timeout: 60_000 });
    },
    stopSync() {
      execFileSync('bash', [path.join(scripts, 'teardown.sh'), dir], { timeout: 60_000, stdio: 'inherit' });
    },
  };
}
