/**
 * The connection cut from the server side (its sshd processes killed, as root) at each point of a push:
 * during the write, between the rename and the restart, and during the restart. Nothing is left behind, and
 * the user is told which file is in place.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import { pushToken, type PushOptions } from '../../src/core/flows/push';
import { runBin, until } from './bin';
import { findingOf } from './expectFinding';
import { fixture, freshFixture, newToken } from './hooks';

const KEY = 'SALESIQ_ACCESS_TOKEN';

describe('a connection cut from the server side mid-push', function () {
  this.timeout(90_000);
  let keep: number[];

  const temps = () => fixture().appDirEntries().filter((n) => n.includes('.devkit-'));
  const opts = (extra: Partial<PushOptions> = {}): PushOptions => {
    const fx = fixture();
    return { connect: fx.connectOptions(), envPath: fx.envPath, key: KEY, value: newToken(), service: fx.service, sudo: 'auto', restart: false, ...extra };
  };
  /** Waits (bounded) until no remote script or restart of ours is still running on the server. */
  const settled = () => until(() => ['devkit-write', 'devkit-read', 'systemctl restart'].every((m) => fixture().processesWith(m).length === 0), 15_000);

  beforeEach(() => {
    // Connections of other suites' sessions (none should be open) are never cut.
    keep = freshFixture().sessionPids();
  });
  afterEach(async () => {
    fixture().setFault('none');
    await settled();
  });

  it('during the write: the temp file is removed, and a new connection says the old .env is in place', async () => {
    const fx = fixture();
    const before = fx.readEnv();
    // A reader holds the lock, so our write waits with its temp file made; then the connection dies.
    const lock = await fx.holdReadLock();
    let result: Promise<unknown>;
    try {
      result = findingOf(() => pushToken(opts()));
      assert.ok(await until(() => temps().length === 1), 'the write has made its temp file');
      assert.ok(fx.cutSessions(keep).length > 0, 'a session was cut');
    } finally {
      lock.release();
    }
    const f = (await result!) as Awaited<ReturnType<typeof findingOf>>;
    assert.deepEqual([f.code, f.details?.outcome], ['connection-lost', 'unchanged'], `${f.title} ${JSON.stringify(f.details)}`);
    assert.match(f.details?.reason ?? '', /new connection shows the old content still in place/);
    assert.ok(await settled(), 'the orphaned write script ended');
    assert.deepEqual(temps(), [], 'no temp file (part of a token) left beside the .env');
    assert.ok(fx.readEnv().equals(before), 'the .env is untouched');
    assert.deepEqual(fx.backups(), [], 'and no backup was made for a write that did not happen');
  });

  it('during the write, through the CLI: exit 1, connection-lost with the old file in place (not outcome-unknown)', async () => {
    const fx = fixture();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-cut-'));
    try {
      const before = fx.readEnv();
      const lock = await fx.holdReadLock();
      let run: ReturnType<typeof runBin>;
      try {
        run = runBin(
          ['push-env', '--json', '--no-restart', '--value-stdin', '--host', fx.host, '--port', String(fx.port), '--user', fx.user, '--identity', fx.keys.plain, '--known-hosts', fx.knownHostsPath, '--env-path', fx.envPath, '--service', fx.service, '--state-dir', path.join(dir, 'state')],
          { HOME: dir, XDG_CONFIG_HOME: dir },
          `${newToken()}\n`,
        );
        assert.ok(await until(() => temps().length === 1, 20_000), 'the write has made its temp file');
        assert.ok(fx.cutSessions(keep).length > 0);
      } finally {
        lock.release();
      }
      const r = await run!;
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.deepEqual([r.json.error.code, r.json.error.details.outcome], ['connection-lost', 'unchanged']);
      assert.match(r.json.error.details.reason, /old content still in place/);
      assert.ok(await settled());
      assert.deepEqual(temps(), []);
      assert.ok(fx.readEnv().equals(before));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('between the rename and the restart: the error says the new .env is written and names the backup', async () => {
    const fx = fixture();
    const before = fx.readEnv();
    const calls = fx.callsLog().length;
    const o = opts({ restart: true, restartOptions: { settleMs: 200, pollMs: 100 } });
    const f = await findingOf(() =>
      pushToken({
        ...o,
        onStep: (s) => {
          if (s === 'restart') assert.ok(fx.cutSessions(keep).length > 0);
        },
      }),
    );
    assert.equal(f.code, 'connection-lost', f.title);
    assert.deepEqual([f.details?.written, typeof f.details?.backup], ['true', 'string']);
    assert.equal(readEnvKey(fx.readEnv(), KEY), o.value, 'the new token is in place');
    assert.ok(fs.readFileSync(f.details!.backup).equals(before), 'the named backup holds the old .env');
    assert.deepEqual(temps(), []);
    assert.doesNotMatch(fx.callsLog().slice(calls), /systemctl restart/, 'the restart never reached the server');
  });

  it('during the restart: the error says the new .env is written; the restart finishes on the server', async () => {
    const fx = fixture();
    fx.setFault('delay 2');
    const calls = fx.callsLog().length;
    const o = opts({ restart: true, restartOptions: { settleMs: 200, pollMs: 100 } });
    const pushing = findingOf(() => pushToken(o));
    assert.ok(await until(() => /uid=0 systemctl restart -- /.test(fx.callsLog().slice(calls)), 20_000), 'the restart is running');
    assert.ok(fx.cutSessions(keep).length > 0);
    const f = await pushing;
    assert.equal(f.code, 'connection-lost', f.title);
    assert.equal(f.details?.written, 'true');
    assert.ok(f.details?.backup?.includes('.env.bak-'));
    assert.equal(readEnvKey(fx.readEnv(), KEY), o.value);
    // The restart runs as root under its own time limit, so the cut does not leave it half-done.
    assert.ok(await until(() => fx.serviceState() === 'active', 15_000), 'the service came up on the new token');
    assert.deepEqual(temps(), []);
  });
});
