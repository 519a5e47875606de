/**
 * The local end of a browser sign-in: listens on 127.0.0.1 for Zoho's redirect to `/callback`, takes exactly
 * one, checks its `state`, answers the browser with a small page and closes. Bounded in time (the caller's
 * limit), in size (8 KiB of headers, no body read) and in what it accepts (GET /callback only).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DevKitError } from '../errors/devkitError';
import { findingFor } from '../errors/catalogue';
import type { Finding } from '../errors/finding';
import { redirectParams, redirectUri, statesMatch, type RedirectParams } from './authorize';

export interface RedirectListenerOptions {
  port: number;
  expectedState: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Where the user returns to, named on the page ("VS Code", "the terminal"). */
  returnTo?: string;
}

export interface RedirectListener {
  port: number;
  redirectUri: string;
  /** The redirect's parameters, with a code; rejects on a denied consent, a wrong state or the time limit. */
  result: Promise<RedirectParams & { code: string }>;
  close(): void;
}

const MAX_HEADER_BYTES = 8192;

/** Resolves once the port is bound, so a port in use fails before any browser opens. */
export async function listenForRedirect(o: RedirectListenerOptions): Promise<RedirectListener> {
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 15_000, headersTimeout: 10_000 });
  await bind(server, o.port);
  const port = (server.address() as AddressInfo).port;
  let settle!: { resolve: (p: RedirectParams & { code: string }) => void; reject: (e: unknown) => void };
  const result = new Promise<RedirectParams & { code: string }>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => undefined); // the caller may stop listening before it asks for the result
  let done = false;
  const finish = (outcome: { params?: RedirectParams & { code: string }; error?: unknown }) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    server.close();
    server.closeIdleConnections();
    if (outcome.params) settle.resolve(outcome.params);
    else settle.reject(outcome.error);
  };
  const timer = setTimeout(() => finish({ error: new DevKitError(findingFor('oauth', 'redirect_timeout', { details: { port: String(port) } })) }), o.timeoutMs);
  const onAbort = () => finish({ error: o.signal?.reason ?? new Error('cancelled') });
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback' || done) {
      reply(res, 404, page('Not found', 'This address only takes Zoho\'s sign-in redirect.', false));
      return;
    }
    const params = redirectParams(url.searchParams);
    const failure = checkRedirect(params, o.expectedState);
    const back = o.returnTo ?? 'SalesIQ DevKit';
    if (failure) {
      reply(res, 400, page(failure.title, `Nothing was stored. Return to ${back} for the fix.`, false));
      finish({ error: new DevKitError(failure) });
    } else {
      reply(res, 200, page('Authorized', `SalesIQ DevKit received the authorization. You can close this tab and return to ${back}.`, true));
      finish({ params: params as RedirectParams & { code: string } });
    }
  });
  return { port, redirectUri: redirectUri(port), result, close: () => finish({ error: new Error('stopped listening') }) };
}

/** The state is checked before anything else: a redirect with a wrong one is not looked at further. */
function checkRedirect(p: RedirectParams, expectedState: string): Finding | undefined {
  if (!statesMatch(expectedState, p.state)) return findingFor('oauth', 'state_mismatch');
  if (p.error) return findingFor('oauth', p.error.slice(0, 64), { details: p.errorDescription ? { description: p.errorDescription.slice(0, 200) } : {} });
  if (!p.code || !/^[A-Za-z0-9._-]{8,512}$/.test(p.code)) return findingFor('oauth', 'invalid_request', { details: { description: 'the redirect carried no grant code' } });
  return undefined;
}

function bind(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const code = e.code === 'EADDRINUSE' ? 'EADDRINUSE' : e.code ?? 'listen';
      reject(new DevKitError(findingFor('network', code, { details: { port: String(port), reason: e.message } })));
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function reply(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    connection: 'close',
  });
  res.end(html);
}

/** Follows the browser's light or dark scheme; holds no parameter of the redirect. */
function page(title: string, text: string, ok: boolean): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>SalesIQ DevKit — ${esc(title)}</title>
<style>body{font:15px system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0;background:#f3f3f3;color:#1f1f1f}
main{max-width:30rem;padding:2rem;border-radius:8px;background:#fff;border-top:4px solid ${ok ? '#2e7d32' : '#c62828'}}
@media (prefers-color-scheme: dark){body{background:#1e1e1e;color:#ccc}main{background:#252526}}h1{font-size:1.3rem;margin-top:0}</style></head>
<body><main><h1 id="result">${ok ? '✓' : '✗'} ${esc(title)}</h1><p>${esc(text)}</p></main></body></html>`;
}
