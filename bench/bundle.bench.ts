/**
 * Sizes of the production bundles, by when they load: the bootstrap at `*` activation (the manifest's main),
 * the full extension 2 s after it or on the first command (target ≤ 100 KB each), and the chunks loaded on
 * first use. Run after `node esbuild.js --production`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { report } from './report';

const dist = path.resolve(__dirname, '../../dist');
const kb = (f: string) => fs.statSync(path.join(dist, f)).size / 1024;

const main = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')).main as string;
const activation = kb(path.basename(main));
const full = kb('extension.js');
console.log('bundles (production):');
report({ figure: `activation bundle ${main.replace(/^\.\//, '')} (the bootstrap: draws the countdown at \`*\`)`, result: `${activation.toFixed(1)} KB`, target: 'a few KB, ≤ 100 KB', met: activation <= 100 });
report({ figure: 'full extension dist/extension.js (loaded 2 s after activation, or on the first command)', result: `${full.toFixed(1)} KB`, target: '≤ 100 KB', met: full <= 100 });
report({
  figure: 'CLI start: the bin dist/cli.js (compile cache on) + dist/cli-main.js (undici, ssh2 in dist/cli-undici.js, dist/cli-ssh2.js)',
  result: `${kb('cli.js').toFixed(1)} KB + ${kb('cli-main.js').toFixed(1)} KB (+ ${kb('cli-undici.js').toFixed(0)} KB, ${kb('cli-ssh2.js').toFixed(0)} KB on first use)`,
  target: 'context',
});
console.log(`network chunk (dist/net.js, undici, loaded on first request): ${kb('net.js').toFixed(1)} KB`);
console.log(`decode chunk (dist/decode.js, error catalogue, loaded on first decode or hover): ${kb('decode.js').toFixed(1)} KB`);
console.log(`SSH chunk (dist/ssh.js, ssh2, loaded on first push): ${kb('ssh.js').toFixed(1)} KB`);
console.log(`team hub chunk (dist/hub.js, node-redis, loaded when a hub is configured): ${kb('hub.js').toFixed(1)} KB`);
console.log(`CLI (dist/cli.js + dist/cli-main.js): ${(kb('cli.js') + kb('cli-main.js')).toFixed(1)} KB`);
