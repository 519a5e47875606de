/**
 * Reading an HTTP answer that should have been JSON. Kept apart from the undici client so decoding code
 * (the activation bundle) never pulls undici in.
 */
import { findingFor } from '../errors/catalogue';
import type { Finding } from '../errors/finding';
import type { HttpResponse } from './http';

/** An answer that is not a JSON object: a web page, else the error status, else garbage. */
export function nonJsonFinding(res: HttpResponse): Finding {
  const html = /text\/html/i.test(res.headers['content-type'] ?? '') || /^\s*</.test(res.text);
  if (html) return findingFor('http', 'html', { httpStatus: res.status });
  if (res.status >= 400) return findingFor('http', res.status, { httpStatus: res.status });
  return findingFor('http', 'bad_json', { httpStatus: res.status });
}

/** The JSON object in a body, or undefined when the body is not a JSON object. */
export function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
