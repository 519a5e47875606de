import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { freePort } from '../support/freePort';
import { startProcess } from '../support/process';
import { CLI, runCli, type CliResult } from './run';

const USER = SANDBOX_DEFAULTS.user;
const SERVER = SANDBOX_DEFAULTS.server;
const ORG = SANDBOX_DEFAULTS.org;
const TOKEN = /\b100[05]\.[0-9a-f]{32}\.[0-9a-f]{32}\b/;

interface Running {
  /** The authorize URL the CLI printed as `open: URL` on stderr. */
  url: Promise<string>;
  done: Promise<CliResult>;
}

/** Starts the CLI and hands over the `open:` line as soon as it appears, while the CLI waits for the redirect. */
function startCli(args: string[], env: Record<string, string>): Running {
  const cli = startProcess(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, label: 'authorize', timeoutMs: 30_000 });
  const url = new Promise<string>((gotUrl) => {
    cli.child.stderr.on('data', () => {
      const m = /^open: (\S+)$/m.exec(cli.stderr());
      if (m) gotUrl(m[1]);
    });
  });
  cli.child.stdin.end();
  return { url, done: cli.done };
}

/** What a person does in the browser: open the consent page, click Accept or Deny, follow the redirect. */
async function consent(url: string, decision: 'accept' | 'deny'): Promise<{ page: string; status: number; location: string }> {
  const shown = await fetch(url);
  const html = await shown.text();
  assert.strictEqual(shown.status, 200, html);
  const id = /name="consent_id" value="([0-9a-f]+)"/.exec(html)?.[1];
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  assert.ok(id && action, html);
  const answer = await fetch(new URL(action, url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ consent_id: id, decision }).toString(),
    redirect: 'manual',
  });
  assert.strictEqual(answer.status, 302);
  const location = answer.headers.get('location') ?? '';
  const back = await fetch(location);
  return { page: await back.text(), status: back.status, location };
}

describe('salesiq-devkit authorize (contract)', function () {
  this.timeout(60_000);
  let sandbox: ZohoSandbox;
  let dir: string;
  let configFile: string;
  let port: number;
  const seen: string[] = [];
  const flags = (dc = 'in') => ['--dc', dc, '--accounts-url', sandbox.accountsUrlTemplate, '--state-dir', path.join(dir, 'state'), '--config', configFile];
  const env = (client = USER) => ({ SALESIQ_CLIENT_ID: client.clientId, SALESIQ_CLIENT_SECRET: client.clientSecret });
  const readConfig = () => JSON.parse(fs.readFileSync(configFile, 'utf8'));
  const run = async (args: string[], e: Record<string, string>, stdin = '') => {
    const r = await runCli(args, e, stdin);
    seen.push(r.stdout, r.stderr);
    return r;
  };
  const finish = async (r: Running, printsTokens = false) => {
    const res = await r.done;
    if (!printsTokens) seen.push(res.stdout, res.stderr);
    return res;
  };

  before(async () => {
    sandbox = new ZohoSandbox();
    await sandbox.start();
  });
  after(() => sandbox.stop());
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-authorize-'));
    configFile = path.join(dir, 'config.json');
    port = await freePort();
    sandbox.redirectCodeTtlMs = 60_000;
  });

  describe('Self Client code on stdin', () => {
    it('stores the refresh token 0600 in a new config file, caches the first token, and refresh works with it', async () => {
      const code = sandbox.issueGrantCode(USER.clientId);
      const r = await run(['authorize', '--code-stdin', '--json', ...flags()], env(), `  ${code}  \n`);
      assert.strictEqual(r.code, 0, r.stderr + r.stdout);
      assert.deepStrictEqual([r.json.ok, r.json.profile, r.json.dataCenter, r.json.stored], [true, 'default', 'in', 'config']);
      assert.strictEqual(r.json.accountsServer, sandbox.accountsUrl('in'));
      assert.ok(r.json.remainingSeconds > 3500, String(r.json.remainingSeconds));
      assert.ok(!TOKEN.test(r.stdout + r.stderr), 'no token printed without --print-token');
      assert.strictEqual(fs.statSync(configFile).mode & 0o777, 0o600);
      const rt = readConfig().profiles.default.refreshToken;
      assert.match(rt, TOKEN);
      assert.strictEqual(fs.statSync(path.join(dir, 'state', 'token-default.json')).mode & 0o777, 0o600);
      const s = await run(['status', '--json', '--state-dir', path.join(dir, 'state')], {});
      assert.strictEqual(s.code, 0, s.stdout);
      assert.ok(s.json.remainingSeconds > 3500);
      const before = sandbox.stats.tokenRequests[rt] ?? 0;
      const refreshed = await run(['refresh', '--json', ...flags()], env());
      assert.strictEqual(refreshed.code, 0, refreshed.stdout + refreshed.stderr);
      assert.strictEqual(sandbox.stats.tokenRequests[rt], before + 1, 'the stored refresh token is the one used');
    });

    it('keeps the other keys of an existing config file and takes a pasted redirect URL', async () => {
      const existing = { profiles: { default: { envKey: 'BOT_TOKEN', refreshToken: '1000.old.old' }, org: { dataCenter: 'eu' } }, server: { host: 'chatbot.example' }, salesiq: { screenName: 'zylker' } };
      fs.writeFileSync(configFile, JSON.stringify(existing), { mode: 0o600 });
      const code = sandbox.issueGrantCode(USER.clientId);
      const pasted = `\t http://127.0.0.1:${port}/callback?code=${code}&location=in&accounts-server=${encodeURIComponent(sandbox.accountsUrl('in'))} \n`;
      const r = await run(['authorize', '--code-stdin', ...flags()], env(), pasted);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(r.stdout, '', 'stdout stays empty without --json or --print-token');
      assert.match(r.stderr, /profile default authorized/);
      const cfg = readConfig();
      assert.deepStrictEqual({ ...cfg, profiles: { ...cfg.profiles, default: { ...cfg.profiles.default, refreshToken: 'x' } } }, {
        ...existing,
        profiles: { ...existing.profiles, default: { envKey: 'BOT_TOKEN', refreshToken: 'x', dataCenter: 'in' } },
      });
      assert.notStrictEqual(cfg.profiles.default.refreshToken, '1000.old.old');
    });

    it('--print-token prints the access and the refresh token', async () => {
      const code = sandbox.issueGrantCode(USER.clientId);
      const r = await runCli(['authorize', '--code-stdin', '--print-token', ...flags()], env(), code);
      assert.strictEqual(r.code, 0, r.stderr);
      const [access, refresh] = r.stdout.trim().split('\n');
      assert.match(access, TOKEN);
      assert.strictEqual(refresh, readConfig().profiles.default.refreshToken);
    });

    it('an expired or already used code exits 3 (grant, reauthorize) and keeps the previous credentials', async () => {
      fs.writeFileSync(configFile, JSON.stringify({ profiles: { default: { refreshToken: '1000.previous.previous' } } }), { mode: 0o600 });
      const used = sandbox.issueGrantCode(USER.clientId);
      assert.strictEqual((await run(['authorize', '--code-stdin', ...flags()], env(), used)).code, 0);
      fs.writeFileSync(configFile, JSON.stringify({ profiles: { default: { refreshToken: '1000.previous.previous' } } }), { mode: 0o600 });
      const again = await run(['authorize', '--code-stdin', '--json', ...flags()], env(), used);
      assert.strictEqual(again.code, 3, again.stdout);
      assert.deepStrictEqual([again.json.error.code, again.json.error.category, again.json.error.action], ['invalid_code', 'grant', 'reauthorize']);
      const expired = sandbox.issueGrantCode(USER.clientId);
      sandbox.expireGrantCodes();
      const late = await run(['authorize', '--code-stdin', '--json', ...flags()], env(), expired);
      assert.strictEqual(late.code, 3);
      assert.strictEqual(late.json.error.code, 'invalid_code');
      assert.strictEqual(readConfig().profiles.default.refreshToken, '1000.previous.previous');
    });

    it('a wrong client secret and a wrong data centre exit 3 with their fixes', async () => {
      const wrongSecret = await run(['authorize', '--code-stdin', '--json', ...flags()], { ...env(), SALESIQ_CLIENT_SECRET: 'not-the-secret' }, sandbox.issueGrantCode(USER.clientId));
      assert.strictEqual(wrongSecret.code, 3);
      assert.deepStrictEqual([wrongSecret.json.error.code, wrongSecret.json.error.action], ['invalid_client_secret', 'fix-config']);
      const wrongDc = await run(['authorize', '--code-stdin', '--json', ...flags('com')], env(), sandbox.issueGrantCode(USER.clientId));
      assert.strictEqual(wrongDc.code, 3);
      assert.deepStrictEqual([wrongDc.json.error.code, wrongDc.json.error.category, wrongDc.json.error.action], ['invalid_client', 'config', 'fix-config']);
      assert.ok(!fs.existsSync(configFile), 'nothing stored');
    });

    it('refuses a group-readable config file before spending the code', async () => {
      fs.writeFileSync(configFile, JSON.stringify({ profiles: {} }));
      fs.chmodSync(configFile, 0o644);
      const code = sandbox.issueGrantCode(USER.clientId);
      const r = await run(['authorize', '--code-stdin', '--json', ...flags()], env(), code);
      assert.strictEqual(r.code, 3, r.stdout);
      assert.strictEqual(r.json.error.action, 'fix-config');
      assert.match(r.json.error.explanation, /chmod 600/);
      fs.chmodSync(configFile, 0o600);
      const retry = await run(['authorize', '--code-stdin', ...flags()], env(), code);
      assert.strictEqual(retry.code, 0, `the code was not spent: ${retry.stderr}`);
    });

    it('never sends the client secret to an accounts-server named by a pasted URL', async () => {
      const requests: string[] = [];
      const impostor = (await import('http')).createServer((req, res) => {
        requests.push(`${req.method} ${req.url}`);
        res.end('{}');
      });
      await new Promise<void>((ok) => impostor.listen(0, '127.0.0.1', () => ok()));
      try {
        const fake = `http://127.0.0.1:${(impostor.address() as net.AddressInfo).port}/accounts/in`;
        const code = sandbox.issueGrantCode(USER.clientId);
        const r = await run(['authorize', '--code-stdin', '--json', ...flags()], env(), `https://x.example/cb?code=${code}&accounts-server=${encodeURIComponent(fake)}`);
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.ok(r.stderr.includes(`ignored accounts-server ${fake}`), r.stderr);
        assert.strictEqual(r.json.accountsServer, sandbox.accountsUrl('in'));
        assert.deepStrictEqual(requests, [], 'the impostor got no request');
      } finally {
        await new Promise((ok) => impostor.close(ok));
      }
    });

    it('usage errors exit 2', async () => {
      for (const args of [['authorize'], ['authorize', '--code-stdin', '--browser'], ['authorize', '--browser', '--client-type', 'self'], ['authorize', '--browser', '--redirect-port', '70000'], ['authorize', '--code-stdin', '--scope', 'not a; scope']]) {
        const r = await run([...args, ...flags()], env(), 'x');
        assert.strictEqual(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      }
      const empty = await run(['authorize', '--code-stdin', ...flags()], env(), '\n\n');
      assert.strictEqual(empty.code, 2, empty.stderr);
    });
  });

  describe('browser sign-in', () => {
    const browser = (client = SERVER, extra: string[] = [], dc = 'in') => startCli(['authorize', '--browser', '--no-open', '--json', '--redirect-port', String(port), ...extra, ...flags(dc)], env(client));

    it('Accept on the consent page: the redirect lands on the CLI, the DC is corrected, and the token works', async () => {
      const r = browser(SERVER, ['--print-token'], 'com');
      const url = await r.url;
      const u = new URL(url);
      assert.strictEqual(u.pathname, '/accounts/com/oauth/v2/auth');
      assert.deepStrictEqual(
        ['response_type', 'client_id', 'redirect_uri', 'access_type', 'prompt'].map((k) => u.searchParams.get(k)),
        ['code', SERVER.clientId, `http://127.0.0.1:${port}/callback`, 'offline', 'consent'],
      );
      assert.match(u.searchParams.get('scope') ?? '', /SalesIQ\.portals\.READ/);
      assert.ok((u.searchParams.get('state') ?? '').length >= 32);
      const back = await consent(url, 'accept');
      assert.strictEqual(back.status, 200);
      assert.match(back.page, /You can close this tab/);
      assert.ok(!back.page.includes(new URL(back.location).searchParams.get('code')!), 'the page does not echo the code');
      const res = await finish(r, true);
      assert.ok(!res.stderr.includes(res.json.refreshToken), 'stderr holds no refresh token');
      assert.strictEqual(res.code, 0, res.stderr + res.stdout);
      assert.strictEqual(res.json.dataCenter, 'in');
      assert.match(res.stderr, /lives in India .* not US/);
      assert.strictEqual(res.json.refreshToken, readConfig().profiles.default.refreshToken);
      assert.strictEqual(readConfig().profiles.default.dataCenter, 'in');
      const refreshed = await run(['refresh', '--json', '--accounts-url', sandbox.accountsUrlTemplate, '--state-dir', path.join(dir, 'state'), '--config', configFile], env(SERVER));
      assert.strictEqual(refreshed.code, 0, refreshed.stdout);
      assert.strictEqual(refreshed.json.dataCenter, 'in');
    });

    it('an org client authorizes at /oauth/v2/org/auth and gets org tokens', async () => {
      const r = browser(ORG, ['--client-type', 'org', '--print-token']);
      const url = await r.url;
      assert.strictEqual(new URL(url).pathname, '/accounts/in/oauth/v2/org/auth');
      assert.match(new URL(url).searchParams.get('scope') ?? '', /SalesIQ\.Conversations\.ALL/);
      const back = await consent(url, 'accept');
      assert.match(new URL(back.location).searchParams.get('code') ?? '', /^1005\./);
      const res = await finish(r, true);
      assert.strictEqual(res.code, 0, res.stderr);
      assert.match(res.json.refreshToken, /^1005\./);
      assert.match(res.json.accessToken, /^1005\./);
    });

    it('Deny exits 3 (access_denied, reauthorize) and stores nothing', async () => {
      const r = browser();
      const back = await consent(await r.url, 'deny');
      assert.strictEqual(back.status, 400);
      const res = await finish(r);
      assert.strictEqual(res.code, 3, res.stdout);
      assert.deepStrictEqual([res.json.error.code, res.json.error.category, res.json.error.action], ['access_denied', 'grant', 'reauthorize']);
      assert.ok(!fs.existsSync(configFile));
    });

    it('a redirect with another state exits 1 (request) without using its code', async () => {
      const r = browser();
      await r.url;
      const code = sandbox.issueGrantCode(SERVER.clientId);
      const forged = await fetch(`http://127.0.0.1:${port}/callback?code=${code}&state=forged`);
      assert.strictEqual(forged.status, 400);
      const res = await finish(r);
      assert.strictEqual(res.code, 1, res.stdout);
      assert.deepStrictEqual([res.json.error.code, res.json.error.category], ['state_mismatch', 'request']);
      assert.ok(!fs.existsSync(configFile));
      const unused = await run(['authorize', '--code-stdin', '--client-type', 'server', '--redirect-port', String(port), ...flags()], env(SERVER), code);
      assert.strictEqual(unused.code, 0, `the code is still unused: ${unused.stderr}`);
    });

    it('an expired redirect code exits 3 (invalid_code)', async () => {
      sandbox.redirectCodeTtlMs = 0;
      const r = browser();
      await consent(await r.url, 'accept');
      const res = await finish(r);
      assert.strictEqual(res.code, 3);
      assert.deepStrictEqual([res.json.error.code, res.json.error.action], ['invalid_code', 'reauthorize']);
    });

    it('a sign-in without access_type=offline gives no refresh token: exit 3 and the fix', async () => {
      const r = browser();
      const url = new URL(await r.url);
      url.searchParams.delete('access_type');
      await consent(url.toString(), 'accept');
      const res = await finish(r);
      assert.strictEqual(res.code, 3, res.stdout);
      assert.deepStrictEqual([res.json.error.code, res.json.error.category, res.json.error.action], ['no_refresh_token', 'grant', 'reauthorize']);
      assert.match(res.json.error.explanation, /access_type=offline/);
    });

    it('a redirect port in use exits 1 naming the port', async () => {
      const blocker = net.createServer();
      await new Promise<void>((ok) => blocker.listen(port, '127.0.0.1', () => ok()));
      try {
        const res = await finish(browser());
        assert.strictEqual(res.code, 1, res.stdout);
        assert.strictEqual(res.json.error.code, 'EADDRINUSE');
        assert.ok(res.json.error.title.includes(String(port)), res.json.error.title);
        assert.ok(!/^open: /m.test(res.stderr), 'no browser is sent anywhere');
      } finally {
        await new Promise((ok) => blocker.close(ok));
      }
    });

    it('no redirect before --timeout-seconds exits 1 naming the port', async () => {
      const res = await finish(browser(SERVER, ['--timeout-seconds', '1']));
      assert.strictEqual(res.code, 1, res.stdout);
      assert.strictEqual(res.json.error.code, 'redirect_timeout');
      assert.ok(res.json.error.title.includes(String(port)), res.json.error.title);
    });
  });

  after(() => {
    // --print-token runs are not collected; every other line the CLI printed is free of secrets.
    const text = seen.join('\n');
    for (const secret of [USER.clientSecret, SERVER.clientSecret, ORG.clientSecret]) assert.ok(!text.includes(secret), 'client secret printed');
    assert.ok(!/\b100[05]\.[0-9a-f]{32}\.[0-9a-f]{32}\b/.test(text), 'a code or token printed');
  });
});
