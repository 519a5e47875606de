/**
 * Zoho data centres: each one has its own accounts server and SalesIQ host, and a token only works in the DC
 * where its client is registered (the wrong DC answers `invalid_client`), so every request is routed by DC.
 */
export type DataCenter = 'com' | 'eu' | 'in' | 'com.au' | 'jp' | 'com.cn' | 'ca' | 'sa' | 'uk';

export interface DataCenterInfo {
  label: string;
  accountsUrl: string;
  salesiqUrl: string;
  /** The `api_domain` a token response carries for this DC; a hint only, SalesIQ ignores it. */
  apiDomain: string;
}

export const DATA_CENTERS: Readonly<Record<DataCenter, DataCenterInfo>> = {
  com: { label: 'US (zoho.com)', accountsUrl: 'https://accounts.zoho.com', salesiqUrl: 'https://salesiq.zoho.com', apiDomain: 'https://www.zohoapis.com' },
  eu: { label: 'EU (zoho.eu)', accountsUrl: 'https://accounts.zoho.eu', salesiqUrl: 'https://salesiq.zoho.eu', apiDomain: 'https://www.zohoapis.eu' },
  in: { label: 'India (zoho.in)', accountsUrl: 'https://accounts.zoho.in', salesiqUrl: 'https://salesiq.zoho.in', apiDomain: 'https://www.zohoapis.in' },
  'com.au': { label: 'Australia (zoho.com.au)', accountsUrl: 'https://accounts.zoho.com.au', salesiqUrl: 'https://salesiq.zoho.com.au', apiDomain: 'https://www.zohoapis.com.au' },
  jp: { label: 'Japan (zoho.jp)', accountsUrl: 'https://accounts.zoho.jp', salesiqUrl: 'https://salesiq.zoho.jp', apiDomain: 'https://www.zohoapis.jp' },
  'com.cn': { label: 'China (zoho.com.cn)', accountsUrl: 'https://accounts.zoho.com.cn', salesiqUrl: 'https://salesiq.zoho.com.cn', apiDomain: 'https://www.zohoapis.com.cn' },
  // Unconfirmed: the CA SalesIQ host comes from third-party code, not SalesIQ's own table.
  ca: { label: 'Canada (zohocloud.ca)', accountsUrl: 'https://accounts.zohocloud.ca', salesiqUrl: 'https://salesiq.zohocloud.ca', apiDomain: 'https://www.zohoapis.ca' },
  // Unconfirmed: SA and UK are not in SalesIQ's host table; the SalesIQ host and api_domain follow the pattern.
  sa: { label: 'Saudi Arabia (zoho.sa)', accountsUrl: 'https://accounts.zoho.sa', salesiqUrl: 'https://salesiq.zoho.sa', apiDomain: 'https://www.zohoapis.sa' },
  uk: { label: 'United Kingdom (zoho.uk)', accountsUrl: 'https://accounts.zoho.uk', salesiqUrl: 'https://salesiq.zoho.uk', apiDomain: 'https://www.zohoapis.uk' },
};

export const DATA_CENTER_IDS = Object.keys(DATA_CENTERS) as DataCenter[];

export function isDataCenter(s: unknown): s is DataCenter {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DATA_CENTERS, s);
}

export interface Endpoints {
  accountsUrl: string;
  salesiqUrl: string;
}

/**
 * The servers for a DC. An override replaces the DC's server; `{dc}` in it is replaced by the DC id, so one
 * setting such as `http://127.0.0.1:7357/accounts/{dc}` points every DC at the sandbox.
 */
export function endpointsFor(dc: DataCenter, overrides: { accountsUrl?: string; salesiqUrl?: string } = {}): Endpoints {
  const info = DATA_CENTERS[dc];
  return {
    accountsUrl: resolve(overrides.accountsUrl, info.accountsUrl, dc),
    salesiqUrl: resolve(overrides.salesiqUrl, info.salesiqUrl, dc),
  };
}

/** The DC an `api_domain` (e.g. `https://www.zohoapis.in`) points to, or null when it matches none. */
export function dataCenterFromApiDomain(apiDomain: string | undefined): DataCenter | null {
  if (!apiDomain) return null;
  let host: string;
  try {
    host = bareHost(apiDomain.includes('://') ? apiDomain : `https://${apiDomain}`);
  } catch {
    return null;
  }
  for (const dc of DATA_CENTER_IDS) {
    if (bareHost(DATA_CENTERS[dc].apiDomain) === host) return dc;
  }
  return null;
}

/** The DC whose Zoho accounts server `url` is (or a sandbox URL ending in `/accounts/<dc>`), else null. */
export function dataCenterFromAccountsUrl(url: string): DataCenter | null {
  const trimmed = url.trim().replace(/\/+$/, '');
  const sandbox = /\/accounts\/([a-z.]+)$/.exec(trimmed);
  if (sandbox && isDataCenter(sandbox[1])) return sandbox[1];
  let host: string;
  try {
    host = new URL(trimmed).hostname.toLowerCase();
  } catch {
    return null;
  }
  return DATA_CENTER_IDS.find((dc) => new URL(DATA_CENTERS[dc].accountsUrl).hostname === host) ?? null;
}

function resolve(override: string | undefined, fallback: string, dc: DataCenter): string {
  const url = override?.trim() ? override.trim().split('{dc}').join(dc) : fallback;
  return url.replace(/\/+$/, '');
}

function bareHost(url: string): string {
  return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
}
