// The package a user installs: only runtime files, every file the manifest names, and bundles that run without
// node_modules (they are installed as-is, `vsce package --no-dependencies`).
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import { builtinModules } from 'module';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packagedVsix } from './support/vsix';

/**
 * Required inside try/catch and never needed here: ssh2's optional native speed-ups (pure-JS fallback), and
 * node-redis's OpenTelemetry hook (used only when an app enables Redis metrics; dist/hub.js catches its absence).
 */
const OPTIONAL_NATIVE = new Set(['cpu-features', './crypto/build/Release/sshcrypto.node', '@opentelemetry/api']);
/**
 * Preload for `node -e`: `require('vscode')` answers a stand-in on which every property, call and `new` gives the
 * stand-in again, so a bundle's top-level code runs as it would in the extension host.
 */
const WITH_VSCODE_STUB = [
  "const get = (_t, k) => (typeof k === 'symbol' || k === 'then' ? undefined : k === 'prototype' ? {} : stub);",
  // esbuild's ESM interop copies own keys and inherits the rest from the module's prototype: answer there too.
  "const stub = new Proxy(function () {}, { get, apply: () => stub, construct: () => stub, getPrototypeOf: () => new Proxy({}, { get }) });",
  "const M = require('module'); const load = M._load; M._load = function (r, ...a) { return r === 'vscode' ? stub : load.call(this, r, ...a); };",
].join(' ');

describe('the packaged VSIX', function () {
  let unpacked: string;
  let entries: string[];
  /** dist/*.js: the bootstrap (main), the full extension, their lazily loaded chunks, and the CLI. */
  let bundles: string[];
  let manifest: {
    main: string;
    icon: string;
    bin: Record<string, string>;
    contributes: { walkthroughs: Array<{ steps: Array<{ media: Record<string, string> }> }> };
  };

  before(function () {
    this.timeout(180_000);
    const vsix = packagedVsix();
    unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'salesiq-vsix-content-'));
    // python3 is a prerequisite already (code-server's native builds); unzip is not.
    execFileSync('python3', ['-m', 'zipfile', '-e', vsix, unpacked]);
    entries = filesUnder(unpacked);
    bundles = entries.filter((e) => /^extension\/dist\/[\w-]+\.js$/.test(e)).map((e) => e.slice('extension/'.length));
    manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'extension', 'package.json'), 'utf8'));
  });

  after(() => fs.rmSync(unpacked, { recursive: true, force: true }));

  it('holds only the manifest, the production bundles, README, CHANGELOG and media', () => {
    const allowed = [
      /^extension\.vsixmanifest$/,
      /^\[Content_Types\]\.xml$/,
      /^extension\/(package\.json|readme\.md|changelog\.md)$/,
      /^extension\/dist\/[\w-]+\.js$/,
      /^extension\/media\/icon\.png$/,
      /^extension\/media\/walkthrough\/[\w-]+\.svg$/,
      /^extension\/media\/screenshots\/[\w-]+\.png$/,
    ];
    const stray = entries.filter((e) => !allowed.some((re) => re.test(e)));
    assert.deepStrictEqual(stray, [], 'no sources, tests, sandbox, source maps or node_modules');
    for (const b of ['dist/bootstrap.js', 'dist/extension.js', 'dist/cli.js', 'dist/cli-main.js']) assert.ok(bundles.includes(b), `${b} is packaged`);
  });

  it('contains every file its manifest names: main, CLI, icon and walkthrough media', () => {
    const named = [manifest.main, ...Object.values(manifest.bin), manifest.icon];
    for (const wt of manifest.contributes.walkthroughs) for (const step of wt.steps) named.push(...Object.values(step.media).filter((v) => /\.(svg|png|md)$/.test(v)));
    const missing = named.filter((f) => !entries.includes(`extension/${path.posix.normalize(f)}`));
    assert.deepStrictEqual(missing, []);
    assert.strictEqual(manifest.contributes.walkthroughs[0].steps.length, 6);
  });

  it('keeps what activation loads small: the bootstrap a few KB, the full extension it loads next within 100 KB', () => {
    const kb = (f: string) => fs.statSync(path.join(unpacked, 'extension', 'dist', f)).size / 1024;
    assert.strictEqual(manifest.main, './dist/bootstrap.js');
    assert.ok(kb('bootstrap.js') <= 16, `dist/bootstrap.js is ${kb('bootstrap.js').toFixed(1)} KB`);
    assert.ok(kb('extension.js') <= 100, `dist/extension.js is ${kb('extension.js').toFixed(1)} KB`);
  });

  it('requires nothing at run time that the VSIX does not carry', () => {
    const isNode = (m: string) => m.startsWith('node:') || builtinModules.includes(m);
    const chunks = new Set(bundles.map((b) => `./${path.posix.basename(b)}`));
    for (const b of bundles) {
      const code = fs.readFileSync(path.join(unpacked, 'extension', b), 'utf8');
      const required = [...new Set([...code.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]))];
      // The CLI runs on plain Node; everything else runs in the extension host, which provides `vscode`. The CLI
      // may load a sibling chunk on first use (the team hub's node-redis) only if that chunk needs no `vscode`.
      const plainNode = (m: string) => chunks.has(m) && !/\brequire\(["']vscode["']\)/.test(fs.readFileSync(path.join(unpacked, 'extension', 'dist', m), 'utf8'));
      const provided = (m: string) => OPTIONAL_NATIVE.has(m) || (b === 'dist/cli.js' ? plainNode(m) : m === 'vscode' || chunks.has(m));
      const unknown = required.filter((m) => !isNode(m) && !provided(m));
      assert.deepStrictEqual(unknown, [], `${b} requires modules that are neither Node's nor in the VSIX`);
    }
  });

  it('loads every bundle and runs its CLI from the unpacked VSIX alone', () => {
    // A copy under the temp dir: no node_modules in any parent folder to fall back on.
    const dir = path.join(unpacked, 'extension');
    const hostBundles = bundles.filter((b) => b !== 'dist/cli.js');
    const load = spawnSync(process.execPath, ['-e', `${WITH_VSCODE_STUB} for (const b of ${JSON.stringify(hostBundles)}) require('./' + b); if (typeof require('./dist/extension.js').activate !== 'function') process.exit(3);`], { cwd: dir, encoding: 'utf8' });
    assert.strictEqual(load.status, 0, load.stderr);
    const cli = spawnSync(process.execPath, ['dist/cli.js', '--help'], { cwd: dir, encoding: 'utf8' });
    assert.strictEqual(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /Usage: salesiq-devkit/);
  });
});

/** Paths of the files below dir, relative and with forward slashes, as the VSIX names them. */
function filesUnder(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? filesUnder(path.join(dir, e.name), rel) : [rel];
  });
}
