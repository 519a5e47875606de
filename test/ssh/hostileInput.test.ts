/**
 * Hostile flags, values and target files against the real OpenSSH fixture: nothing the user did not mean runs,
 * is read or is written, each refusal comes before the login where it can, and says what it is.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import { pushToken, type PushOptions } from '../../src/core/flows/push';
import { runBin, until } from './bin';
import { findingOf } from './expectFinding';
import { cacheNewToken, fixtureFlags, useCliWorkspace } from './cliWorkspace';
import { fixture, newToken } from './hooks';

const KEY = 'SALESIQ_ACCESS_TOKEN';
const logins = () => (fixture().sshdLog().match(/Accepted publickey/g) ?? []).length;
const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

describe('hostile input: flags, values and target files', function () {
  this.timeout(60_000);
  let dir: string;
  let stateDir: string;
  let made: string[] = [];

  const appDir = () => path.dirname(fixture().envPath);
  const flags = (over: Record<string, string | null> = {}) => fixtureFlags({ '--state-dir': stateDir, ...over });
  const run = (args: string[], stdin = '', env: Record<string, string> = {}) => runBin(args, { HOME: dir, XDG_CONFIG_HOME: dir, ...env }, stdin);
  const push = (extra: Partial<PushOptions> = {}): Promise<unknown> => {
    const fx = fixture();
    return pushToken({ connect: fx.connectOptions(), envPath: fx.envPath, key: KEY, value: newToken(), service: fx.service, sudo: 'auto', restart: false, ...extra });
  };
  /** A file in the app directory made as root for one test (removed afterwards). */
  const inApp = (name: string) => {
    const p = path.join(appDir(), name);
    made.push(p);
    return p;
  };

  useCliWorkspace('hostile', {}, (w) => ({ dir, stateDir } = w));
  beforeEach(() => cacheNewToken(stateDir));
  afterEach(() => {
    for (const p of made) fs.rmSync(p, { recursive: true, force: true });
    made = [];
  });

  it('--env-file is a usage error naming --env-path, and Node never loads that file (no NODE_OPTIONS from it)', async () => {
    const marker = path.join(dir, 'node-loaded-it');
    const hook = path.join(dir, 'hook.js');
    fs.writeFileSync(hook, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');\n`);
    const dotenv = path.join(dir, 'evil.env');
    fs.writeFileSync(dotenv, `NODE_OPTIONS=--require ${hook}\n`);
    const before = logins();
    for (const form of [['--env-file', dotenv], [`--env-file=${dotenv}`]]) {
      const r = await run(['push-env', ...flags({ '--env-path': null }), ...form]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--env-file is now --env-path/);
      assert.ok(!fs.existsSync(marker), 'Node did not run code named by the file');
    }
    // A path Node could not read would have made Node itself exit 9 before DevKit started.
    const missing = await run(['push-env', ...flags({ '--env-path': null }), '--env-file', path.join(dir, 'nope.env')]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.equal(logins(), before, 'no login');
  });

  it('refuses a hostile value for every string flag with exit 2 naming the flag, before any login', async () => {
    const fx = fixture();
    const before = fx.readEnv();
    const logged = logins();
    const touched = path.join(dir, 'pwned');
    const cases: [Record<string, string>, RegExp][] = [
      [{ '--host': `-oProxyCommand=touch ${touched}` }, /--host: .*starts with "-"/],
      [{ '--host': 'a;touch x' }, /--host: /],
      [{ '--user': '-l' }, /--user: .*starts with "-"/],
      [{ '--user': 'root x' }, /--user: /],
      [{ '--env-path': '/etc/shadow' }, /--env-path: .*system directory/],
      [{ '--env-path': 'app/.env' }, /--env-path: .*not an absolute path/],
      [{ '--env-path': `/tmp/$(touch ${touched})/.env` }, /--env-path: .*the character "\$"/],
      [{ '--env-path': "/tmp/it's/.env" }, /--env-path: .*single quote/],
      [{ '--env-path': '/tmp/a\nb/.env' }, /--env-path: .*control character/],
      [{ '--env-path': `${appDir()}/../app/.env` }, /--env-path: .*\.\. segments/],
      [{ '--env-path': path.join(appDir(), 'notes.txt') }, /--env-path: .*not a \.env file name.*--allow-any-name/],
      [{ '--key': 'A;touch x' }, /--key: .*not a variable name/],
      [{ '--key': '-q' }, /--key: /],
      [{ '--key': 'A.B' }, /--key: /],
      [{ '--service': '-q' }, /--service: .*starts with "-"/],
      [{ '--service': '--no-block' }, /--service/],
      [{ '--service': '-Hroot@127.0.0.1' }, /--service: /],
      [{ '--service': 'x;reboot' }, /--service: .*not a systemd unit name/],
      [{ '--sudo': '-k' }, /--sudo must be one of/],
      [{ '--port': '22;reboot' }, /--port must be a number/],
      [{ '--fingerprint': 'MD5:aa' }, /--fingerprint must look like/],
    ];
    for (const [over, why] of cases) {
      const r = await run(['push-env', ...flags(over)]);
      assert.equal(r.code, 2, `${JSON.stringify(over)}: ${r.stderr}`);
      assert.match(r.stderr, why, JSON.stringify(over));
    }
    const stdins: [string, RegExp][] = [
      ['abc"; rm -rf /\n', /--value-stdin: .*the character "\\""/],
      ['1000.a b\n', /--value-stdin: .*the character " "/],
      ["x'y\n", /--value-stdin: /],
      ['$(touch /tmp/pwned)\n', /--value-stdin: .*"\$"/],
      [`${'x'.repeat(5000)}\n`, /--value-stdin: .*longer than 4096/],
      // An endless first line (stdin from a device, say) is cut off, not read into memory.
      ['x'.repeat(100_000), /--value-stdin: .*longer than 8192/],
    ];
    for (const [stdin, why] of stdins) {
      const r = await run(['push-env', '--value-stdin', ...flags()], stdin);
      assert.equal(r.code, 2, `${stdin.slice(0, 20)}: ${r.stderr}`);
      assert.match(r.stderr, why);
    }
    assert.equal(logins(), logged, 'not one login for any of them');
    assert.ok(fx.readEnv().equals(before));
    assert.ok(!fs.existsSync(touched));
  });

  it('names a bad --service from the config file by its config key', async () => {
    const fx = fixture();
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ server: { service: '--no-block', envPath: fx.envPath } }));
    const r = await run(['push-env', '--config', config, ...flags({ '--service': null, '--env-path': null })]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /server\.service \(config file\): .*starts with "-"/);
  });

  it('a device as the target is refused by type, never read (the CLI stays small), exit 3', async () => {
    const fx = fixture();
    const dev = inApp('zero.env');
    fs.rmSync(dev, { force: true });
    // Like /dev/zero: endless bytes to anyone who reads it.
    execFileSync('mknod', [dev, 'c', '1', '5']);
    const r = await run(['push-env', '--json', ...flags({ '--env-path': dev })]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.deepEqual([r.json.error.code, r.json.error.category], ['not-regular-file', 'config']);
    assert.match(r.json.error.title, /is not a regular file \(it is a character special file\)/);
    assert.ok(fx.readEnv().length > 0);
  });

  it('a FIFO as the target is refused without opening it: nothing left blocked on the server', async () => {
    const fifo = inApp('pipe.env');
    execFileSync('mkfifo', ['-m', '0600', fifo]);
    const f = await findingOf(() => push({ envPath: fifo }));
    assert.equal(f.code, 'not-regular-file');
    assert.match(f.title, /fifo/);
    assert.ok(await until(() => fixture().processesWith(fifo).length === 0, 3000), 'no process holds the FIFO');
  });

  it('an oversized file is refused (1 MiB at most), and left as it was', async () => {
    const big = inApp('big.env');
    fs.writeFileSync(big, `${KEY}=x\n${'#'.repeat(1024 * 1024)}\n`);
    const before = sha(big);
    const f = await findingOf(() => push({ envPath: big }));
    assert.equal(f.code, 'too-large');
    assert.match(f.title, /larger than 1048576 bytes/);
    assert.equal(sha(big), before);
  });

  it('a system directory reached through a symlinked directory is refused on the server; /etc/shadow untouched', async () => {
    const link = inApp('etc-link');
    fs.symlinkSync('/etc', link);
    const before = sha('/etc/shadow');
    const f = await findingOf(() => push({ envPath: path.join(link, 'shadow'), allowAnyName: true }));
    assert.equal(f.code, 'system-path');
    assert.match(f.title, /lies in a system directory on the server \(\/etc\)/);
    assert.equal(sha('/etc/shadow'), before);
    const direct = await findingOf(() => push({ envPath: '/etc/shadow', allowAnyName: true }));
    assert.deepEqual([direct.code, direct.action], ['invalid-input', 'fix-config']);
    assert.equal(sha('/etc/shadow'), before);
  });

  it('an odd name needs --allow-any-name; with it the push works', async () => {
    const fx = fixture();
    const conf = inApp('settings.conf');
    fs.copyFileSync(fx.envPath, conf);
    const refused = await run(['push-env', '--no-restart', ...flags({ '--env-path': conf })]);
    assert.equal(refused.code, 2);
    const value = newToken();
    const ok = await run(['push-env', '--json', '--no-restart', '--allow-any-name', '--value-stdin', ...flags({ '--env-path': conf })], `${value}\n`);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(readEnvKey(fs.readFileSync(conf), KEY), value);
    made.push(ok.json.backup);
  });

  it('a missing file and an unreadable one under --sudo none are each worded for what they are', async () => {
    const fx = fixture();
    const missing = await run(['push-env', '--json', ...flags({ '--env-path': path.join(appDir(), 'nope.env') })]);
    assert.equal(missing.code, 3);
    assert.equal(missing.json.error.code, 'env-missing');
    assert.match(missing.json.error.title, /does not exist on the server/);
    // The fixture's .env is root:<group> 0640 and the SSH user is not in the group.
    const none = await run(['push-env', '--json', '--sudo', 'none', ...flags()]);
    assert.equal(none.code, 3, none.stdout);
    assert.deepEqual([none.json.error.code, none.json.error.category], ['unreadable', 'permission']);
    assert.match(none.json.error.title, new RegExp(`${fx.user} cannot read .* and the sudo mode is none`));
    assert.doesNotMatch(`${none.json.error.title} ${none.json.error.explanation}`, /sudo does not allow|sudoers/);
  });

  it('says "appended" for a key that was not there, and "replaced" for one that was', async () => {
    const fx = fixture();
    fx.resetEnv('APP_ENV=production\n');
    const first = await run(['push-env', '--no-restart', '--value-stdin', ...flags()], `${newToken()}\n`);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^appended SALESIQ_ACCESS_TOKEN in /m);
    const second = await run(['push-env', '--no-restart', '--value-stdin', ...flags()], `${newToken()}\n`);
    assert.match(second.stdout, /^replaced SALESIQ_ACCESS_TOKEN in /m);
  });

  it('never prints the sudo password, not even masked, when a journal line quotes it', async () => {
    const fx = fixture();
    fx.setSudoMode('password');
    fs.appendFileSync(path.join(fx.svcDir, 'journal.log'), `Jan 01 00:00:00 sdk-host sudo[1]: pam: password=${fx.password} (a misconfigured module)\n`);
    const env = { SALESIQ_SUDO_PASSWORD: fx.password };
    const json = await run(['push-env', '--json', '--sudo', 'password', '--value-stdin', ...flags()], `${newToken()}\n`, env);
    assert.equal(json.code, 0, json.stdout + json.stderr);
    assert.ok(json.json.journal.some((l: string) => l.includes('[sudo password]')), 'the line is there, the password is not');
    const text = await run(['push-env', '--sudo', 'password', '--value-stdin', ...flags()], `${newToken()}\n`, env);
    assert.equal(text.code, 0, text.stderr);
    for (const out of [json.stdout, json.stderr, text.stdout, text.stderr]) {
      assert.ok(!out.includes(fx.password), 'password printed');
      assert.ok(!out.includes(fx.password.slice(0, 4) + '…'), 'password printed half-masked');
    }
  });
});
