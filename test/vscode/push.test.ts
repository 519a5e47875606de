/**
 * The server push as a user runs it, inside a real VS Code, against the private OpenSSH server of
 * test/sshd (real sshd, sudo and file ownership; fake systemctl/journalctl). The suite runs under
 * test/sshd/withFixture, which passes the server's state directory in SALESIQ_SSHD_STATE; the extension host
 * runs as root, so these helpers check results on the files directly.
 */
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import type { Finding } from '../../src/core/errors/finding';
import { fingerprintOf } from '../../src/core/ssh/knownHosts';
import type { DevKitApi } from '../../src/extension';
import type { Outcome } from '../../src/vscode/remote/outcome';
import type { PushDone } from '../../src/vscode/remote/push';
import type { RestoreDone } from '../../src/vscode/remote/restore';
import type { ConnectionReport } from '../../src/vscode/remote/testConnection';
import { SANDBOX_DEFAULTS, type ZohoSandbox } from '../sandbox/zohoSandbox';
import { startSshd } from '../sshd/fixture';
import { devkit, setSetting, startSandbox, waitFor } from './helpers';
import { attach, resetEnv as resetEnvOf, serviceState as serviceStateOf, setFault as setFaultOf, setSudoMode as setSudoModeOf, type SshdState, useServer } from './sshdState';

const KEY = 'SALESIQ_ACCESS_TOKEN';
const USER = SANDBOX_DEFAULTS.user;
const TOKEN = `1000.${'ab12'.repeat(8)}.${'cd34'.repeat(8)}`;

const sha12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

describe('pushing the token to a real OpenSSH server from VS Code', function () {
  this.timeout(60_000);
  let fx: SshdState;
  let api: DevKitApi;
  let sandbox: ZohoSandbox;
  let tmp: string;
  const saved: Record<string, unknown> = {};
  const REMOTE_KEYS = ['host', 'port', 'user', 'identityFile', 'knownHostsFile', 'hostFingerprint', 'envPath', 'service', 'sudo'].map((k) => `remote.${k}`);
  const SAVED_KEYS = ['profiles', 'activeProfile', 'autoRefresh', 'autoPush', 'accountsUrl', 'salesiqUrl', ...REMOTE_KEYS];

  const appDir = () => path.dirname(fx.envPath);
  const readEnv = () => fs.readFileSync(fx.envPath);
  const backups = () => fs.readdirSync(appDir()).filter((n) => n.startsWith('.env.bak-')).sort();
  const serviceState = () => serviceStateOf(fx);
  const sudoLog = () => fs.readFileSync(fx.sudoLog, 'utf8');
  const resetEnv = () => resetEnvOf(fx);
  const setSudoMode = (mode: 'nopasswd' | 'password') => setSudoModeOf(fx, mode);
  const setFault = (mode: 'none' | 'restart-fail') => setFaultOf(fx, mode);
  const knownHostsFile = (name: string, text: string) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, text);
    return f;
  };
  /** The expected .env after a push: the initial bytes with only the token line replaced. */
  const withToken = (before: Buffer, token: string) => Buffer.from(before.toString('latin1').replace(/^SALESIQ_ACCESS_TOKEN=.*$/m, `${KEY}=${token}`), 'latin1');

  /** Runs `fn` with variables of this (the extension host's) environment changed, e.g. HOME or SSH_AUTH_SOCK. */
  async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => PromiseLike<T>): Promise<T> {
    const old = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    const apply = (v: Record<string, string | undefined>) => {
      for (const [k, x] of Object.entries(v)) if (x === undefined) delete process.env[k]; else process.env[k] = x;
    };
    apply(vars);
    try {
      return await fn();
    } finally {
      apply(old);
    }
  }
  const testConnection = (args: Record<string, unknown> = {}) => vscode.commands.executeCommand<Outcome<ConnectionReport>>('salesiq.testSshConnection', args);
  const push = (args: Record<string, unknown> = {}) => vscode.commands.executeCommand<Outcome<PushDone>>('salesiq.pushToServer', { confirm: false, ...args });
  const failed = (r: Outcome<object>): Finding => {
    assert.ok(!r.ok && r.finding, `expected a failure, got ${JSON.stringify(r)}`);
    return r.finding;
  };
  const done = <T extends object>(r: Outcome<T>): T & { ok: true } => {
    assert.ok(r.ok, `expected success, got ${JSON.stringify(r)}`);
    return r;
  };
  const setupProfile = (issuedMinutesAgo: number, accessToken = TOKEN) =>
    vscode.commands.executeCommand('salesiq.setupCredentials', {
      profile: 'push',
      dataCenter: 'in',
      clientId: USER.clientId,
      clientSecret: USER.clientSecret,
      refreshToken: USER.refreshTokens[0],
      accessToken,
      issuedMinutesAgo,
    });

  before(async () => {
    fx = attach();
    api = await devkit();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-push-'));
    const cfg = vscode.workspace.getConfiguration('salesiq');
    for (const key of SAVED_KEYS) saved[key] = cfg.inspect(key)?.globalValue;
    sandbox = await startSandbox();
    await setSetting('autoPush', false);
    assert.strictEqual(await setupProfile(10), true);
  });

  beforeEach(async () => {
    resetEnv();
    setSudoMode('nopasswd');
    setFault('none');
    await useServer(fx);
  });

  after(async () => {
    if (!fx) return;
    await vscode.commands.executeCommand('salesiq.stopFollowingServerLogs');
    await vscode.commands.executeCommand('salesiq.forgetCredentials', { confirm: false });
    for (const [key, value] of Object.entries(saved)) await setSetting(key, value);
    await sandbox?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    await waitFor('another profile active', () => api.controller.profile.name !== 'push');
  });

  it('pushes the active token with a pinned fingerprint and NOPASSWD sudo: one line changes, the service runs with it', async () => {
    await setSetting('remote.knownHostsFile', knownHostsFile('empty_known_hosts', ''));
    await setSetting('remote.hostFingerprint', fx.fingerprints.ed25519);
    const before = readEnv();
    const st0 = fs.statSync(fx.envPath);

    const r = done(await push());

    assert.ok(readEnv().equals(withToken(before, TOKEN)), 'only the token line changed');
    assert.strictEqual(r.changed, true);
    assert.ok(r.backup && fs.readFileSync(r.backup).equals(before), 'the backup holds the old bytes');
    const st1 = fs.statSync(fx.envPath);
    assert.deepStrictEqual([st1.uid, st1.gid, st1.mode & 0o777], [st0.uid, st0.gid, 0o640]);
    assert.strictEqual(r.active, true);
    assert.strictEqual(serviceState(), 'active');
    assert.ok(r.journal.some((l) => l.includes(`loaded ${KEY} sha256:${sha12(TOKEN)}`)), r.journal.join('\n'));
    assert.ok(!r.journal.join('\n').includes(TOKEN), 'journal lines come back with the token masked');
    assert.ok(!sudoLog().includes(TOKEN), 'the token never appeared in a sudo command line');
    assert.match(api.statusBar.current.tooltip, /Last push \| \$\(check\) pushed to/);
  });

  it('an unknown host answered "reject" stops before anything is read or written', async () => {
    await setSetting('remote.knownHostsFile', knownHostsFile('empty_known_hosts', ''));
    const before = readEnv();
    const f = failed(await push({ hostKeyAnswer: 'reject' }));
    assert.strictEqual(f.code, 'host-key-unknown');
    assert.ok(f.explanation.includes(fx.fingerprints.ed25519), f.explanation);
    assert.ok(readEnv().equals(before));
    assert.deepStrictEqual(backups(), []);
  });

  it('"trust once" connects without pinning; "trust and pin" stores the fingerprint', async () => {
    await setSetting('remote.knownHostsFile', knownHostsFile('empty_known_hosts', ''));
    const test = (hostKeyAnswer: string) => testConnection({ hostKeyAnswer });
    const once = done(await test('once'));
    assert.deepStrictEqual([once.via, once.fingerprint, once.sudo, once.keyPresent], ['accepted-once', fx.fingerprints.ed25519, 'nopasswd', true]);
    assert.strictEqual(vscode.workspace.getConfiguration('salesiq.remote').get('hostFingerprint'), '');
    assert.strictEqual(done(await test('pin')).via, 'accepted-pin');
    assert.strictEqual(vscode.workspace.getConfiguration('salesiq.remote').get('hostFingerprint'), fx.fingerprints.ed25519);
    assert.strictEqual(done(await test('reject')).via, 'pin', 'the pin now trusts the host without asking');
  });

  it('an encrypted key: never asks when it may not, refuses a wrong passphrase, keeps the right one', async () => {
    await setSetting('remote.identityFile', fx.keys.encrypted);
    await withEnv({ SSH_AUTH_SOCK: undefined }, async () => {
      assert.strictEqual(failed(await testConnection({ interactive: false })).code, 'needs-answer');
      assert.strictEqual(failed(await testConnection({ passphrase: 'not-the-passphrase' })).code, 'passphrase');
      assert.strictEqual(failed(await testConnection({ interactive: false })).code, 'needs-answer', 'the wrong passphrase was not kept');
      done(await testConnection({ passphrase: fx.passphrase }));
      done(await testConnection({ interactive: false }));
    });
  });

  it('a ~/.ssh/config alias supplies HostName, Port, User and IdentityFile; the ssh-agent works without a key file', async () => {
    const home = path.join(tmp, 'home');
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
    fs.writeFileSync(path.join(home, '.ssh', 'config'), `Host chatbot-prod\n  HostName ${fx.host}\n  Port ${fx.port}\n  User ${fx.user}\n  IdentityFile ${fx.keys.plain}\n`);
    for (const [k, v] of Object.entries({ host: 'chatbot-prod', port: undefined, user: undefined, identityFile: undefined })) await setSetting(`remote.${k}`, v);
    const viaAlias = done(await withEnv({ HOME: home, SSH_AUTH_SOCK: undefined }, () => testConnection()));
    assert.deepStrictEqual([viaAlias.host, viaAlias.port, viaAlias.user], [fx.host, fx.port, fx.user]);

    for (const [k, v] of Object.entries({ host: fx.host, port: fx.port, user: fx.user })) await setSetting(`remote.${k}`, v);
    done(await withEnv({ HOME: path.join(tmp, 'no-home'), SSH_AUTH_SOCK: fx.agentSocket }, () => testConnection()));
  });

  it('a ~/.ssh/config ProxyJump: Push goes through a second real OpenSSH server, each host key checked in known_hosts', async function () {
    this.timeout(240_000);
    // The bastion allows TCP forwarding (the suite's own server does not, as a production server often does not).
    const bastion = await withEnv({ SSHD_ALLOW_TCP_FORWARDING: 'yes' }, () => startSshd());
    try {
      const home = path.join(tmp, 'jump-home');
      fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(home, '.ssh', 'config'), [
        'Host chatbot-behind', `  HostName ${fx.host}`, `  Port ${fx.port}`, `  User ${fx.user}`, `  IdentityFile ${fx.keys.plain}`, '  ProxyJump bastion',
        'Host bastion', `  HostName ${bastion.host}`, `  Port ${bastion.port}`, `  User ${bastion.user}`, `  IdentityFile ${bastion.keys.plain}`, '',
      ].join('\n'));
      const both = knownHostsFile('jump_known_hosts', fs.readFileSync(fx.knownHosts, 'utf8') + bastion.knownHostsText);
      for (const [k, v] of Object.entries({ host: 'chatbot-behind', port: undefined, user: undefined, identityFile: undefined, knownHostsFile: both })) await setSetting(`remote.${k}`, v);
      const before = readEnv();

      const r = done(await withEnv({ HOME: home, SSH_AUTH_SOCK: undefined }, () => push()));

      assert.ok(readEnv().equals(withToken(before, TOKEN)), 'the token reached the server behind the bastion');
      assert.strictEqual(r.active, true);
      await waitFor('the bastion logs the login', () => bastion.sshdLog().includes(`Accepted publickey for ${bastion.user} `));
      // Without the bastion's key in known_hosts the jump is refused, naming the jump host, and nothing changes.
      resetEnv();
      await setSetting('remote.knownHostsFile', knownHostsFile('target_only_known_hosts', fs.readFileSync(fx.knownHosts, 'utf8')));
      const f = failed(await withEnv({ HOME: home, SSH_AUTH_SOCK: undefined }, () => push({ hostKeyAnswer: 'reject' })));
      assert.deepStrictEqual([f.code, f.details?.jumpHost, f.details?.port], ['host-key-unknown', 'true', String(bastion.port)]);
      assert.ok(readEnv().equals(before), 'nothing written when the jump host is not trusted');
    } finally {
      await bastion.stop();
    }
  });

  it('a changed host key is a hard stop that names both fingerprints', async () => {
    const strangerBlob = fs.readFileSync(`${fx.keys.stranger}.pub`, 'utf8').split(/\s+/)[1];
    await setSetting('remote.knownHostsFile', knownHostsFile('changed_known_hosts', `[${fx.host}]:${fx.port} ssh-ed25519 ${strangerBlob}\n`));
    const before = readEnv();
    const f = failed(await push({ hostKeyAnswer: 'once' }));
    assert.strictEqual(f.code, 'host-key-changed');
    assert.ok(f.explanation.includes(fx.fingerprints.ed25519) && f.explanation.includes(fingerprintOf(Buffer.from(strangerBlob, 'base64'))), f.explanation);
    assert.ok(readEnv().equals(before));
    assert.deepStrictEqual(backups(), []);
  });

  it('Restore puts the previous .env back through the same safe write and restarts the service', async () => {
    const before = readEnv();
    const pushed = done(await push());
    const oldToken = readEnvKey(before, KEY)!;
    const r = done(await vscode.commands.executeCommand<Outcome<RestoreDone>>('salesiq.restoreEnv', { backup: pushed.backup, confirm: false }));
    assert.ok(readEnv().equals(before), 'the old file is back byte for byte');
    assert.strictEqual(r.restoredFrom, pushed.backup);
    assert.ok(r.backup && fs.readFileSync(r.backup).equals(withToken(before, TOKEN)), 'the replaced file was backed up too');
    assert.ok(r.changes.some((c) => c.startsWith(`${KEY}: `)) && !r.changes.join().includes(oldToken), r.changes.join());
    assert.strictEqual(r.active, true);
    assert.ok(r.journal.some((l) => l.includes(`sha256:${sha12(oldToken)}`)), 'the service runs with the restored token');
  });

  it('a restart that fails says the new file is in place and where the old one is', async () => {
    setFault('restart-fail');
    const f = failed(await push());
    assert.strictEqual(f.code, 'job-failed');
    assert.strictEqual(readEnvKey(readEnv(), KEY), TOKEN);
    const backup = path.join(appDir(), backups()[0]);
    assert.ok(f.explanation.includes(backup), f.explanation);
  });

  it('password sudo: never asks when it may not, forgets a wrong password, stores a right one and uses it again', async () => {
    setSudoMode('password');
    const before = readEnv();
    assert.strictEqual(failed(await push({ interactive: false })).code, 'needs-answer');
    assert.strictEqual(failed(await push({ sudoPassword: 'not-the-password' })).code, 'password-wrong');
    assert.ok(readEnv().equals(before) && backups().length === 0, 'nothing written after a wrong password');
    assert.strictEqual(failed(await push({ interactive: false })).code, 'needs-answer', 'the wrong password was not kept');

    done(await push({ sudoPassword: fx.password }));
    assert.strictEqual(readEnvKey(readEnv(), KEY), TOKEN);
    resetEnv();
    const again = done(await push({ interactive: false }));
    assert.strictEqual(again.active, true, 'the stored password served without a prompt');
    assert.strictEqual(readEnvKey(readEnv(), KEY), TOKEN);
    assert.ok(!sudoLog().includes(fx.password) && !sudoLog().includes(TOKEN), 'no secret in any sudo command line');
  });

  it('Forget Credentials can forget the server\'s stored sudo password too', async () => {
    setSudoMode('password');
    done(await push({ sudoPassword: fx.password }));
    resetEnv();
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.forgetCredentials', { confirm: false, sudoPassword: true }), true);
    assert.strictEqual(await setupProfile(10), true);
    assert.strictEqual(failed(await push({ interactive: false })).code, 'needs-answer', 'no stored sudo password is left');
  });

  it('shows the recent server log, and follows it until stopped', async () => {
    done(await push());
    const recent = done(await vscode.commands.executeCommand<Outcome<{ lines: string[] }>>('salesiq.showServerLogs', { follow: false, lines: 5 }));
    assert.ok(recent.lines.length > 0 && recent.lines.length <= 5 && recent.lines.some((l) => l.includes(`sha256:${sha12(TOKEN)}`)), recent.lines.join('\n'));

    const follow = (args = {}) => vscode.commands.executeCommand<Outcome<{ lines: string[]; following: boolean }>>('salesiq.showServerLogs', { follow: true, lines: 0, ...args });
    assert.strictEqual(done(await follow()).following, true);
    resetEnv();
    done(await push());
    await waitFor('the restart in the followed log', async () => done(await follow()).lines.some((l) => l.includes(`sha256:${sha12(TOKEN)}`)));
    const stopped = await vscode.commands.executeCommand<{ stopped: boolean; lines: string[] }>('salesiq.stopFollowingServerLogs');
    assert.strictEqual(stopped.stopped, true);
    assert.ok(stopped.lines.some((l) => /Started .*\.service/.test(l)), stopped.lines.join('\n'));
  });

  it('refuses an expired token and offers the refresh, without connecting', async () => {
    assert.strictEqual(await setupProfile(61), true);
    try {
      const f = failed(await push());
      assert.deepStrictEqual([f.code, f.action], ['token-expired', 'refresh']);
      assert.deepStrictEqual(backups(), []);
    } finally {
      assert.strictEqual(await setupProfile(10), true);
    }
  });

  it('refuses a bad salesiq.remote.envPath or service name with a message naming the setting, before anything connects', async () => {
    const logins = () => (fs.readFileSync(path.join(fx.dir, 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length;
    const before = readEnv();
    const accepted = logins();
    const cases: [string, string, RegExp][] = [
      ['remote.envPath', '/etc/shadow', /^salesiq\.remote\.envPath: .*system directory/],
      ['remote.envPath', `${appDir()}/config.json`, /^salesiq\.remote\.envPath: .*not a \.env file name/],
      ['remote.envPath', 'relative/.env', /^salesiq\.remote\.envPath: .*not an absolute path/],
      ['remote.service', '--no-block', /^salesiq\.remote\.service: .*starts with "-"/],
      ['remote.service', 'app;reboot', /^salesiq\.remote\.service: .*not a systemd unit name/],
    ];
    try {
      for (const [key, value, why] of cases) {
        await setSetting(key, value);
        const f = failed(await push());
        assert.match(f.title, why, `${key}=${value}: ${f.title}`);
        assert.deepStrictEqual([f.category, f.action], ['config', 'fix-config']);
        await useServer(fx);
      }
    } finally {
      await useServer(fx);
    }
    assert.strictEqual(logins(), accepted, 'no connection was made');
    assert.ok(readEnv().equals(before));
    assert.deepStrictEqual(backups(), []);
  });

  it('auto-push: a token minted by the automatic refresh reaches the server, and the tooltip says so', async () => {
    const old = `1000.${'ef56'.repeat(8)}.${'0a0b'.repeat(8)}`;
    assert.strictEqual(await setupProfile(58, old), true);
    await setSetting('autoPush', true);
    await setSetting('autoRefresh', true);
    try {
      const fresh = await waitFor('an automatic refresh', () => (api.controller.token?.accessToken !== old ? api.controller.token?.accessToken : undefined), 45_000);
      await waitFor('the new token on the server', () => readEnvKey(readEnv(), KEY) === fresh, 30_000);
      await waitFor('the push state in the tooltip', () => /Last push \| \$\(check\) pushed to .*automatic/.test(api.statusBar.current.tooltip));
      assert.strictEqual(serviceState(), 'active');
      assert.match(fs.readFileSync(path.join(fx.svcDir, 'journal.log'), 'utf8'), new RegExp(`sha256:${sha12(fresh!)}`));
    } finally {
      await setSetting('autoRefresh', false);
      await setSetting('autoPush', false);
    }
  });
});
