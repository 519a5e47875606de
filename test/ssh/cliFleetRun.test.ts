/**
 * `fix`, `keep-fresh` and `logs --follow` on several servers: two real OpenSSH fixtures (two ports, users,
 * .env files and units) plus one that is down (a closed loopback port), through the built CLI, against the
 * Zoho sandbox.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import { StateStore } from '../../src/core/token/stateFiles';
import type { SshdFixture } from '../sshd/fixture';
import { runCli } from '../cli/run';
import { RunningCli as Running } from '../support/runningCli';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { fleetEntry, useFleet } from './fleetServers';
import { fixture } from './hooks';

const { org: ORG, portal: PORTAL } = SANDBOX_DEFAULTS;
const KEY = 'SALESIQ_ACCESS_TOKEN';

describe('fix, keep-fresh and logs --follow on several servers (two OpenSSH fixtures and one down)', function () {
  this.timeout(120_000);
  const fleet = useFleet('devkit-fleetrun-');
  let sandbox: ZohoSandbox;

  const entry = fleetEntry;
  function writeConfig(withDown: boolean): void {
    const servers = [entry('staging', fixture()), entry('prod', fleet.second), ...(withDown ? [entry('down', fixture(), { port: fleet.downPort })] : [])];
    fs.writeFileSync(path.join(fleet.dir, 'config.json'), JSON.stringify({ servers }), { mode: 0o600 });
  }
  const stateDir = () => path.join(fleet.dir, 'state');
  const flags = () => ['--config', path.join(fleet.dir, 'config.json'), '--state-dir', stateDir(), '--dc', 'in', '--accounts-url', sandbox.accountsUrlTemplate, '--salesiq-url', sandbox.salesiqUrlTemplate];
  const env = () => ({
    HOME: fleet.dir, XDG_CONFIG_HOME: fleet.dir,
    SALESIQ_CLIENT_ID: ORG.clientId, SALESIQ_CLIENT_SECRET: ORG.clientSecret, SALESIQ_REFRESH_TOKEN: ORG.refreshTokens[0],
    SALESIQ_SCREEN_NAME: PORTAL.screenName, SALESIQ_APP_ID: PORTAL.appId, SALESIQ_DEPARTMENT_ID: PORTAL.departmentId,
  });
  const run = (args: string[]) => runCli([...args, ...flags()], env(), '', 100_000);
  const store = () => new StateStore(stateDir()).tokenStore('default', undefined);
  const requests = () => sandbox.stats.tokenRequests[ORG.refreshTokens[0]] ?? 0;
  const names = (xs: Array<{ name: string }>) => xs.map((x) => x.name);
  async function cacheToken(): Promise<string> {
    const t = sandbox.mint(ORG.refreshTokens[0]);
    await store().writeToken(t);
    return t.accessToken;
  }
  const appendJournal = (fx: SshdFixture, text: string) => fs.appendFileSync(path.join(fx.svcDir, 'journal.log'), `Nov 25 10:00:00 sdk-host llm-chatbot[1]: ${text}\n`);

  beforeEach(async () => {
    sandbox = new ZohoSandbox();
    await sandbox.start();
  });
  afterEach(() => sandbox.stop());

  it('fix --all-servers: one refresh, both live servers run the new token, the down one fails alone, ONE transfer; exit 3; the JSON says which', async () => {
    writeConfig(true);
    const stale = await cacheToken();
    sandbox.expireAll(); // the cache still says 59 minutes; SalesIQ says 1001
    const conversations = sandbox.stats.conversationsCreated;
    const before = requests();
    const r = await run(['fix', '--all-servers', '--json']);
    // A refused connection needs the user (check host and port): 3, as for push-env.
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.equal(r.json.ok, false);
    const fresh = (await store().readToken())!.accessToken;
    assert.notEqual(fresh, stale);
    assert.equal(requests(), before + 1, 'one refresh for all servers');
    assert.equal(sandbox.stats.conversationsCreated, conversations + 1, 'one test conversation in all');
    assert.deepEqual(names(r.json.steps), ['refresh', 'verify', 'transfer']);
    assert.ok(r.json.steps.every((s: { ok: boolean }) => s.ok));
    assert.equal(r.json.transfer.status, 201);
    assert.deepEqual(r.json.servers.map((s: { name: string; ok: boolean }) => [s.name, s.ok]), [['staging', true], ['prod', true], ['down', false]]);
    assert.deepEqual([r.json.holding, r.json.running], [['staging', 'prod'], ['staging', 'prod']]);
    for (const s of r.json.servers.slice(0, 2)) {
      assert.deepEqual(names(s.steps), ['push', 'restart', 'live', 'verify', 'watch']);
      assert.equal(s.live.proof, 'environ');
    }
    const down = r.json.servers[2];
    assert.deepEqual([down.failedStep, down.error.category, down.holds], ['push', 'network', false]);
    for (const fx of [fixture(), fleet.second]) {
      assert.equal(readEnvKey(fx.readEnv(), KEY), fresh);
      assert.equal(fx.serviceEnv()[KEY], fresh, 'restarted onto the new token');
    }
    assert.ok(!r.stdout.includes(fresh) && !r.stderr.includes(fresh));
  });

  it('fix --server staging --server prod (text): each step line names its server, then which servers hold the new token; exit 0', async () => {
    writeConfig(false);
    await cacheToken();
    const r = await run(['fix', '--server', 'staging', '--server', 'prod', '--no-transfer', '--settle-seconds', '0']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const server of ['staging', 'prod']) for (const step of ['push', 'restart', 'live', 'verify']) assert.match(r.stdout, new RegExp(`^\\[${server}\\] ✓ ${step} `, 'm'));
    assert.match(r.stdout, /^– refresh .*not needed/m);
    assert.match(r.stdout, /^– transfer .*--no-transfer/m);
    assert.match(r.stdout, /^2 of 2 servers hold the new token: staging, prod; running on it: staging, prod\.$/m);
    assert.match(r.stdout, /^fixed on every server in \d+ ms/m);
  });

  it('fix --all-servers: a service that crashes on one server fails that server\'s watch (or live) only; the other runs the token', async () => {
    writeConfig(false);
    const token = await cacheToken();
    fleet.second.setFault('crash 1');
    const r = await run(['fix', '--all-servers', '--json', '--no-transfer', '--settle-seconds', '8']);
    assert.equal(r.code, 1, r.stdout);
    const [staging, prod] = r.json.servers;
    assert.equal(staging.ok, true);
    assert.deepEqual([prod.ok, prod.error.code, prod.running], [false, 'crash-after-restart', false]);
    assert.ok(['watch', 'restart'].includes(prod.failedStep), prod.failedStep);
    assert.deepEqual(r.json.running, ['staging']);
    assert.ok(r.json.holding.includes('staging') && r.json.holding.includes('prod'), 'both .env files hold it: nothing is rolled back');
    assert.equal(fixture().serviceEnv()[KEY], token);
  });

  it('keep-fresh --all-servers: every new token pushed to each live server, one line per server; the down one fails alone; SIGTERM exits 0', async () => {
    writeConfig(true);
    sandbox.tokenLifetimeSec = 12;
    const kf = new Running(['keep-fresh', '--all-servers', '--json', '--margin-minutes', '0.1', ...flags()], env());
    const pushedTo = (server: string) => kf.json().filter((e) => e.event === 'pushed' && e.server === server);
    await kf.waitFor('two pushes to each live server', () => pushedTo('staging').length >= 2 && pushedTo('prod').length >= 2, 60_000);
    const end = await kf.stop('SIGTERM');
    assert.deepEqual([end.code, end.signal], [0, null], kf.stderr);
    const events = kf.json();
    const failed = events.filter((e) => e.event === 'push-failed');
    assert.ok(failed.length >= 1 && failed.every((e) => e.server === 'down' && e.error.category === 'network'), JSON.stringify(failed));
    assert.ok(!events.some((e) => e.event === 'pushed' && e.server === 'down'));
    assert.deepEqual([events.at(-1)!.event, events.at(-1)!.reason], ['stopped', 'signal']);
    // The last refreshed token is on both live servers, and each one's push was its own line.
    const cached = (await store().readToken())!.accessToken;
    for (const fx of [fixture(), fleet.second]) assert.equal(readEnvKey(fx.readEnv(), KEY), cached);
    assert.equal(pushedTo('staging').at(-1)!.expiresAt, pushedTo('prod').at(-1)!.expiresAt);
    assert.ok(!kf.lines.join('\n').includes(cached) && !kf.stderr.includes(cached), 'no token in the log lines');
  });

  it('keep-fresh --all-servers (text): the start line names the servers, each push line names its server', async () => {
    writeConfig(false);
    await cacheToken();
    const kf = new Running(['keep-fresh', '--all-servers', ...flags()], env());
    await kf.waitFor('a push to each server', () => ['staging', 'prod'].every((s) => kf.lines.some((l) => l.includes(` pushed to ${s}: `))), 30_000);
    const end = await kf.stop('SIGTERM');
    assert.equal(end.code, 0, kf.stderr);
    assert.match(kf.lines[0], /keep-fresh started: .*pushing to 2 servers: staging, prod$/);
  });

  it('logs --follow --all-servers: every server at once, each line prefixed with its name; SIGINT ends it with exit 0', async () => {
    writeConfig(false);
    const tag = Date.now();
    appendJournal(fixture(), `first-staging ${tag}`);
    appendJournal(fleet.second, `first-prod ${tag}`);
    const follow = new Running(['logs', '--follow', '--all-servers', '-n', '1', ...flags()], { HOME: fleet.dir });
    await follow.waitFor('the last line of each server', () => follow.lines.includes(`[staging] Nov 25 10:00:00 sdk-host llm-chatbot[1]: first-staging ${tag}`) && follow.lines.some((l) => l.startsWith('[prod] ') && l.includes(`first-prod ${tag}`)), 30_000);
    appendJournal(fleet.second, `next-prod ${tag}`);
    await follow.waitFor('the new prod line', () => follow.lines.some((l) => l.startsWith('[prod] ') && l.includes(`next-prod ${tag}`)), 30_000);
    const end = await follow.stop('SIGINT');
    assert.deepEqual([end.code, end.signal], [0, null], follow.stderr);
    assert.ok(follow.lines.filter(Boolean).every((l) => /^\[(staging|prod)\] /.test(l)), follow.lines.join('\n'));
  });

  it('logs --follow --all-servers: the down server and one that drops are each reported on their own line; the others go on; exit 3', async () => {
    writeConfig(true);
    const tag = Date.now();
    const follow = new Running(['logs', '--follow', '--all-servers', '--json', '-n', '1', ...flags()], { HOME: fleet.dir });
    await follow.waitFor('the down server reported', () => /^\[down\] .*the other servers go on$/m.test(follow.stderr), 30_000);
    appendJournal(fixture(), `staging-a ${tag}`);
    appendJournal(fleet.second, `prod-a ${tag}`);
    const seen = (server: string, text: string) => follow.json().some((e) => e.server === server && String(e.line).includes(text));
    await follow.waitFor('both streams', () => seen('staging', `staging-a ${tag}`) && seen('prod', `prod-a ${tag}`), 30_000);
    assert.ok(fleet.second.cutSessions().length > 0, 'prod\'s connection was cut');
    await follow.waitFor('prod reported as dropped', () => /^\[prod\] the connection was lost; the other servers go on$/m.test(follow.stderr), 30_000);
    appendJournal(fixture(), `staging-b ${tag}`);
    await follow.waitFor('staging still streaming', () => seen('staging', `staging-b ${tag}`), 30_000);
    const end = await follow.stop('SIGTERM');
    // The refused connection needs the user (3) and outranks the drop (1).
    assert.deepEqual([end.code, end.signal], [3, null], follow.stderr);
  });
});
