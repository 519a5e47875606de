import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { connect } from '../../src/core/ssh/connect';
import type { UnknownHostInfo } from '../../src/core/ssh/connectOptions';
import type { SshSession } from '../../src/core/ssh/session';
import { fixture } from './hooks';
import { findingOf } from './expectFinding';

async function withSession<T>(s: SshSession, fn: (s: SshSession) => Promise<T>): Promise<T> {
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

describe('SSH connection against OpenSSH', function () {
  this.timeout(30_000);

  describe('host keys', () => {
    it('trusts the server through a plain known_hosts (ssh-keyscan) and reports the fingerprint ssh-keygen shows', async () => {
      const fx = fixture();
      await withSession(await connect(fx.connectOptions()), async (s) => {
        assert.equal(s.hostKey.via, 'known_hosts');
        assert.ok([fx.fingerprints.ed25519, fx.fingerprints.ecdsa].includes(s.hostKey.fingerprint));
        const r = await s.exec('echo ok');
        assert.equal(r.stdout.toString(), 'ok\n');
      });
    });

    it('trusts the server through a hashed known_hosts (ssh-keyscan -H)', async () => {
      const fx = fixture();
      assert.match(fx.knownHostsHashedText, /^\|1\|/);
      await withSession(await connect(fx.connectOptions({ knownHostsText: fx.knownHostsHashedText })), async (s) => {
        assert.equal(s.hostKey.via, 'known_hosts');
      });
    });

    it('trusts a pinned fingerprint without any known_hosts', async () => {
      const fx = fixture();
      const s = await connect(fx.connectOptions({ knownHostsText: '', pinnedFingerprint: fx.fingerprints.ed25519 }));
      await withSession(s, async () => assert.equal(s.hostKey.via, 'pin'));
    });

    it('stops hard on a wrong pin, naming both fingerprints', async () => {
      const fx = fixture();
      const wrong = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      const f = await findingOf(() => connect(fx.connectOptions({ pinnedFingerprint: wrong })));
      assert.equal(f.code, 'host-key-changed');
      assert.equal(f.details?.fingerprint, fx.fingerprints.ed25519);
      assert.equal(f.details?.knownFingerprints, wrong);
    });

    it('refuses an unknown host without a callback, giving the fingerprint', async () => {
      const fx = fixture();
      const f = await findingOf(() => connect(fx.connectOptions({ knownHostsText: '' })));
      assert.equal(f.code, 'host-key-unknown');
      assert.equal(f.action, 'trust-host');
      assert.equal(f.details?.fingerprint, fx.fingerprints.ed25519);
    });

    it('asks about an unknown host; rejecting stops before any login', async () => {
      const fx = fixture();
      const asked: UnknownHostInfo[] = [];
      const acceptedBefore = (fx.sshdLog().match(/Accepted publickey/g) ?? []).length;
      const f = await findingOf(() =>
        connect(fx.connectOptions({ knownHostsText: '', onUnknownHost: async (i) => (asked.push(i), 'reject') })),
      );
      assert.equal(f.code, 'host-key-unknown');
      assert.deepEqual(asked, [{ host: fx.host, port: fx.port, fingerprint: fx.fingerprints.ed25519, keyType: 'ssh-ed25519' }]);
      assert.equal((fx.sshdLog().match(/Accepted publickey/g) ?? []).length, acceptedBefore, 'no login happened');
    });

    it('connects after the user trusts an unknown host once, even after a slow answer', async () => {
      const fx = fixture();
      const s = await connect(
        fx.connectOptions({
          knownHostsText: '',
          readyTimeoutMs: 3000,
          // Longer than readyTimeout: the question is asked between connections, so it cannot time out.
          onUnknownHost: () => new Promise((resolve) => setTimeout(() => resolve('pin'), 3500)),
        }),
      );
      await withSession(s, async () => {
        assert.equal(s.hostKey.via, 'accepted-pin');
        assert.equal(s.hostKey.fingerprint, fx.fingerprints.ed25519);
        assert.equal((await s.exec('true')).code, 0);
      });
    }).timeout(30_000);

    it('stops hard when known_hosts lists a different key of the same type (changed key)', async () => {
      const fx = fixture();
      const other = fs.readFileSync(`${fx.keys.stranger}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
      let asked = false;
      const f = await findingOf(() =>
        connect(fx.connectOptions({ knownHostsText: `[127.0.0.1]:${fx.port} ${other}\n`, onUnknownHost: async () => ((asked = true), 'once') })),
      );
      assert.equal(f.code, 'host-key-changed');
      assert.equal(f.category, 'host-key');
      assert.equal(f.details?.fingerprint, fx.fingerprints.ed25519);
      assert.ok(f.details?.knownFingerprints?.startsWith('SHA256:'));
      assert.notEqual(f.details?.knownFingerprints, fx.fingerprints.ed25519);
      assert.equal(asked, false, 'a changed key is never offered for trust');
    });

    it('treats a known_hosts holding only the ecdsa key as unknown for ed25519, not as a changed key', async () => {
      const fx = fixture();
      const ecdsaOnly = fx.knownHostsText.split('\n').filter((l) => l.includes('ecdsa-sha2')).join('\n');
      let info: UnknownHostInfo | undefined;
      const s = await connect(fx.connectOptions({ knownHostsText: ecdsaOnly, onUnknownHost: async (i) => ((info = i), 'once') }));
      await withSession(s, async () => {
        assert.equal(info?.keyType, 'ssh-ed25519');
        assert.deepEqual(info?.knownFingerprints, [fx.fingerprints.ecdsa]);
        assert.equal(s.hostKey.via, 'accepted-once');
      });
    });
  });

  describe('authentication', () => {
    it('logs in with a passphrase-protected key and the right passphrase', async () => {
      const fx = fixture();
      const s = await connect(fx.connectOptions({ privateKey: fs.readFileSync(fx.keys.encrypted), passphrase: fx.passphrase }));
      await withSession(s, async () => assert.equal((await s.exec('true')).code, 0));
    });

    it('says "passphrase" for a wrong or missing passphrase, before connecting', async () => {
      const fx = fixture();
      const key = fs.readFileSync(fx.keys.encrypted);
      const wrong = await findingOf(() => connect(fx.connectOptions({ privateKey: key, passphrase: 'not-it' })));
      assert.deepEqual([wrong.code, wrong.details?.reason], ['passphrase', 'wrong']);
      const missing = await findingOf(() => connect(fx.connectOptions({ privateKey: key })));
      assert.deepEqual([missing.code, missing.details?.reason], ['passphrase', 'missing']);
    });

    it('logs in through ssh-agent with a key that exists only in the agent', async () => {
      const fx = fixture();
      const s = await connect(fx.connectOptions({ privateKey: undefined, agent: fx.agentSocket }));
      await withSession(s, async () => assert.equal((await s.exec('true')).code, 0));
      assert.match(fx.sshdLog(), new RegExp(`Accepted publickey for ${fx.user} .* ED25519`));
    });

    it('reports auth-failed for a key the server does not know', async () => {
      const fx = fixture();
      const f = await findingOf(() => connect(fx.connectOptions({ privateKey: fs.readFileSync(fx.keys.stranger) })));
      assert.equal(f.code, 'auth-failed');
    });

    it('reports refused for a closed port', async () => {
      const fx = fixture();
      const port = await closedPort();
      const f = await findingOf(() => connect(fx.connectOptions({ port })));
      assert.equal(f.code, 'refused');
    });
  });

  describe('exec', () => {
    it('returns exit code, stdout bytes and stderr, and feeds stdin', async () => {
      const fx = fixture();
      await withSession(await connect(fx.connectOptions()), async (s) => {
        const r = await s.exec('printf "a\\r\\nb"; echo oops >&2; exit 7');
        assert.equal(r.code, 7);
        assert.ok(r.stdout.equals(Buffer.from('a\r\nb')));
        assert.equal(r.stderr, 'oops\n');
        const c = await s.exec('wc -c', { stdin: Buffer.alloc(100_000, 1) });
        assert.equal(c.stdout.toString().trim(), '100000');
        assert.equal((await s.exec('cat')).code, 0, 'stdin is always ended, so cat returns');
      });
    });

    it('gives code undefined when the connection is lost mid-command', async () => {
      const fx = fixture();
      const s = await connect(fx.connectOptions());
      // Kills this session's own sshd process (the shell's parent): the connection drops with no exit status.
      const r = await s.exec('kill -9 $PPID; sleep 2');
      assert.equal(r.code, undefined);
      const next = await findingOf(() => s.exec('true'));
      assert.equal(next.code, 'connection-lost');
    });
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
