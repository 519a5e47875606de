/**
 * The full fix cycle (refresh → push → restart → verify) by `salesiq-devkit fix --no-transfer` against the
 * same cycle as a shell script with curl, ssh + sudo sed and systemctl, on the same sandbox and the same
 * private OpenSSH server (test/sshd; needs root). Target: DevKit ≤ 0.5× the script. DevKit also keeps a
 * backup, writes atomically with a hash precondition and waits to see the service stay up; the script does not.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startSshd } from '../test/sshd/fixture';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../test/sandbox/zohoSandbox';

const RUNS = 5;
const U = SANDBOX_DEFAULTS.user;
const CLI = path.resolve(__dirname, '../../dist/cli.js');
const SCRIPT = `set -e
tok=$(curl -s -X POST "$ACC/oauth/v2/token" -d grant_type=refresh_token -d "client_id=$CID" -d "client_secret=$CS" -d "refresh_token=$RT" | sed -n 's/.*"access_token":"\\([^"]*\\)".*/\\1/p')
[ -n "$tok" ]
SSH="ssh -q -i $KEY -p $PORT -o BatchMode=yes -o UserKnownHostsFile=$KH -o StrictHostKeyChecking=yes $SUSER@127.0.0.1"
$SSH "sudo -n sed -i 's/^SALESIQ_ACCESS_TOKEN=.*/SALESIQ_ACCESS_TOKEN=$tok/' $ENVFILE"
$SSH "sudo -n systemctl restart $SVC"
[ "$($SSH "systemctl is-active $SVC")" = active ]`;

/** Wall time of a command; asynchronous, because the sandbox answering it runs in this process. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t) / 1e6) : reject(new Error(`${cmd} failed (${code}): ${out}`))));
  });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('fix cycle: skipped (the OpenSSH test server needs root)');
    return;
  }
  const rts = Array.from({ length: RUNS * 2 }, (_, i) => `1000.${String(i).padStart(32, 'f')}.${'0a'.repeat(16)}`);
  const sandbox = new ZohoSandbox({ clients: [{ ...U, refreshTokens: rts }] });
  await sandbox.start();
  const fx = await startSshd();
  const devkit: number[] = [];
  const script: number[] = [];
  try {
    fx.setSudoMode('nopasswd');
    for (let i = 0; i < RUNS; i++) {
      fx.resetEnv();
      const state = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-fixbench-'));
      devkit.push(
        await timed(process.execPath, [CLI, 'fix', '--json', '--no-transfer', '--dc', 'in', '--accounts-url', sandbox.accountsUrlTemplate, '--salesiq-url', sandbox.salesiqUrlTemplate, '--state-dir', state, '--host', fx.host, '--port', String(fx.port), '--user', fx.user, '--identity', fx.keys.plain, '--known-hosts', fx.knownHostsPath, '--env-path', fx.envPath, '--service', fx.service, '--sudo', 'nopasswd'], {
          SALESIQ_CLIENT_ID: U.clientId, SALESIQ_CLIENT_SECRET: U.clientSecret, SALESIQ_REFRESH_TOKEN: rts[2 * i],
        }),
      );
      fx.resetEnv();
      script.push(
        await timed('bash', ['-c', SCRIPT], {
          ACC: sandbox.accountsUrl('in'), CID: U.clientId, CS: U.clientSecret, RT: rts[2 * i + 1], KEY: fx.keys.plain, PORT: String(fx.port), KH: fx.knownHostsPath, SUSER: fx.user, ENVFILE: fx.envPath, SVC: fx.service,
        }),
      );
    }
  } finally {
    await fx.stop();
    await sandbox.stop();
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const d = med(devkit);
  const s = med(script);
  console.log(`fix cycle: DevKit ${d.toFixed(0)} ms vs shell script (curl, ssh+sed, systemctl) ${s.toFixed(0)} ms → ${(d / s).toFixed(2)}× (target ≤ 0.5×; median of ${RUNS}; DevKit's includes the wait that proves the service stays up)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
