/**
 * Getting a refresh token, for both front ends (docs/zoho-authorize.md): a Self Client grant code pasted by the
 * user, or a browser sign-in redirected to a local listener. Either way the code is exchanged at once (Zoho's
 * codes live one to three minutes) at the DC the redirect names, and only a grant holding a refresh token counts.
 * Nothing is stored here: the caller replaces its credentials only once this returns.
 */
import type { DataCenter } from './datacenters';
import { endpointsFor } from './datacenters';
import { DevKitError } from '../errors/devkitError';
import { findingFor } from '../errors/catalogue';
import type { HttpClient } from '../net/http';
import { authorizeUrl, chooseDataCenter, newState, redirectUri, type ClientType, type DataCenterChoice, type RedirectParams } from './authorize';
import { exchangeAuthorizationCode, type Grant } from './oauth';
import { listenForRedirect } from './redirectListener';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface AuthorizeCommon {
  http: HttpClient;
  clientType: ClientType;
  client: ClientCredentials;
  /** The DC the user picked; a redirect's `location` / trusted `accounts-server` overrides it. */
  pickedDc: DataCenter;
  /** The accounts URL override (`{dc}` template), when one is configured. */
  accountsOverride?: string;
  signal?: AbortSignal;
}

export interface AuthorizeResult extends DataCenterChoice {
  refreshToken: string;
  grant: Grant;
  /** The scopes Zoho says it granted, else those requested. */
  scope: string;
}

export interface BrowserOptions extends AuthorizeCommon {
  clientType: Exclude<ClientType, 'self'>;
  scopes: readonly string[];
  port: number;
  timeoutMs: number;
  /** Shows or opens the authorize URL; called once the listener is bound. */
  open(url: string, redirectUri: string): void | Promise<void>;
  /** Named on the page the browser shows at the end. */
  returnTo?: string;
}

/** Listens first (a port in use fails before any browser opens), then opens Zoho's consent page and waits. */
export async function authorizeInBrowser(o: BrowserOptions): Promise<AuthorizeResult> {
  const state = newState();
  const listener = await listenForRedirect({
    port: o.port,
    expectedState: state,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    returnTo: o.returnTo,
  });
  let params: RedirectParams & { code: string };
  try {
    const accountsUrl = endpointsFor(o.pickedDc, { accountsUrl: o.accountsOverride }).accountsUrl;
    await o.open(
      authorizeUrl({
        accountsUrl,
        clientType: o.clientType,
        clientId: o.client.clientId,
        scopes: o.scopes,
        redirectUri: listener.redirectUri,
        state,
      }),
      listener.redirectUri,
    );
    params = await listener.result;
  } finally {
    listener.close();
  }
  return exchange(o, params, listener.redirectUri, o.scopes);
}

export interface PastedCodeOptions extends AuthorizeCommon {
  /** From readPastedCode: the code, with whatever else a pasted redirect URL carried. */
  pasted: RedirectParams & { code: string };
  /** Server-based and org codes were issued for this redirect URI, and Zoho wants it again at the exchange. */
  redirectPort: number;
  scopes?: readonly string[];
}

/** A Self Client code (or a redirect URL pasted from elsewhere): exchanged at once, no `redirect_uri` for Self Client. */
export async function authorizeWithCode(o: PastedCodeOptions): Promise<AuthorizeResult> {
  const uri = o.clientType === 'self' ? undefined : redirectUri(o.redirectPort);
  return exchange(o, o.pasted, uri, o.scopes ?? []);
}

async function exchange(
  o: AuthorizeCommon,
  params: RedirectParams & { code: string },
  uri: string | undefined,
  scopes: readonly string[],
): Promise<AuthorizeResult> {
  const choice = chooseDataCenter(params, o.pickedDc, o.accountsOverride);
  const grant = await exchangeAuthorizationCode(
    o.http,
    choice.accountsUrl,
    { ...o.client, code: params.code, ...(uri ? { redirectUri: uri } : {}) },
    { signal: o.signal },
  );
  if (!grant.refreshToken) {
    throw new DevKitError(findingFor('oauth', 'no_refresh_token', { details: { dataCenter: choice.dataCenter } }));
  }
  const { refreshToken, ...rest } = grant;
  return { ...choice, refreshToken, grant: rest, scope: grant.scope ?? scopes.join(',') };
}
