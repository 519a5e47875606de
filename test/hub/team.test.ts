import * as assert from 'assert';
import { hubSecrets } from '../../src/core/hub/crypto';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { runCli } from '../cli/run';
import { redis } from './hooks';
import { keepFresh, type Machine, machineFlags, newStateDir, sleep, teamEnv } from './instances';

const USER = SANDBOX_DEFAULTS.user;
const RT = USER.refreshTokens[0];
const LIFETIME_SEC = 12;
/** keep-fresh renews 4 s before expiry: a new token every ~8 s. */
const MARGIN_MIN = 4 / 60;
const LEASE_KEY = `salesiq-devkit:${hubSecrets(USER.clientId, RT).namespace}:lease`;

describe('team hub: several machines, one token', () => {
  let sandbox: ZohoSandbox;
  let machines: Machine[] = [];
  const requests = () => sandbox.stats.tokenRequests[RT] ?? 0;

  beforeEach(async () => {
    redis().cli(['FLUSHALL']);
    sandbox = new ZohoSandbox({ tokenLifetimeSec: LIFETIME_SEC });
    await sandbox.start();
  });
  afterEach(async () => {
    await Promise.all(machines.map((m) => m.kill('SIGTERM')));
    machines = [];
    await redis().start();
    await sandbox.stop();
  });

  it('three keep-fresh and a few refresh instances mint one token per lifetime for the whole group, and all hold it', async () => {
    machines = ['a', 'b', 'c'].map((n) => keepFresh(n, sandbox, redis(), MARGIN_MIN));
    await Promise.all(machines.map((m) => m.waitFor(/"event":"(refreshed|start)"/, 15_000)));
    const started = Date.now();
    const refreshes = [];
    for (let i = 0; i < 3; i++) {
      await sleep(6000);
      refreshes.push(await runCli(['refresh', '--json', '--margin-minutes', '0.05', ...machineFlags(sandbox, newStateDir(), redis())], teamEnv(redis())));
    }
    const elapsed = Date.now() - started + 2000;
    // One mint per renewal period (lifetime − margin) for everyone together, plus the first one.
    const allowed = Math.ceil(elapsed / ((LIFETIME_SEC - 4) * 1000)) + 1;
    assert.ok(requests() <= allowed, `${requests()} token requests for the group; one team would need at most ${allowed}`);
    assert.ok(requests() >= 2, 'tokens were renewed during the run');
    for (const r of refreshes) {
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(r.json.source, 'adopted', 'a one-shot refresh adopts the team token');
    }
    // Every machine moves to the newest token as soon as it is published.
    const newest = await waitUntil(() => {
      const tokens = machines.map((m) => m.token()?.accessToken);
      return tokens.every((t) => t && t === tokens[0]) ? tokens[0] : undefined;
    }, 10_000);
    assert.ok(newest);
    const adoptedLines = machines.flatMap((m) => m.lines).filter((l) => /"source":"adopted"/.test(l));
    assert.ok(adoptedLines.length >= 2, 'the others adopted instead of minting');
    // Each new token is told once per machine: an adopted one as "adopted" only, never also as "refreshed".
    for (const m of machines) {
      const told = m.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((e) => e.event === 'refreshed' || e.event === 'adopted');
      assert.equal(new Set(told.map((e) => e.expiresAt)).size, told.length, `${m.name} told a token twice:\n${m.lines.join('\n')}`);
      for (const e of told) assert.equal(e.event, e.source === 'adopted' ? 'adopted' : 'refreshed', JSON.stringify(e));
    }
    assert.ok(sandbox.stats.maxLiveTokens[RT] <= 2, `at most the old and the new token are alive at once (saw ${sandbox.stats.maxLiveTokens[RT]})`);
  });

  it('the minter killed with SIGKILL mid-mint: nobody mints while its lease lasts, then another machine takes over', async () => {
    const a = keepFresh('a', sandbox, redis(), MARGIN_MIN);
    machines = [a];
    await a.waitFor(/"event":"refreshed"/, 15_000);
    const b = keepFresh('b', sandbox, redis(), MARGIN_MIN);
    machines.push(b);
    await b.waitFor(/"event":"start"/, 15_000);
    // The next token request hangs: whoever takes the lease for it stalls while holding it.
    sandbox.failNext('stall', 1);
    const owner = await waitUntil(() => redis().cli(['GET', LEASE_KEY]).trim() || undefined, 20_000);
    const minter = machines.find((m) => owner.startsWith(`${m.pid}.`));
    assert.ok(minter, `the lease owner ${owner} is one of the machines`);
    const survivor = machines.find((m) => m !== minter)!;
    const atKill = requests();
    await minter.kill('SIGKILL');
    machines = [survivor];

    // Count Zoho's requests for as long as the dead minter's lease lasts: each count is read before Redis confirms
    // the lease still exists, so it was taken during the lease (the survivor may take over the instant it ends).
    let duringLease = atKill;
    for (const until = Date.now() + 20_000; Date.now() < until; await sleep(50)) {
      const n = requests();
      if (redis().cli(['EXISTS', LEASE_KEY]).trim() === '0') break;
      duringLease = n;
    }
    assert.strictEqual(redis().cli(['EXISTS', LEASE_KEY]).trim(), '0', 'the dead minter\'s lease ran out');
    assert.strictEqual(duringLease, atKill, 'no token was requested while the dead minter\'s lease lasted');
    const from = survivor.lines.length;
    await survivor.waitFor(/"event":"refreshed"/, 20_000, from);
    assert.strictEqual(requests(), atKill + 1, 'exactly one machine took over, with one request');
    assert.strictEqual(survivor.token()?.origin?.source, 'minted');
  });

  it('Redis stopped mid-run: each machine goes on alone and says so once; Redis back: they reconnect and share one token again', async () => {
    machines = ['a', 'b'].map((n) => keepFresh(n, sandbox, redis(), MARGIN_MIN));
    // One mints ("refreshed"), the other takes the team's token ("adopted").
    await Promise.all(machines.map((m) => m.waitFor(/"event":"(refreshed|adopted)"/, 15_000)));
    await redis().stop();
    await Promise.all(machines.map((m) => m.waitFor(/team hub: cannot reach the hub .*working alone/, 15_000, 0, 'stderr')));
    // Alone, each keeps its own token fresh: at least one more renewal per machine while the hub is away.
    const before = machines.map((m) => m.token()?.accessToken);
    await waitUntil(() => (machines.every((m, i) => m.token()?.accessToken !== before[i]) ? true : undefined), 25_000);
    assert.ok(machines.every((m) => (m.token()?.expiresAt ?? 0) > Date.now()), 'every machine holds a valid token while the hub is down');
    for (const m of machines) assert.strictEqual(m.stderr.match(/working alone/g)?.length, 1, `${m.name} said so once:\n${m.stderr}`);

    await redis().start();
    await Promise.all(machines.map((m) => m.waitFor(/team hub: connected to .* again/, 40_000, 0, 'stderr')));
    const shared = await waitUntil(() => {
      const [x, y] = machines.map((m) => m.token()?.accessToken);
      return x && x === y ? x : undefined;
    }, 25_000);
    assert.ok(shared, 'both machines hold the same token again');
  });
});

/** Polls `probe` every 200 ms until it returns a value, or fails after `ms`. */
async function waitUntil<T>(probe: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(200);
  }
}
