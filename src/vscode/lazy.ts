/**
 * Loaders for the chunks kept out of the activation bundle (esbuild.js leaves these requires in place).
 * Each chunk is loaded once, on first use: the countdown never pays for undici or ssh2.
 */
import type * as NetChunk from './chunks/net';

let netChunk: typeof NetChunk | undefined;

export function loadNet(): typeof NetChunk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  netChunk ??= require('./net.js') as typeof NetChunk;
  return netChunk;
}
