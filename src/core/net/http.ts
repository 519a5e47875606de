/**
 * The one HTTP client of the core (the only module that imports undici). It returns every HTTP answer as data,
 * whatever its status, because Zoho's status codes are unreliable and callers decide by body; only a failure to
 * get an answer at all is thrown, as a decoded network Finding.
 */
import { Agent, EnvHttpProxyAgent, type Dispatcher, request as undiciRequest } from 'undici';
import { DevKitError } from '../errors/devkitError';
import { findingFor } from '../errors/catalogue';
import { redact } from '../redact';

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

export interface HttpClientOptions {
  /** An explicit proxy (VS Code's `http.proxy`); without it HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply. */
  proxy?: string;
  /** Hosts that bypass the explicit proxy, NO_PROXY syntax (VS Code's `http.noProxy` joined by commas). */
  noProxy?: string;
  /** false accepts any TLS certificate (VS Code's `http.proxyStrictSSL`); default true. */
  strictSSL?: boolean;
  /** Default per-request deadline for the whole exchange; 15 s unless set. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

export function createHttpClient(opts: HttpClientOptions = {}): HttpClient {
  const dispatcher = createDispatcher(opts);
  const defaultTimeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    request: (req) => send(dispatcher, req, req.timeoutMs ?? defaultTimeout),
  };
}

function createDispatcher(opts: HttpClientOptions): Dispatcher {
  const tls = opts.strictSSL === false ? { rejectUnauthorized: false } : undefined;
  const proxy = opts.proxy?.trim();
  if (proxy) {
    // The explicit proxy wins over the environment, including its NO_PROXY.
    return new EnvHttpProxyAgent({ httpProxy: proxy, httpsProxy: proxy, noProxy: opts.noProxy ?? '', connect: tls, requestTls: tls });
  }
  const env = process.env;
  const envProxy = env.https_proxy ?? env.HTTPS_PROXY ?? env.http_proxy ?? env.HTTP_PROXY;
  return envProxy ? new EnvHttpProxyAgent({ connect: tls, requestTls: tls }) : new Agent({ connect: tls });
}

async function send(dispatcher: Dispatcher, req: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
  try {
    const res = await undiciRequest(req.url, {
      dispatcher,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
    });
    return { status: res.statusCode, headers: flattenHeaders(res.headers), text: await res.body.text() };
  } catch (err) {
    // A caller's cancellation is not a network failure: hand its reason back untouched.
    if (req.signal?.aborted) throw req.signal.reason ?? err;
    throw networkError(err, req.url, deadline.aborted);
  }
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Turns whatever undici or Node threw into a network Finding carrying the Node error code. */
function networkError(err: unknown, url: string, timedOut = false): DevKitError {
  const code = timedOut ? 'ETIMEDOUT' : networkCode(err);
  const details: Record<string, string> = { address: origin(url) };
  const message = errorMessage(err);
  return new DevKitError(
    findingFor('network', code, { message: message ? redact(message) : undefined, details }),
    { cause: err },
  );
}

const TLS_PROBLEM = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|^EPROTO$/;
const NODE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
/** undici's own spellings the catalogue folds into the agreed words (UND_ERR_SOCKET → ECONNRESET, timeouts → ETIMEDOUT). */
const UNDICI_CODES = new Set(['UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function networkCode(err: unknown): string {
  // The telling code may sit on the error or on its cause chain (undici wraps Node's socket errors).
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') codes.push(c);
  }
  const tls = codes.find((c) => TLS_PROBLEM.test(c) && !c.startsWith('UND_ERR'));
  if (tls) return tls;
  return codes.find((c) => NODE_CODES.has(c)) ?? codes.find((c) => UNDICI_CODES.has(c)) ?? 'ConnectionError';
}

function errorMessage(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string' && m && !parts.includes(m)) parts.push(m);
  }
  return parts.join(': ');
}

function origin(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
