// Entry of dist/cli-undici.js: the real undici for the CLI, required on first use by src/cli/lazyDeps/undici.ts.
// Only the three things that stand-in hands out. undici's index also builds fetch, WebSocket, EventSource, the
// cache stores and the mocks, and reads the `Headers` global, which makes Node load its own bundled undici too:
// twice the load time (~140 ms of CPU vs ~60 ms on Node 20 here) for a command that makes one request.
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Undici from 'undici';

export const Agent = require('undici/lib/dispatcher/agent') as typeof Undici.Agent;
export const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent') as typeof Undici.EnvHttpProxyAgent;
const Dispatcher = require('undici/lib/dispatcher/dispatcher') as typeof Undici.Dispatcher;
const { parseURL } = require('undici/lib/core/util') as { parseURL(url: string | URL): URL };

// As undici's index does: every dispatcher gets request, connect, stream… (the proxy agents call `connect`).
Object.assign(Dispatcher.prototype, require('undici/lib/api'));

/**
 * undici's top-level `request(url, opts)` (its index.js wraps `Dispatcher#request` the same way) for the calls
 * src/core/net/http.ts makes: a URL string and always its own dispatcher.
 */
export const request = ((url: string, opts: Undici.Dispatcher.RequestOptions & { dispatcher: Undici.Dispatcher }) => {
  const u = parseURL(url);
  return opts.dispatcher.request({
    ...opts,
    origin: u.origin,
    path: u.search ? `${u.pathname}${u.search}` : u.pathname,
    method: opts.method || (opts.body ? 'PUT' : 'GET'),
  });
}) as unknown as typeof Undici.request;
