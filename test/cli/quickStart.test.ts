/**
 * The bin starts `status` and `decode` from the quick entry (dist/cli-quick.js) and everything else from the
 * full CLI (dist/cli-main.js): a user must not be able to tell which one answered.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import Module from 'module';
import * as os from 'os';
import * as path from 'path';
import { StateStore } from '../../src/core/token/stateFiles';
import { runProcess } from '../support/process';
import { CLI, runCli } from './run';

const FULL = path.join(path.dirname(CLI), 'cli-main.js');
const OUTPUT = path.resolve(__dirname, '../../src/cli/output.js');
const LOG = 'transfer failed: HTTP 400 {"error":{"code":1001,"message":"Unknown authentication error, Contact SalesIQ Team!"}}\n';

describe('salesiq-devkit quick start (status, decode)', () => {
  let dir: string;
  let state: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-quick-'));
    state = path.join(dir, 'state');
    env = { HOME: dir, XDG_CONFIG_HOME: dir, XDG_STATE_HOME: dir, XDG_CACHE_HOME: path.join(dir, 'cache') };
    // Expired, so every printed field is fixed however long the test takes.
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 67);
    await new StateStore(state).tokenStore('default', undefined).writeToken({
      accessToken: `1000.${'1'.repeat(32)}.${'2'.repeat(32)}`,
      obtainedAt: at,
      expiresAt: at + 3600_000,
      lastRefresh: { at, ok: true, automatic: false },
    });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const full = (args: string[], stdin: string) =>
    runProcess(process.execPath, [FULL, ...args], stdin, { env: { PATH: process.env.PATH, ...env }, label: `cli-main ${args.join(' ')}`, timeoutMs: 20_000 });

  it('answers every status and decode run as the full CLI does: output, exit code, usage errors and help', async () => {
    fs.writeFileSync(path.join(dir, 'app.log'), LOG);
    const cases: Array<[string[], string]> = [
      [['status', '--state-dir', state], ''],
      [['--json', 'status', '--state-dir', state], ''],
      [['status', '--state-dir', path.join(dir, 'none')], ''],
      [['status', '--json', '--state-dir', path.join(dir, 'none')], ''],
      [['status', '--dc', 'mars'], ''],
      [['status', '--bogus'], ''],
      [['status', '--help'], ''],
      [['decode'], LOG],
      [['decode', '--json', '-'], LOG],
      [['decode', path.join(dir, 'app.log')], ''],
      [['decode', path.join(dir, 'missing.log')], ''],
      [['decode', 'a', 'b'], ''],
      [['decode', '-h'], ''],
      // A word `status` that is not the command: the full CLI's own answer.
      [['refresh', '--profile', 'status', '--state-dir', state], ''],
      [['--profile', 'decode', 'status', '--state-dir', state], ''],
    ];
    for (const [args, stdin] of cases) {
      const quick = await runCli(args, env, stdin);
      const whole = await full(args, stdin);
      const seen = ({ code, stdout, stderr }: { code: number | null; stdout: string; stderr: string }) => ({ code, stdout, stderr });
      assert.deepStrictEqual(seen(quick), seen(whole), args.join(' '));
    }
    const s = await runCli(['status', '--json', '--state-dir', state], env);
    assert.strictEqual(s.json.expiresAt, '2026-01-02T04:04:05.067Z');
    assert.strictEqual(s.json.lastRefresh.at, '2026-01-02T03:04:05.067Z');
  });

  it('keeps a compile cache per command, private to the user, and runs the same with a damaged one', async function () {
    if (typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function') this.skip(); // Node's own cache then
    const first = await runCli(['decode', '--json'], env, LOG);
    await runCli(['status', '--state-dir', state], env);
    const cacheDir = path.join(dir, 'cache', 'salesiq-devkit', 'node-compile-cache');
    assert.strictEqual(fs.statSync(cacheDir).mode & 0o777, 0o700);
    const files = fs.readdirSync(cacheDir).sort();
    assert.deepStrictEqual(files.map((f) => f.replace(/-\d+-\d+-v.*$/, '')), ['cli-quick-decode', 'cli-quick-status'], files.join(' '));
    for (const f of files) {
      assert.strictEqual(fs.statSync(path.join(cacheDir, f)).mode & 0o777, 0o600, f);
      fs.writeFileSync(path.join(cacheDir, f), 'not a code cache');
    }
    const again = await runCli(['decode', '--json'], env, LOG);
    assert.deepStrictEqual([again.code, again.stdout, again.stderr], [first.code, first.stdout, first.stderr]);
  });

  it('loses no output when the reader is slower than the writer, even on a non-blocking pipe', async () => {
    // Touching process.stdout makes the pipe non-blocking (as any command that uses it or readline does); then
    // 1 MiB in one line and a second line, and the bin's process.exit right after.
    const script = `process.stdout; const { writeLine } = require(${JSON.stringify(OUTPUT)}); writeLine(1, 'x'.repeat(1 << 20)); writeLine(1, 'end'); process.exit(0);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stdout.pause();
    // The reader starts only once the child has filled the pipe and is waiting on it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const chunks: Buffer[] = [];
    for await (const c of child.stdout) chunks.push(c as Buffer);
    assert.strictEqual(await exited, 0);
    assert.strictEqual(Buffer.concat(chunks).toString(), `${'x'.repeat(1 << 20)}\nend\n`);
  });
});
