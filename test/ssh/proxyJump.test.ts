// ProxyJump: the fixture reached through a second real OpenSSH server (AllowTcpForwarding yes), each host key
// checked on its own; the fixture's own server (forwarding off) refuses to be a jump host, as OpenSSH does.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import { connect } from '../../src/core/ssh/connect';
import { jumpHostsFor } from '../../src/core/ssh/jumpHosts';
import { localSshEnv, openSshConfig, resolveSshHost } from '../../src/core/ssh/sshConfig';
import { StateStore } from '../../src/core/token/stateFiles';
import { runCli } from '../cli/run';
import { startSshd, type SshdFixture } from '../sshd/fixture';
import { fixture, newToken } from './hooks';

describe('ProxyJump through a second OpenSSH server', function () {
  this.timeout(120_000);
  let bastion: SshdFixture;

  before(async function () {
    this.timeout(180_000);
    const old = process.env.SSHD_ALLOW_TCP_FORWARDING;
    process.env.SSHD_ALLOW_TCP_FORWARDING = 'yes';
    try {
      bastion = await startSshd();
    } finally {
      if (old === undefined) delete process.env.SSHD_ALLOW_TCP_FORWARDING;
      else process.env.SSHD_ALLOW_TCP_FORWARDING = old;
    }
  });
  after(async function () {
    this.timeout(60_000);
    await bastion?.stop();
  });

  const hop = (fx: SshdFixture, knownHostsText = fx.knownHostsText) => ({
    host: fx.host,
    port: fx.port,
    username: fx.user,
    privateKey: fs.readFileSync(fx.keys.plain),
    knownHostsText,
  });

  it('reaches the server through the jump host, with the final server pinned; closing closes the chain', async () => {
    const fx = fixture();
    const s = await connect(fx.connectOptions({ knownHostsText: '', pinnedFingerprint: fx.fingerprints.ed25519, jump: [hop(bastion)] }));
    try {
      assert.equal(s.hostKey.via, 'pin');
      const r = await s.exec('id -un');
      assert.equal(r.stdout.toString().trim(), fx.user);
    } finally {
      s.close();
    }
    // The bastion saw a forward to the fixture's port: the connection really went through it.
    assert.match(bastion.sshdLog(), new RegExp(`direct-tcpip|port ${fx.port}|Connection from`));
  });

  it('an unknown jump host is refused (never asked), naming it', async () => {
    const fx = fixture();
    let asked = false;
    await assert.rejects(
      connect(fx.connectOptions({ jump: [hop(bastion, '')], onUnknownHost: async () => ((asked = true), 'once') })),
      (e: { finding?: { code?: string; details?: Record<string, string> } }) => e.finding?.code === 'host-key-unknown' && e.finding.details?.jumpHost === 'true' && e.finding.details.port === String(bastion.port),
    );
    assert.equal(asked, false);
  });

  it('a jump host with forwarding off refuses with a reason that names AllowTcpForwarding', async () => {
    const fx = fixture();
    await assert.rejects(connect(bastion.connectOptions({ jump: [hop(fx)] })), (e: { finding?: { details?: Record<string, string> } }) => /AllowTcpForwarding/.test(e.finding?.details?.reason ?? ''));
  });

  it('the CLI follows ~/.ssh/config ProxyJump (alias hops), checks both host keys in known_hosts, pushes and runs the doctor', async () => {
    const fx = fixture();
    fx.resetEnv();
    fx.setSudoMode('nopasswd');
    fx.setEnvMode('envfile');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-jump-'));
    try {
      fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
      fs.writeFileSync(path.join(home, '.ssh', 'config'), [
        'Host chatbot', '  HostName 127.0.0.1', `  Port ${fx.port}`, `  User ${fx.user}`, `  IdentityFile ${fx.keys.plain}`, '  ProxyJump bastion',
        'Host bastion', '  HostName 127.0.0.1', `  Port ${bastion.port}`, `  User ${bastion.user}`, `  IdentityFile ${bastion.keys.plain}`, '',
      ].join('\n'));
      const knownHosts = path.join(home, 'known_hosts');
      fs.writeFileSync(knownHosts, fx.knownHostsText + bastion.knownHostsText);
      const state = path.join(home, 'state');
      const token = newToken();
      await new StateStore(state).tokenStore('default', undefined).writeToken({ accessToken: token, obtainedAt: Date.now(), expiresAt: Date.now() + 3600_000 });
      const flags = ['--host', 'chatbot', '--known-hosts', knownHosts, '--env-path', fx.envPath, '--service', fx.service, '--state-dir', state];
      const push = await runCli(['push-env', '--json', ...flags], { HOME: home }, '', 60_000);
      assert.equal(push.code, 0, push.stdout + push.stderr);
      assert.equal(readEnvKey(fx.readEnv(), 'SALESIQ_ACCESS_TOKEN'), token);
      const doctor = await runCli(['doctor', '--json', ...flags], { HOME: home }, '', 60_000);
      const st = Object.fromEntries(doctor.json.checks.map((c: { id: string; status: string }) => [c.id, c.status]));
      assert.deepEqual([st['host-key'], st.login, st.sudo, st['service-token']], ['pass', 'pass', 'pass', 'pass'], doctor.stdout);
      // Without the bastion's key in known_hosts the jump is refused.
      fs.writeFileSync(knownHosts, fx.knownHostsText);
      const refused = await runCli(['push-env', '--json', ...flags], { HOME: home }, '', 60_000);
      assert.equal(refused.code, 3);
      assert.equal(refused.json.error.code, 'host-key-unknown');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('the path VS Code takes (src/vscode/remote/target.ts: ~/.ssh/config with Include, then jumpHostsFor) goes through the bastion', async () => {
    const fx = fixture();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-jump-'));
    const marker = path.join(home, 'exec-ran');
    try {
      fs.mkdirSync(path.join(home, '.ssh', 'conf.d'), { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(home, '.ssh', 'config'), [
        'Include conf.d/*.conf', `Match exec "touch ${marker}"`, '  User nobody',
        'Host chatbot', '  HostName 127.0.0.1', `  Port ${fx.port}`, `  User ${fx.user}`, `  IdentityFile ${fx.keys.plain}`, '  ProxyJump bastion', '',
      ].join('\n'));
      fs.writeFileSync(path.join(home, '.ssh', 'conf.d', 'bastion.conf'), ['Host bastion', '  HostName 127.0.0.1', `  Port ${bastion.port}`, `  User ${bastion.user}`, `  IdentityFile ${bastion.keys.plain}`, ''].join('\n'));
      const cfg = openSshConfig(home);
      const env = localSshEnv(home);
      const t = resolveSshHost(cfg, 'chatbot', env);
      assert.match(t.warnings.join('\n'), /Match exec .* skipped/);
      const open = (knownHostsText: string) =>
        connect({
          host: t.hostName,
          port: t.port,
          username: t.user!,
          privateKey: fs.readFileSync(t.identityFiles[0]),
          knownHostsText: fx.knownHostsText,
          jump: jumpHostsFor(cfg, 'chatbot', env, { knownHostsText, defaultUser: 'nobody' }),
        });
      const s = await open(fx.knownHostsText + bastion.knownHostsText);
      try {
        assert.equal((await s.exec('id -un')).stdout.toString().trim(), fx.user);
        assert.equal(s.hostKey.via, 'known_hosts');
      } finally {
        s.close();
      }
      // The same config without the bastion in known_hosts is refused at the bastion: the connection went through it.
      await assert.rejects(open(fx.knownHostsText), (e: { finding?: { code?: string; details?: Record<string, string> } }) =>
        e.finding?.code === 'host-key-unknown' && e.finding.details?.jumpHost === 'true' && e.finding.details.port === String(bastion.port));
      assert.equal(fs.existsSync(marker), false, 'Match exec must never run');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
