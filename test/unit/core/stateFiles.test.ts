// The CLI's and the extension's shared state files: the refresh history that keeps every instance within Zoho's
// 10 requests per 10 minutes, and the 0600 token cache. Real files in a temp directory.
import * as assert from 'node:assert/strict';
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
