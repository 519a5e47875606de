/**
 * Several pushes at once, and pruning beside files DevKit did not make, against the real OpenSSH fixture.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import { isDevKitError } from '../../src/core/errors/devkitError';
import { pushToken, type PushResult } from '../../src/core/flows/push';
import { fixture, newToken } from './hooks';

const KEY = 'SALESIQ_ACCESS_TOKEN';

function push(value: string, keepBackups = 50): Promise<PushResult> {
  const fx = fixture();
  return pushToken({ connect: fx.connectOptions(), envPath: fx.envPath, key: KEY, value, service: fx.service, sudo: 'auto', restart: false, keepBackups });
}

describe('concurrent pushes and pruning', function () {
  this.timeout(120_000);

  beforeEach(() => {
    fixture().resetEnv();
    fixture().setSudoMode('nopasswd');
  });

  for (const n of [2, 3]) {
    it(`${n} pushes at once: never two claims on one file state; the losers say they were superseded; every replaced content is in its own backup`, async () => {
      const fx = fixture();
      for (let round = 0; round < 4; round++) {
        fx.resetEnv();
        const original = readEnvKey(fx.readEnv(), KEY);
        const values = Array.from({ length: n }, () => newToken());
        const settled = await Promise.allSettled(values.map((v) => push(v)));

        const won = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [{ value: values[i], r: s.value }] : []));
        const lost = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ value: values[i], e: s.reason as unknown }] : []));
        assert.ok(won.length >= 1, `round ${round}: at least one push wins`);
        for (const l of lost) {
          assert.ok(isDevKitError(l.e), String(l.e));
          assert.deepEqual([l.e.finding.code, l.e.finding.details?.superseded], ['conflict', 'true'], l.e.finding.title);
          assert.match(l.e.finding.title, /^Superseded: /);
        }

        // Each winner replaced one state of the file and kept it in a backup of its own: following the backups
        // from the original, every winner's token but the last appears exactly once, and the file holds the last.
        const backups = won.map((w) => w.r.backup);
        assert.equal(new Set(backups).size, won.length, `round ${round}: one backup per winner, no name shared`);
        const replaced = backups.map((b) => readEnvKey(fs.readFileSync(b!), KEY));
        const final = readEnvKey(fx.readEnv(), KEY);
        assert.ok(won.some((w) => w.value === final), `round ${round}: the file holds a winner's token`);
        const expected = [original, ...won.map((w) => w.value).filter((v) => v !== final)].sort();
        assert.deepEqual([...replaced].sort(), expected, `round ${round}: the original and each overwritten token survive in a backup`);
        for (const l of lost) assert.ok(!replaced.includes(l.value) && final !== l.value, 'a superseded token was never written');
        assert.deepEqual(fx.appDirEntries().filter((e) => e.includes('devkit')), [], 'no temp file left');
      }
    });
  }

  it("prunes only DevKit's own backups (its exact name pattern), reports them, and keeps hand-made look-alikes", async () => {
    const fx = fixture();
    const dir = path.dirname(fx.envPath);
    const own = ['.env.bak-20000101000000', '.env.bak-20000102000000', '.env.bak-20000103000000'];
    const handMade = ['.env.bak-1-manual', '.env.bak-2019-06-01', '.env.bak-20190601', '.env.bak-20190601120000.orig', '.env.bak-20190601120000-mine'];
    for (const n of [...own, ...handMade]) fs.writeFileSync(path.join(dir, n), `${n}\n`, { mode: 0o600 });
    const linkName = '.env.bak-20000104000000';
    fs.symlinkSync(fx.envPath, path.join(dir, linkName));

    const pruned: string[] = [];
    const created: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await push(newToken(), 2);
      pruned.push(...r.pruned);
      created.push(path.basename(r.backup!));
    }

    for (const n of handMade) assert.equal(fs.readFileSync(path.join(dir, n), 'utf8'), `${n}\n`, `${n} kept as it was`);
    assert.ok(fs.lstatSync(path.join(dir, linkName)).isSymbolicLink(), 'a symlink named like a backup is not DevKit\'s: left alone');
    const left = fx.backups().map((b) => path.basename(b)).filter((b) => !handMade.includes(b) && b !== linkName);
    assert.equal(left.length, 2, `the two newest DevKit backups are kept: ${left.join(', ')}`);
    assert.ok(left.every((b) => !own.includes(b)), 'the older ones went first');
    assert.deepEqual(left.sort(), created.slice(-2).sort());
    assert.deepEqual(pruned.map((p) => path.basename(p)).sort(), [...own, created[0]].sort(), 'every pruned file was reported, and only those');
    for (const n of [...handMade, linkName]) fs.rmSync(path.join(dir, n));
  });
});
