/**
 * The bootstrap (src/vscode/bootstrap.ts, activated at `*`) draws the countdown from the memo in globalState before
 * SecretStorage answers, and the secret read then confirms or corrects it. In a real window the order of those two
 * depends on the browser, so this runs the bootstrap's own activate() against a stand-in `vscode` module whose
 * secret reads answer only when the test says: deterministic, and the same code the extension host runs. The
 * token-facing behaviour against a real VS Code is in test/vscode/countdownMemo.test.ts.
 */
import * as assert from 'assert';
import type * as vscode from 'vscode';
import type * as Bootstrap from '../../../src/vscode/bootstrap';
import { memoKey, memoOf } from '../../../src/vscode/expiryMemo';

const MIN = 60_000;

class FakeItem {
  text = '';
  shown = false;
  accessibilityInformation: { label: string } | undefined;
  show(): void {
    this.shown = true;
  }
  hide(): void {}
  dispose(): void {}
}

const items: FakeItem[] = [];
const config: Record<string, unknown> = {};
const fakeVscode = {
  window: { createStatusBarItem: () => items[items.push(new FakeItem()) - 1] },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ThemeColor: class {
    constructor(readonly id: string) {}
  },
  MarkdownString: class {
    isTrusted: unknown;
    constructor(readonly value: string) {}
  },
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  commands: { registerCommand: () => ({ dispose() {} }), executeCommand: async () => undefined },
  workspace: { getConfiguration: () => ({ get: (k: string) => config[k] }) },
};

function loadBootstrap(): typeof Bootstrap {
  const Module = require('module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fakeVscode : load.call(this, request, ...rest);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../../../src/vscode/bootstrap') as typeof Bootstrap;
  } finally {
    Module._load = load;
  }
}

/** The bootstrap draws the memo in the turn after activate() returns; the secret reads are still unanswered. */
const nextTurn = () => new Promise((r) => setImmediate(r));

interface Started {
  item: FakeItem;
  /** Lets every SecretStorage read answer, with the values given. */
  answer(secrets: Record<string, string | undefined>): Promise<void>;
}

describe('bootstrap: the countdown memo before the secret read', () => {
  let bootstrap: typeof Bootstrap;
  const subscriptions: Array<{ dispose(): unknown }> = [];
  const saved = { seed: process.env.SALESIQ_DEVKIT_SEED, delay: process.env.SALESIQ_DEVKIT_FULL_LOAD_MS };

  before(() => {
    delete process.env.SALESIQ_DEVKIT_SEED;
    // The full extension is not part of this test: it would load only after an hour.
    process.env.SALESIQ_DEVKIT_FULL_LOAD_MS = '3600000';
    Object.assign(config, { profiles: [{ name: 'user', dataCenter: 'in' }, { name: 'org', dataCenter: 'in' }], activeProfile: 'user', autoRefresh: false });
    bootstrap = loadBootstrap();
  });

  afterEach(() => {
    for (const s of subscriptions.splice(0)) s.dispose();
  });

  after(() => {
    for (const [k, v] of [['SALESIQ_DEVKIT_SEED', saved.seed], ['SALESIQ_DEVKIT_FULL_LOAD_MS', saved.delay]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  function start(memento: Record<string, unknown>): Started {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let values: Record<string, string | undefined> = {};
    const context = {
      subscriptions,
      extension: { packageJSON: { contributes: { commands: [{ command: 'salesiq.showActions' }] } } },
      extensionMode: fakeVscode.ExtensionMode.Production,
      globalState: { get: (k: string) => memento[k], update: () => Promise.resolve(), keys: () => Object.keys(memento) },
      secrets: { get: (k: string) => gate.then(() => values[k]) },
    } as unknown as vscode.ExtensionContext;
    assert.strictEqual(bootstrap.activate(context), undefined);
    return {
      item: items[items.length - 1],
      answer: async (secrets) => {
        values = secrets;
        open();
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      },
    };
  }

  const token = (leftMs: number, over: Record<string, unknown> = {}) => ({ accessToken: '1000.secret.secret', obtainedAt: Date.now() + leftMs - 60 * MIN, expiresAt: Date.now() + leftMs, ...over });
  const creds = JSON.stringify({ clientId: '1000.X', clientSecret: 's', refreshToken: '1000.a.b' });
  const memoFor = (t: ReturnType<typeof token>) => JSON.parse(JSON.stringify(memoOf(t))) as unknown;

  it('draws the memo at activation, before any secret answers, and keeps it when the secret agrees', async () => {
    const t = token(50 * MIN + 30_000);
    const s = start({ [memoKey('user')]: memoFor(t) });
    await nextTurn();
    assert.deepStrictEqual([s.item.shown, s.item.text], [true, '$(key) SalesIQ user 50m']);
    await s.answer({ 'salesiq.token/user': JSON.stringify(t) });
    assert.strictEqual(s.item.text, '$(key) SalesIQ user 50m');
  });

  it('corrects a stale memo with the expiry the secret holds', async () => {
    const s = start({ [memoKey('user')]: memoFor(token(50 * MIN + 30_000)) });
    await nextTurn();
    assert.strictEqual(s.item.text, '$(key) SalesIQ user 50m');
    await s.answer({ 'salesiq.token/user': JSON.stringify(token(20 * MIN + 30_000)) });
    assert.strictEqual(s.item.text, '$(key) SalesIQ user 20m');
  });

  it('says "no token" when the token was cleared elsewhere, and "set up" when the credentials went too', async () => {
    const memo = { [memoKey('user')]: memoFor(token(50 * MIN + 30_000)) };
    const cleared = start(memo);
    await nextTurn();
    assert.strictEqual(cleared.item.text, '$(key) SalesIQ user 50m');
    await cleared.answer({ 'salesiq.credentials/user': creds });
    assert.strictEqual(cleared.item.text, '$(key) SalesIQ user: no token');
    const forgotten = start(memo);
    await forgotten.answer({});
    assert.strictEqual(forgotten.item.text, '$(key) SalesIQ user: set up');
  });

  it('draws nothing until the secret answers without a usable memo: none, another profile\'s, or a garbled one', async () => {
    const garbled: unknown[] = [undefined, { v: 1, obtainedAt: NaN, expiresAt: NaN }, { ...(memoFor(token(30 * MIN)) as object), expiresAt: Date.now() + 400 * 24 * 60 * MIN }, 'x'];
    for (const value of garbled) {
      const s = start({ [memoKey('user')]: value, [memoKey('org')]: memoFor(token(30 * MIN)) });
      await nextTurn();
      assert.strictEqual(s.item.shown, false, JSON.stringify(value));
      await s.answer({ 'salesiq.token/user': JSON.stringify(token(10 * MIN + 30_000)) });
      assert.deepStrictEqual([s.item.shown, s.item.text], [true, '$(key) SalesIQ user 10m']);
    }
  });
});
