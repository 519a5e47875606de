/**
 * Loaders for the chunks kept out of the activation bundle (esbuild.js leaves these requires in place).
 * Each chunk is loaded once, on first use: the countdown never pays for undici, ssh2 or the error catalogue.
 */
import type * as HubChunk from '../core/hub/chunk';
import type * as DecodeChunk from './chunks/decode';
import type * as NetChunk from './chunks/net';

let netChunk: typeof NetChunk | undefined;
let decodeChunk: typeof DecodeChunk | undefined;
let hubChunk: typeof HubChunk | undefined;

export function loadNet(): typeof NetChunk {
  netChunk ??= require('./net.js') as typeof NetChunk;
  return netChunk;
}

export function loadDecode(): typeof DecodeChunk {
  decodeChunk ??= require('./decode.js') as typeof DecodeChunk;
  return decodeChunk;
}

/** The team hub with node-redis (dist/hub.js): only when salesiq.hub.url is set. */
export function loadHub(): typeof HubChunk {
  hubChunk ??= require('./hub.js') as typeof HubChunk;
  return hubChunk;
}
