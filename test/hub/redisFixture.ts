/**
 * A real redis-server for the hub tests: loopback only, a free port of its own, its own directory, no
 * persistence (`save ''`, `appendonly no`), `requirepass` for the admin, and the restricted ACL user the README
 * tells teams to create. Started and stopped by the tests (stop/start again keeps the port, so a test can take
 * the hub away mid-run); every wait is bounded.
 */
import { type ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const HUB_USER = 'devkit';

/** The README's ACL line for a team's DevKit user (keys and channels under the prefix, the commands it runs). */
export const HUB_USER_ACL = 'resetkeys ~salesiq-devkit:* resetchannels &salesiq-devkit:* -@all +@connection +@scripting +hmget +subscribe +unsubscribe +get +set +incr +del +pexpire +hset +publish +time +zadd +zcard +zrange +zremrangebyscore';

/** A TLS-only listener (`rediss://`): the server's certificate and key, and the CA that signed it. */
export interface RedisTls {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export class RedisFixture {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-redis-'));
  readonly adminPassword = randomBytes(12).toString('hex');
  readonly userPassword = randomBytes(12).toString('hex');
  port = 0;
  private child: ChildProcess | undefined;

  constructor(private readonly tls?: RedisTls) {}

  get url(): string {
    return `${this.tls ? 'rediss' : 'redis'}://${HUB_USER}@127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    if (this.child) return;
    if (!this.port) this.port = await freePort();
    const conf = path.join(this.dir, 'redis.conf');
    fs.writeFileSync(
      conf,
      [
        'bind 127.0.0.1',
        ...this.listener(),
        `dir ${this.dir}`,
        'save ""',
        'appendonly no',
        'daemonize no',
        'protected-mode yes',
        `requirepass ${this.adminPassword}`,
        `user ${HUB_USER} on >${this.userPassword} ${HUB_USER_ACL}`,
        'loglevel warning',
        `logfile ${path.join(this.dir, 'redis.log')}`,
      ].join('\n') + '\n',
      { mode: 0o600 },
    );
    this.child = spawn('redis-server', [conf], { stdio: 'ignore' });
    const child = this.child;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    for (let i = 0; i < 100; i++) {
      if (this.cli(['PING']).trim() === 'PONG') return;
      if (!this.child) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis-server did not start on 127.0.0.1:${this.port}; log: ${this.log()}`);
  }

  /** Plain TCP, or TLS only (the plain port closed, clients not asked for certificates, as a hosted Redis does). */
  private listener(): string[] {
    if (!this.tls) return [`port ${this.port}`];
    const t = this.tls;
    return ['port 0', `tls-port ${this.port}`, `tls-cert-file ${t.certFile}`, `tls-key-file ${t.keyFile}`, `tls-ca-cert-file ${t.caFile}`, 'tls-auth-clients no'];
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** redis-cli as the admin (the password on stdin-free env, never in argv). */
  cli(args: string[]): string {
    const tls = this.tls ? ['--tls', '--cacert', this.tls.caFile] : [];
    const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...tls, '--no-auth-warning', ...args], {
      env: { ...process.env, REDISCLI_AUTH: this.adminPassword },
      encoding: 'utf8',
      timeout: 5000,
    });
    return r.stdout ?? '';
  }

  log(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'redis.log'), 'utf8').slice(-2000);
    } catch {
      return '(no log)';
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
