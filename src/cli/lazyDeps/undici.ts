// The CLI bundle's `undici` (see lazy.ts): only what src/core/net/http.ts uses, loaded on the first request.
import type * as Undici from 'undici';
import { lazyClass, lazyModule } from './lazy';

const real = lazyModule<typeof Undici>('./cli-undici.js');

export const Agent = lazyClass(() => real().Agent);
export const EnvHttpProxyAgent = lazyClass(() => real().EnvHttpProxyAgent);
export const request = ((...args: Parameters<typeof Undici.request>) => real().request(...args)) as typeof Undici.request;
