/** What the CLI reads because a user named it (`--config`, `decode FILE`, stdin) is bounded by type and size. */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from './run';

const MiB = 1024 * 1024;

describe('salesiq-devkit bounded input (contract)', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-bounded-'));
    env = { XDG_CONFIG_HOME: dir, XDG_STATE_HOME: dir, HOME: dir };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fifo = () => {
    const p = path.join(dir, 'pipe');
    execFileSync('mkfifo', [p]);
    return p;
  };

  it('decode refuses a FIFO, a directory or a device as FILE (exit 2), naming what to do instead', async () => {
    for (const target of [fifo(), dir, '/dev/zero']) {
      const r = await runCli(['decode', target], env);
      assert.strictEqual(r.code, 2, r.stderr);
      assert.match(r.stderr, /is not a regular file .*pipe the text in/);
    }
  });

  it('decode refuses a file or stdin over 16 MiB, suggesting the part around the error', async () => {
    const big = path.join(dir, 'big.log');
    fs.writeFileSync(big, 'x'.repeat(16 * MiB + 1));
    const file = await runCli(['decode', big], env);
    assert.strictEqual(file.code, 2, file.stderr);
    assert.match(file.stderr, /big\.log is larger than 16 MiB: .*tail -n/);
    const stdin = await runCli(['decode', '-'], env, 'y'.repeat(16 * MiB + 1));
    assert.strictEqual(stdin.code, 2, stdin.stderr);
    assert.match(stdin.stderr, /stdin is larger than 16 MiB: .*tail -n/);
  });

  it('decode still reads a file and stdin within the bound', async () => {
    const log = path.join(dir, 'app.log');
    fs.writeFileSync(log, '{"code":1001,"message":"Invalid access token"}\n');
    for (const [args, stdin] of [[['decode', '--json', log], ''], [['decode', '--json'], fs.readFileSync(log, 'utf8')]] as const) {
      const r = await runCli([...args], env, stdin);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.ok(r.json.findings.length > 0, r.stdout);
    }
  });

  it('--config must be a regular JSON file of at most 1 MiB (exit 3, fix-config)', async () => {
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, `{"pad":"${'x'.repeat(MiB)}"}`);
    const cases: [string, RegExp][] = [
      [fifo(), /not a regular file.*--config at a plain JSON file/s],
      [dir, /not a regular file/],
      [big, /larger than 1 MiB.*small JSON document/s],
      [path.join(dir, 'missing.json'), /does not exist/],
    ];
    for (const [config, why] of cases) {
      const r = await runCli(['status', '--json', '--config', config], env);
      assert.strictEqual(r.code, 3, r.stderr + r.stdout);
      assert.strictEqual(r.json.error.action, 'fix-config');
      assert.match(`${r.json.error.title} ${r.json.error.explanation}`, why);
    }
  });
});
