// The CLI bundle's `ssh2` (see lazy.ts): only what src/core/ssh/handshake.ts and privateKey.ts use, loaded on the first connection.
import type * as Ssh2 from 'ssh2';
import { lazyClass, lazyModule, lazyObject } from './lazy';

const real = lazyModule<typeof Ssh2>('./cli-ssh2.js');

export const Client = lazyClass(() => real().Client);
export const utils = lazyObject(() => real().utils);
