/**
 * Whether a host or URL stays on this machine. The sandbox seed may only point DevKit at loopback
 * (outside development), so an environment variable can never redirect credentials to another host.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** A URL (or a `{dc}` URL template, as in salesiq.accountsUrl) whose host is loopback. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url.replace(/\{dc\}/g, 'com')).hostname);
  } catch {
    return false;
  }
}
