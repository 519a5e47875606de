/**
 * Sizes of the production bundles: the activation bundle (target ≤ 100 KB) and the chunks loaded on
 * first use. Run after `node esbuild.js --production`.
 */
import * as fs from 'fs';
import * as path from 'path';

const dist = path.resolve(__dirname, '../../dist');
const kb = (f: string) => fs.statSync(path.join(dist, f)).size / 1024;

const activation = kb('extension.js');
console.log(`activation bundle (dist/extension.js): ${activation.toFixed(1)} KB (target ≤ 100 KB: ${activation <= 100 ? 'met' : 'NOT met'})`);
console.log(`network chunk (dist/net.js, undici, loaded on first request): ${kb('net.js').toFixed(1)} KB`);
console.log(`decode chunk (dist/decode.js, error catalogue, loaded on first decode or hover): ${kb('decode.js').toFixed(1)} KB`);
console.log(`SSH chunk (dist/ssh.js, ssh2, loaded on first push): ${kb('ssh.js').toFixed(1)} KB`);
console.log(`team hub chunk (dist/hub.js, node-redis, loaded when a hub is configured): ${kb('hub.js').toFixed(1)} KB`);
console.log(`CLI (dist/cli.js): ${kb('cli.js').toFixed(1)} KB`);
