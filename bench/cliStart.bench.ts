/**
 * CLI cold start: `salesiq-devkit status` and `decode` against a bare `node -e 0`, interleaved, median of RUNS.
 * Both commands need neither undici nor ssh2, which the CLI loads on first use (dist/cli-undici.js,
 * dist/cli-ssh2.js), and each command's own module is evaluated only when it runs. Target ≤ 1.3× `node -e 0`.
 * The bin turns on Node's compile cache (Node ≥ 22.1, in the user's private cache dir): the target is taken
 * with the cache as it is from the second run on, and the first run after an install (an empty cache dir each
 * time) is printed beside it, so the cache's share is visible.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import Module from 'module';
import * as os from 'os';
import * as path from 'path';
import { StateStore } from '../src/core/token/stateFiles';
import { median, ms, report } from './report';

const RUNS = 15;
const CLI = path.resolve(__dirname, '../../dist/cli.js');
const SAMPLE = 'transfer failed: HTTP 400 {"error":{"code":1001,"message":"Unknown authentication error, Contact SalesIQ Team!"}}\n';

function time(args: string[], env: NodeJS.ProcessEnv, input?: string): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, input, encoding: 'utf8' });
  const took = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return took;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-clistart-'));
  const state = path.join(dir, 'state');
  await new StateStore(state).tokenStore('default', undefined).writeToken({ accessToken: `1000.${'1'.repeat(32)}.${'2'.repeat(32)}`, obtainedAt: Date.now(), expiresAt: Date.now() + 3600_000 });
  const env = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: dir };
  const bare: number[] = [];
  const status: number[] = [];
  const decode: number[] = [];
  const coldDecode: number[] = [];
  try {
    for (let i = 0; i < RUNS + 2; i++) {
      bare.push(time(['-e', '0'], env));
      status.push(time([CLI, 'status', '--state-dir', state], env));
      decode.push(time([CLI, 'decode'], env, SAMPLE));
      coldDecode.push(time([CLI, 'decode'], { ...env, XDG_CACHE_HOME: fs.mkdtempSync(path.join(dir, 'cache-')) }, SAMPLE));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const [b, st, de, cold] = [bare, status, decode, coldDecode].map((xs) => median(xs.slice(2)));
  const cache = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function' ? 'compile cache on' : `Node ${process.version} has no compile cache`;
  console.log(`CLI cold start (median of ${RUNS} after 2 warm-ups; ${cache}):`);
  report({ figure: 'CLI start: `status` vs `node -e 0`', result: `${ms(st)} vs ${ms(b)} → ${(st / b).toFixed(2)}× (${cache})`, target: '≤ 1.3×', met: st / b <= 1.3 });
  report({ figure: 'CLI start: `decode` (stdin) vs `node -e 0`', result: `${ms(de)} vs ${ms(b)} → ${(de / b).toFixed(2)}×; first run after install (empty cache) ${(cold / b).toFixed(2)}×`, target: '≤ 1.3×', met: de / b <= 1.3 });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
