/**
 * The team hub's address: `redis://host:port/db` or `rediss://…` (TLS). A user name may be given (a Redis ACL
 * user); a password may not, because a URL travels through settings, shell history and `ps`: the password comes
 * from SecretStorage (VS Code) or SALESIQ_HUB_PASSWORD (CLI). Checked before any connection is made.
 */
export interface HubAddress {
  /** The URL as given, known to hold no password. */
  url: string;
  tls: boolean;
  host: string;
  port: number;
  db: number;
  username?: string;
  /** `host:port/db`, for messages and tooltips. */
  display: string;
}

export class HubUrlError extends Error {}

const MAX_LENGTH = 512;

export function parseHubUrl(raw: string): HubAddress {
  const text = raw.trim();
  if (text.length > MAX_LENGTH) throw new HubUrlError(`the hub URL is longer than ${MAX_LENGTH} characters`);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new HubUrlError(`"${text.slice(0, 80)}" is not a URL; use redis://host:6379/0 or rediss://host:6380/0`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new HubUrlError(`the hub URL must start with redis:// or rediss:// (got ${u.protocol}//)`);
  if (u.password) {
    throw new HubUrlError('the hub URL must not hold a password (it would end up in settings, shell history and process lists): remove it and set SALESIQ_HUB_PASSWORD (CLI) or enter it when VS Code asks');
  }
  if (!u.hostname) throw new HubUrlError('the hub URL has no host');
  if (u.search || u.hash) throw new HubUrlError('the hub URL takes no query or fragment; use redis://host:port/db');
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,3}$/.test(path)) throw new HubUrlError(`the hub URL's path must be a database number, e.g. /0 (got /${path})`);
  const db = path === '' ? 0 : Number(path);
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  if (username !== undefined && !/^[A-Za-z0-9_.@-]{1,64}$/.test(username)) throw new HubUrlError('the hub user name may hold letters, digits and _ . @ - only');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url: text, tls: u.protocol === 'rediss:', host, port, db, ...(username ? { username } : {}), display: `${u.protocol}//${username ? `${username}@` : ''}${u.host}/${db}` };
}
