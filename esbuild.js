// Bundles the extension, its lazily loaded chunks and the CLI (pattern: vscode-extension-samples/esbuild-sample).
// The activation bundle holds only what the countdown needs; undici lives in dist/net.js, ssh2 in dist/ssh.js
// and the error catalogue in dist/decode.js, each required on first use, so none costs activation time.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * Leaves `require('./net.js')`, `'./ssh.js'`, `'./decode.js'`, `'./hub.js'` (and the bootstrap's `'./extension.js'`)
 * as runtime requires of the sibling chunk files.
 */
const lazyChunks = {
  name: 'lazy-chunks',
  setup(build) {
    build.onResolve({ filter: /^\.\/(net|ssh|decode|hub|ssh-config|extension)\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * The CLI's heavy libraries on first use: the core's `undici` / `ssh2` imports resolve to the stand-ins in
 * src/cli/lazyDeps, which require dist/cli-undici.js / dist/cli-ssh2.js (the real libraries, bundled from
 * src/cli/chunks) when first used. `status` and `decode` never load either.
 */
const cliLazyDeps = {
  name: 'cli-lazy-deps',
  setup(build) {
    const path = require('path');
    build.onResolve({ filter: /^\.\/cli-(undici|ssh2|ssh-config)\.js$/ }, (args) => ({ path: args.path, external: true }));
    build.onResolve({ filter: /^(undici|ssh2|ssh-config)$/ }, (args) =>
      args.importer.includes(`${path.sep}src${path.sep}cli${path.sep}chunks${path.sep}`) ? undefined : { path: path.resolve(__dirname, 'src/cli/lazyDeps', `${args.path}.ts`) },
    );
  },
};

/** The bin (dist/cli.js) requires the CLI (dist/cli-main.js, dist/cli-quick.js) at run time, after turning on the compile cache. */
const cliMain = {
  name: 'cli-main',
  setup(build) {
    build.onResolve({ filter: /^\.\/cli-(main|quick)\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** Prints the lines the `$esbuild-watch` problem matcher understands. */
const problemMatcher = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  // ssh2's native parts are optional; its own try/catch falls back to JS crypto.
  // node-redis's optional peers (OpenTelemetry metrics, the DIGEST helper) are loaded by it only when present.
  external: ['vscode', 'cpu-features', '*.node', '@opentelemetry/api', '@node-rs/xxhash'],
  logLevel: 'silent',
  plugins: [lazyChunks, problemMatcher],
};

const builds = [
  // The manifest's main is dist/bootstrap.js (activated at `*`, draws the countdown); it loads dist/extension.js.
  { ...common, entryPoints: { bootstrap: 'src/vscode/bootstrap.ts' }, outdir: 'dist' },
  { ...common, entryPoints: { extension: 'src/extension.ts', net: 'src/vscode/chunks/net.ts', ssh: 'src/vscode/chunks/ssh.ts', decode: 'src/vscode/chunks/decode.ts', hub: 'src/core/hub/chunk.ts' }, outdir: 'dist' },
  // ~/.ssh/config (the ssh-config parser and the core's evaluation): src/vscode/remote/lazySshConfig.ts loads it.
  { ...common, entryPoints: { 'ssh-config': 'src/vscode/chunks/sshConfig.ts' }, outdir: 'dist' },
  // `node --`: Node stops reading its own options there, so a `--env-file` given to the CLI never makes Node
  // load that file into its environment (docs/ssh.md).
  { ...common, entryPoints: { cli: 'src/cli/bin.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env -S node --' }, plugins: [...common.plugins, cliMain] },
  // The CLI itself, loaded by the bin above once the compile cache is on (src/cli/bin.ts).
  { ...common, entryPoints: { 'cli-main': 'src/cli/main.ts' }, outdir: 'dist', plugins: [...common.plugins, cliLazyDeps] },
  // `status` and `decode` alone (src/cli/quick.ts), a fraction of the CLI's size; anything else goes to cli-main.js.
  { ...common, entryPoints: { 'cli-quick': 'src/cli/quick.ts' }, outdir: 'dist', plugins: [...common.plugins, cliLazyDeps] },
  { ...common, entryPoints: { 'cli-undici': 'src/cli/chunks/undici.ts', 'cli-ssh2': 'src/cli/chunks/ssh2.ts' }, outdir: 'dist' },
  { ...common, entryPoints: { 'cli-ssh-config': 'src/cli/chunks/sshConfig.ts' }, outdir: 'dist' },
];

async function main() {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  try {
    for (const c of contexts) await c.rebuild();
    // The bin is run directly (package.json "bin"), so it must be executable.
    require('fs').chmodSync(require('path').join(__dirname, 'dist', 'cli.js'), 0o755);
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
