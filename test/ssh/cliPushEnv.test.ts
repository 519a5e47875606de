/** `push-env` and `logs -n` as a script runs them: the built CLI against the real OpenSSH fixture. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import { tokenHashPrefix } from '../../src/core/flows/push';
import { runCli } from '../cli/run';
import { cacheNewToken, fixtureFlags, useCliWorkspace } from './cliWorkspace';
import { fixture, newToken } from './hooks';

const KEY = 'SALESIQ_ACCESS_TOKEN';

describe('salesiq-devkit push-env and logs against OpenSSH', function () {
  this.timeout(60_000);
  let dir: string;
  let stateDir: string;
  let home: string;

  useCliWorkspace('clissh', {}, (w) => ({ dir, stateDir } = w));
  beforeEach(() => {
    home = path.join(dir, 'home');
    fs.mkdirSync(home);
  });
  const sshFlags = fixtureFlags;
  const env = (extra: Record<string, string> = {}) => ({ HOME: home, XDG_CONFIG_HOME: dir, ...extra });
  const run = (args: string[], extra: Record<string, string> = {}, stdin = '') => runCli([...args, '--state-dir', stateDir], env(extra), stdin, 45_000);

  const cacheToken = (expiresInMs?: number) => cacheNewToken(stateDir, expiresInMs);

  it('push-env --json writes the cached token, restarts, and the service log proves the NEW token is live', async () => {
    const fx = fixture();
    const token = await cacheToken();
    const calls = fx.callsLog().length;
    const r = await run(['push-env', '--json', ...sshFlags()]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(readEnvKey(fx.readEnv(), KEY), token);
    assert.equal(r.json.ok, true);
    assert.equal(r.json.profile, 'default');
    assert.ok(r.json.remainingSeconds > 3500);
    assert.deepEqual([r.json.changed, r.json.restarted, r.json.active, r.json.tokenLive], [true, true, true, true]);
    assert.ok(r.json.backup && fs.existsSync(r.json.backup), 'the backup exists');
    assert.equal(r.json.newTokenHashPrefix, tokenHashPrefix(token));
    assert.ok(r.json.journal.some((l: string) => l.includes(`sha256:${tokenHashPrefix(token)}`)));
    assert.match(fx.callsLog().slice(calls), /uid=0 systemctl restart -- llm-chatbot\n/);
    assert.ok(!r.stdout.includes(token) && !r.stderr.includes(token), 'the token is never printed');
  });

  it('--value-stdin writes the first line of stdin (its expiry unknown: null)', async () => {
    const fx = fixture();
    const value = newToken();
    const r = await run(['push-env', '--json', '--value-stdin', ...sshFlags()], {}, `${value}\nsecond line ignored\n`);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(readEnvKey(fx.readEnv(), KEY), value);
    assert.deepEqual([r.json.expiresAt, r.json.remainingSeconds], [null, null]);
  });

  it('--no-restart writes the file and leaves the service alone', async () => {
    const fx = fixture();
    const token = await cacheToken();
    const calls = fx.callsLog().length;
    const r = await run(['push-env', '--json', '--no-restart', ...sshFlags()]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(readEnvKey(fx.readEnv(), KEY), token);
    assert.equal(r.json.restarted, false);
    assert.doesNotMatch(fx.callsLog().slice(calls), /systemctl restart/);
  });

  it('an unknown host key exits 3 (host-key / trust-host) with the fingerprint, writes nothing; --fingerprint pins it', async () => {
    const fx = fixture();
    await cacheToken();
    const before = fx.readEnv();
    const empty = path.join(dir, 'known_hosts.empty');
    fs.writeFileSync(empty, '');
    const r = await run(['push-env', '--json', ...sshFlags({ '--known-hosts': empty })]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.deepEqual([r.json.error.category, r.json.error.action, r.json.error.code], ['host-key', 'trust-host', 'host-key-unknown']);
    const shown = [fx.fingerprints.ed25519, fx.fingerprints.ecdsa].find((f) => r.json.error.explanation.includes(f));
    assert.ok(shown, `the fingerprint is in the explanation: ${r.json.error.explanation}`);
    assert.match(r.json.error.explanation, /--fingerprint SHA256:/);
    assert.ok(fx.readEnv().equals(before));

    const pinned = await run(['push-env', '--json', ...sshFlags({ '--known-hosts': empty, '--fingerprint': shown! })]);
    assert.equal(pinned.code, 0, pinned.stdout + pinned.stderr);
    assert.equal(pinned.json.hostKey.via, 'pin');
  });

  it('a changed host key (a pin that does not match) is a hard failure: exit 1, nothing written', async () => {
    const fx = fixture();
    await cacheToken();
    const before = fx.readEnv();
    const r = await run(['push-env', '--json', ...sshFlags({ '--fingerprint': `SHA256:${'A'.repeat(43)}` })]);
    assert.equal(r.code, 1, r.stdout);
    assert.deepEqual([r.json.error.category, r.json.error.code, r.json.error.action], ['host-key', 'host-key-changed', 'contact-support']);
    assert.ok(fx.readEnv().equals(before));
  });

  it('an alias from ~/.ssh/config works as --host', async () => {
    const fx = fixture();
    const token = await cacheToken();
    fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
    fs.writeFileSync(path.join(home, '.ssh', 'config'), `Host chatbot-prod\n  HostName ${fx.host}\n  Port ${fx.port}\n  User ${fx.user}\n  IdentityFile ${fx.keys.plain}\n`);
    const r = await run(['push-env', '--json', ...sshFlags({ '--host': 'chatbot-prod', '--port': null, '--user': null, '--identity': null })]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual([r.json.host, r.json.port, r.json.user], [fx.host, fx.port, fx.user]);
    assert.equal(readEnvKey(fx.readEnv(), KEY), token);
  });

  it('logs in through ssh-agent (SSH_AUTH_SOCK) when no identity is given', async () => {
    const fx = fixture();
    const token = await cacheToken();
    const r = await run(['push-env', '--json', '--no-restart', ...sshFlags({ '--identity': null })], { SSH_AUTH_SOCK: fx.agentSocket });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(readEnvKey(fx.readEnv(), KEY), token);
  });

  it('takes the server settings from the config file; flags win', async () => {
    const fx = fixture();
    const token = await cacheToken();
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ server: { host: fx.host, port: fx.port, user: fx.user, identityFile: fx.keys.plain, knownHostsFile: fx.knownHostsPath, envPath: '/nonexistent/.env', service: fx.service, restart: false } }));
    const r = await run(['push-env', '--json', '--config', config, '--env-path', fx.envPath]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.json.envFile, fx.envPath);
    assert.equal(r.json.restarted, false, 'restart: false from the config file');
    assert.equal(readEnvKey(fx.readEnv(), KEY), token);
  });

  it('password sudo takes SALESIQ_SUDO_PASSWORD from the environment and never prints it; without it: exit 3', async () => {
    const fx = fixture();
    fx.setSudoMode('password');
    const token = await cacheToken();
    const missing = await run(['push-env', '--json', '--sudo', 'password', ...sshFlags()]);
    assert.equal(missing.code, 3);
    assert.match(missing.json.error.explanation, /SALESIQ_SUDO_PASSWORD/);
    const r = await run(['push-env', '--json', '--sudo', 'password', ...sshFlags()], { SALESIQ_SUDO_PASSWORD: fx.password });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(readEnvKey(fx.readEnv(), KEY), token);
    assert.ok(!r.stdout.includes(fx.password) && !r.stderr.includes(fx.password));
  });

  it('refuses to push an expired cached token, before connecting', async () => {
    const fx = fixture();
    await cacheToken(-60_000);
    const accepted = (fx.sshdLog().match(/Accepted publickey/g) ?? []).length;
    const r = await run(['push-env', '--json', ...sshFlags()]);
    assert.equal(r.code, 1);
    assert.deepEqual([r.json.error.code, r.json.error.action], ['token-expired', 'refresh']);
    assert.equal((fx.sshdLog().match(/Accepted publickey/g) ?? []).length, accepted);
  });

  it('rejects a bad --sudo or --fingerprint as a usage error (exit 2)', async () => {
    await cacheToken();
    assert.equal((await run(['push-env', ...sshFlags(), '--sudo', 'always'])).code, 2);
    assert.equal((await run(['push-env', ...sshFlags(), '--fingerprint', 'MD5:aa:bb'])).code, 2);
  });

  it('logs -n 3 prints the last three journal lines of the service', async () => {
    const fx = fixture();
    await cacheToken();
    assert.equal((await run(['push-env', ...sshFlags()])).code, 0);
    const r = await run(['logs', '-n', '3', '--json', ...sshFlags()]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const last3 = fx.journalLog().trimEnd().split('\n').slice(-3);
    assert.deepEqual(r.json.journal, last3);
    const human = await run(['logs', '-n', '2', ...sshFlags()]);
    assert.deepEqual(human.stdout.trimEnd().split('\n'), last3.slice(-2));
  });
});
