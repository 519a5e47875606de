// The CLI's and the extension's shared state files: the refresh history that keeps every instance within Zoho's
// 10 requests per 10 minutes, and the 0600 token cache. Real files in a temp directory.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDevKitError } from '../../../src/core/errors/devkitError';
import { RefreshGuard } from '../../../src/core/zoho/refreshGuard';
import { StateStore } from '../../../src/core/token/stateFiles';

const RT = '1000.aaaabbbbccccddddeeeeffff00001111.2222333344445555666677778888999900';

describe('state files: the shared refresh history', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-state-test-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const logFiles = () => fs.readdirSync(dir).filter((f) => f.startsWith('refresh-log-'));

  it('two instances that loaded the same history both keep their request (neither overwrites the other)', async () => {
    const a = new StateStore(dir).refreshLog(RT);
    const b = new StateStore(dir).refreshLog(RT);
    const base = await a.load();
    await b.load();
    await a.save([...base, 1000]);
    await b.save([...base, 2000]);
    assert.deepEqual((await new StateStore(dir).refreshLog(RT).load()).sort(), [1000, 2000]);
  });

  it('is a 0600 file, refused when others can read it, and never holds the refresh token or its name', async () => {
    const log = new StateStore(dir).refreshLog(RT);
    await log.load();
    await log.save([5]);
    const [file] = logFiles();
    assert.equal(fs.statSync(path.join(dir, file)).mode & 0o777, 0o600);
    assert.ok(!file.includes(RT.slice(5, 20)) && !fs.readFileSync(path.join(dir, file), 'utf8').includes(RT.slice(5, 20)));
    fs.chmodSync(path.join(dir, file), 0o644);
    await assert.rejects(log.load(), (e) => isDevKitError(e) && e.finding.code === 'state-permissions');
  });

  it('stops growing: past the compaction size it is rewritten with what the guard still counts', async () => {
    const guardLog = new StateStore(dir).refreshLog(RT);
    let now = 1_000_000;
    const guard = new RefreshGuard(guardLog, { now: () => now } as never, { limit: 1000 });
    for (let i = 0; i < 200; i++, now += 10_000) await guard.admit();
    const lines = fs.readFileSync(path.join(dir, logFiles()[0]), 'utf8').split('\n').filter(Boolean);
    assert.ok(lines.length <= 65, `${lines.length} lines`);
    // Nothing the window still counts was lost: the 59 requests of the last 10 minutes (10 s apart).
    assert.equal((await guardLog.load()).filter((t) => t > now - 600_000).length, 59);
  });

  it('counts a history written by an earlier version (JSON) once, and moves it into the log', async () => {
    const store = new StateStore(dir);
    const legacy = fs.readdirSync(dir).length;
    assert.equal(legacy, 0);
    const log = store.refreshLog(RT);
    await log.load();
    await log.save([1]);
    const name = logFiles()[0].replace(/\.log$/, '.json');
    fs.writeFileSync(path.join(dir, name), JSON.stringify([7, 8]), { mode: 0o600 });
    const before = await log.load();
    assert.deepEqual(before.sort(), [1, 7, 8]);
    await log.save([...before, 9]);
    assert.deepEqual((await log.load()).sort(), [1, 7, 8, 9]);
    assert.ok(!fs.existsSync(path.join(dir, name)), 'the old JSON is gone once its times are in the log');
  });

  it('a save without a load (a fresh authorization) adds its times to what others recorded', async () => {
    const a = new StateStore(dir).refreshLog(RT);
    await a.load();
    await a.save([1, 2]);
    await new StateStore(dir).refreshLog(RT).save([3]);
    assert.deepEqual((await a.load()).sort(), [1, 2, 3]);
  });
});

describe('state files: the token cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-token-cache-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const token = (n: number) => ({ accessToken: `1000.w${n}`, obtainedAt: n, expiresAt: n + 3600_000, lastRefresh: { at: n, ok: true, automatic: false } });
  const store = () => new StateStore(dir).tokenStore('p', undefined);
  /** A node process running `body` with StateStore, TokenManager, systemClock, fs and the directory in scope. */
  const child = (body: string) => {
    const req = (m: string) => `require(${JSON.stringify(path.resolve(__dirname, '../../../src/core/token', m))})`;
    const script = `const { StateStore } = ${req('stateFiles')}; const { TokenManager } = ${req('tokenManager')}; const { systemClock } = ${req('clock')};
      const fs = require('fs'); const dir = ${JSON.stringify(dir)}; (async () => { ${body} })().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
    const p = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    const done = new Promise<{ code: number | null; out: string }>((resolve) => p.on('exit', (code) => resolve({ code, out })));
    return { done, exited: () => p.exitCode !== null };
  };

  it('a reader sees the old token or the new one, whole, while another process rewrites it; every copy is 0600', async () => {
    await store().writeToken(token(0));
    const writer = child(`const s = new StateStore(dir).tokenStore('p', undefined);
      for (let n = 1; n <= 400; n++) await s.writeToken({ accessToken: '1000.w' + n, obtainedAt: n, expiresAt: n + 3600000, lastRefresh: { at: n, ok: true, automatic: false } });`);
    const reader = store();
    let reads = 0;
    let last = 0;
    while (!writer.exited()) {
      const t = await reader.readToken();
      assert.ok(t, `read ${reads}: no token while it was being replaced`);
      assert.deepEqual(t, token(t.obtainedAt), `read ${reads}: a whole token`);
      assert.ok(t.obtainedAt >= last, 'never an older token after a newer one');
      last = t.obtainedAt;
      reads++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal((await writer.done).code, 0);
    assert.deepEqual(await reader.readToken(), token(400));
    const files = fs.readdirSync(dir);
    assert.equal(files.length, 2, `the name and its one text file: ${files.join(' ')}`);
    for (const f of files) assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
  });

  it('two processes refreshing at once make one request, and both get its token', async () => {
    const count = path.join(dir, 'requests');
    const go = path.join(dir, 'go');
    const run = `const state = new StateStore(dir);
      const refresher = async () => {
        fs.appendFileSync(${JSON.stringify(count)}, 'x');
        while (!fs.existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 20));
        return { accessToken: '1000.from' + process.pid, lifetimeSec: 3600 };
      };
      const m = new TokenManager({ store: state.tokenStore('p', { clientId: 'c', clientSecret: 's', refreshToken: 'r' }), refresher, clock: systemClock, lease: state.lease('p', systemClock) });
      console.log((await m.refresh({ automatic: true, marginMs: 300000 })).accessToken);`;
    const a = child(run);
    const b = child(run);
    // Let the request finish only once it has been made (bounded by the test's timeout).
    while (!fs.existsSync(count)) await new Promise((resolve) => setTimeout(resolve, 20));
    fs.writeFileSync(go, '');
    const [ra, rb] = await Promise.all([a.done, b.done]);
    assert.deepEqual([ra.code, rb.code], [0, 0]);
    assert.equal(fs.readFileSync(count, 'utf8'), 'x', 'one request');
    assert.equal(ra.out.trim(), rb.out.trim());
    assert.match(ra.out, /^1000\.from\d+\n$/);
  });

  it('replaces a regular file left by an earlier version, which an earlier version still reads by name', async () => {
    fs.writeFileSync(path.join(dir, 'token-p.json'), JSON.stringify(token(1)), { mode: 0o600 });
    assert.deepEqual(await store().readToken(), token(1));
    await store().writeToken(token(2));
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'token-p.json'), 'utf8')), token(2));
    fs.chmodSync(path.join(dir, 'token-p.json'), 0o644);
    await assert.rejects(store().readToken(), (e) => isDevKitError(e) && e.finding.code === 'state-permissions');
  });

  it('recreates a removed state directory (0700) on the next write, for the token and the lease', async () => {
    const s = new StateStore(dir);
    await s.tokenStore('p', undefined).writeToken(token(1));
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(await s.tokenStore('p', undefined).readToken(), undefined);
    await s.tokenStore('p', undefined).writeToken(token(2));
    assert.deepEqual(await s.tokenStore('p', undefined).readToken(), token(2));
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    fs.rmSync(dir, { recursive: true, force: true });
    const lease = s.lease('p', { now: () => Date.now() } as never);
    assert.equal(await lease.acquire(), true);
    await lease.release();
  });

  it('removes a copy left by a writer killed before its link, once it is a minute old', async () => {
    const s = store();
    await s.writeToken(token(1));
    const stale = path.join(dir, `token-p.json.${process.pid + 1}-abc-0`);
    const fresh = path.join(dir, `token-p.json.${process.pid + 1}-abd-0`);
    fs.writeFileSync(stale, '{}', { mode: 0o600 });
    fs.writeFileSync(fresh, '{}', { mode: 0o600 });
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(stale, old, old);
    await store().writeToken(token(2));
    assert.ok(!fs.existsSync(stale), 'the stale copy is gone');
    assert.ok(fs.existsSync(fresh), 'a copy that may still be linked is kept');
    assert.deepEqual(await s.readToken(), token(2));
  });
});
