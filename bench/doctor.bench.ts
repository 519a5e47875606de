/**
 * The full `salesiq-devkit doctor` (every profile check against the sandbox, every server check against the
 * private OpenSSH server of test/sshd; needs root) against `push-env --no-restart` to the same server, in the
 * same run, alternating so both see the same machine load. Target: doctor ≤ 1.5× the push. Both are the CLI
 * as a script runs it (process start included); the doctor reports on a cached valid token (no mint).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StateStore } from '../src/core/token/stateFiles';
import { startSshd } from '../test/sshd/fixture';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../test/sandbox/zohoSandbox';
import { median, ms, report } from './report';

// Nine alternating pairs: with other work on the machine a median of five moved by ±0.3× from run to run.
const RUNS = 9;
const U = SANDBOX_DEFAULTS.user;
const CLI = path.resolve(__dirname, '../../dist/cli.js');

/** Wall time of a CLI run; `ok` lists the exit codes that count as a completed run. */
function timed(args: string[], env: NodeJS.ProcessEnv, ok: number[] = [0]): Promise<number> {
  const t = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.stdin.end();
    child.on('close', (code) => (ok.includes(code ?? -1) ? resolve(Number(process.hrtime.bigint() - t) / 1e6) : reject(new Error(`salesiq-devkit ${args[0]} failed (${code}): ${out}`))));
  });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('doctor: skipped (the OpenSSH test server needs root)');
    return;
  }
  const sandbox = new ZohoSandbox();
  await sandbox.start();
  const fx = await startSshd();
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-doctorbench-'));
  const doctor: number[] = [];
  const push: number[] = [];
  try {
    fx.setSudoMode('nopasswd');
    const t = sandbox.mint(U.refreshTokens[0]);
    await new StateStore(state).tokenStore('default', undefined).writeToken({ accessToken: t.accessToken, obtainedAt: t.obtainedAt, expiresAt: t.expiresAt });
    const common = ['--dc', 'in', '--accounts-url', sandbox.accountsUrlTemplate, '--salesiq-url', sandbox.salesiqUrlTemplate, '--state-dir', state];
    const ssh = ['--host', fx.host, '--port', String(fx.port), '--user', fx.user, '--identity', fx.keys.plain, '--known-hosts', fx.knownHostsPath, '--env-path', fx.envPath, '--service', fx.service, '--sudo', 'nopasswd'];
    const env = {
      SALESIQ_CLIENT_ID: U.clientId,
      SALESIQ_CLIENT_SECRET: U.clientSecret,
      SALESIQ_REFRESH_TOKEN: U.refreshTokens[0],
      SALESIQ_SCREEN_NAME: SANDBOX_DEFAULTS.portal.screenName,
      HOME: state,
    };
    // The service runs with the token the doctor will compare against (one push with a restart, not timed).
    await timed(['push-env', ...common, ...ssh], env);
    for (let i = 0; i < RUNS; i++) {
      doctor.push(await timed(['doctor', '--json', ...common, ...ssh], env, [0, 1, 3]));
      push.push(await timed(['push-env', '--json', '--no-restart', ...common, ...ssh], env));
    }
  } finally {
    await fx.stop();
    await sandbox.stop();
    fs.rmSync(state, { recursive: true, force: true });
  }
  const d = median(doctor);
  const p = median(push);
  const ratio = d / p;
  console.log(`doctor (median of ${RUNS}, same sandbox and server, alternating):`);
  report({ figure: 'full `doctor` vs `push-env --no-restart` to the same server', result: `${ms(d)} vs ${ms(p)} → ${ratio.toFixed(2)}×`, target: '≤ 1.5×', met: ratio <= 1.5 });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
