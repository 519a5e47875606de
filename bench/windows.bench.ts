/**
 * Token requests made by several windows (or CLI instances) sharing one profile, against one over the same period.
 * Each run gets a fresh Zoho sandbox issuing LIFETIME_S tokens and refreshes 1 minute before expiry:
 *  - VS Code: code-server with the packaged VSIX, auto-refresh on, WINDOWS pages of one browser profile;
 *  - CLI: `salesiq-devkit keep-fresh` processes sharing one --state-dir.
 * Token requests are sampled for PERIOD_S once everything is up. One instance's requests are its own schedule
 * (it cannot duplicate itself: two of them close together are its start-up and first renewal, not a duplicate).
 * With several, requests less than ROUND_MS apart count as one refresh round, and a duplicate is a request
 * beyond one per round that one instance alone does not also make.
 * Target: several make no more refreshes than one. Run after `tsc`: node out/bench/windows.bench.js
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../test/harness/tools';
import { ZohoSandbox } from '../test/sandbox/zohoSandbox';
import { USER, writeSeed } from '../test/ui/support/seed';
import { Workbench } from '../test/ui/support/workbench';
import { report as figure } from './report';

/**
 * A refresh every 20-40 s (lifetime − the 1-minute minimum margin − VS Code's up to 20 s per-window offset):
 * 3-6 rounds per period, under the 9-per-10-minutes guard. Short, so the whole `npm run bench` stays under
 * 10 minutes on a 2-core machine.
 */
const LIFETIME_S = 100;
const PERIOD_S = 120;
const ROUND_MS = 10_000;
const SAMPLE_MS = 250;
const SEVERAL = 3;

interface Result {
  label: string;
  requests: number;
  rounds: number;
}

/** Samples the sandbox's token requests for PERIOD_S and groups them into refresh rounds. */
async function sample(sandbox: ZohoSandbox, label: string): Promise<Result> {
  const count = () => sandbox.stats.tokenRequests[USER.refreshTokens[0]] ?? 0;
  const times: number[] = [];
  let seen = count();
  const end = Date.now() + PERIOD_S * 1000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    for (const n = count(); seen < n; seen++) times.push(Date.now());
  }
  const rounds = times.filter((t, i) => i === 0 || t - times[i - 1] > ROUND_MS).length;
  return { label, requests: times.length, rounds };
}

async function withSandbox<T>(fn: (sandbox: ZohoSandbox, dir: string) => Promise<T>): Promise<T> {
  const sandbox = new ZohoSandbox({ tokenLifetimeSec: LIFETIME_S });
  await sandbox.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-bench-windows-'));
  try {
    return await fn(sandbox, dir);
  } finally {
    await sandbox.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function measureVscode(windows: number): Promise<Result> {
  return withSandbox(async (sandbox, dir) => {
    const seedFile = path.join(dir, 'seed.json');
    writeSeed(seedFile, sandbox);
    const wb = await Workbench.open({ seedFile, settings: { 'salesiq.autoRefresh': true, 'salesiq.autoRefreshMarginMinutes': 1 } });
    try {
      await Promise.all(Array.from({ length: windows - 1 }, () => wb.newWindow()));
      return await sample(sandbox, `VS Code, ${windows} window${windows > 1 ? 's' : ''}`);
    } finally {
      await wb.close();
    }
  });
}

function measureCli(instances: number): Promise<Result> {
  return withSandbox(async (sandbox, dir) => {
    const cli = path.join(repoRoot(), 'dist', 'cli.js');
    const args = [cli, '--dc', USER.dc, '--accounts-url', sandbox.accountsUrlTemplate, '--state-dir', path.join(dir, 'state'), 'keep-fresh', '--margin-minutes', '1'];
    const env = {
      PATH: process.env.PATH,
      XDG_CONFIG_HOME: dir,
      SALESIQ_CLIENT_ID: USER.clientId,
      SALESIQ_CLIENT_SECRET: USER.clientSecret,
      SALESIQ_REFRESH_TOKEN: USER.refreshTokens[0],
    };
    const children: ChildProcess[] = Array.from({ length: instances }, () => spawn(process.execPath, args, { env, stdio: 'ignore' }));
    try {
      return await sample(sandbox, `CLI keep-fresh, ${instances} instance${instances > 1 ? 's' : ''}`);
    } finally {
      await Promise.all(children.map(stop));
    }
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function report(one: Result, several: Result): void {
  // Rounds may differ by one between runs: the period cuts the schedule at different points, and with several
  // windows the earliest one's random offset starts each round. Close pairs that one instance makes too (its
  // start-up mint and first renewal) are its schedule, not a duplicate, so only the excess over it counts.
  const duplicates = Math.max(0, several.requests - several.rounds - (one.requests - one.rounds));
  figure({
    figure: `${several.label} vs ${one.label}`,
    result: `${several.requests} requests in ${several.rounds} rounds (${duplicates} duplicate) vs ${one.requests} requests`,
    target: 'no duplicate request (several refresh as one)',
    met: duplicates === 0 && several.requests <= one.requests + 1,
  });
}

async function main(): Promise<void> {
  console.log(`refreshes over ${PERIOD_S} s with ${LIFETIME_S} s tokens, refreshing 1 min before expiry:`);
  // All four at once, each against its own sandbox and (VS Code) its own code-server and browser: the figures
  // are request counts on a minutes-long schedule, which machine load does not change, and running them side by
  // side keeps the whole `npm run bench` under 10 minutes.
  const runs = [measureCli(1), measureCli(SEVERAL), measureVscode(1), measureVscode(SEVERAL)];
  const [cliOne, cliSeveral, vsOne, vsSeveral] = await Promise.all(runs);
  report(cliOne, cliSeveral);
  report(vsOne, vsSeveral);
  console.log('  desktop VS Code: one SecretStorage (the OS keyring) and one global storage for all windows of a profile, so a window adopts the token another minted; code-server keeps SecretStorage per browser tab, so its windows cannot, and only the shared rate log (global storage files) holds them to Zoho\'s limit.');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
