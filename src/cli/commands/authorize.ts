import { spawn } from 'child_process';
import { DATA_CENTERS } from '../../core/zoho/datacenters';
import { findingFor } from '../../core/errors/catalogue';
import { DevKitError } from '../../core/errors/devkitError';
import { countdownText } from '../../core/token/token';
import { apiConsoleUrl, DEFAULT_REDIRECT_PORT, isClientType, isValidPort, readPastedCode, tokenKindOf, type ClientType } from '../../core/zoho/authorize';
import { authorizeInBrowser, authorizeWithCode, type AuthorizeResult } from '../../core/zoho/authorizeFlow';
import { parseScopes, presetScopes, scopeText } from '../../core/zoho/scopes';
import { UsageError } from '../args';
import { checkConfigWritable, clientOf, configPath, configProblem, storeRefreshToken } from '../config';
import type { CliContext, Command } from '../context';
import { EXIT, printOk } from '../output';

const MAX_STDIN = 64 * 1024;
const DEFAULT_TIMEOUT_SEC = 300;

interface Options {
  browser: boolean;
  clientType: ClientType;
  scopes: string[];
  port: number;
  timeoutMs: number;
}

/**
 * `authorize`: a refresh token from a Self Client grant code on stdin, or from a browser sign-in redirected to
 * 127.0.0.1. The config file is checked before the code is spent and written only once a refresh token is in
 * hand, so a failure leaves the previous credentials as they were.
 */
export const authorize: Command = {
  summary: 'obtains a refresh token (Self Client code on stdin, or browser sign-in) and stores it',
  flags: { values: ['--client-type', '--scope', '--redirect-port', '--timeout-seconds'], switches: ['--code-stdin', '--browser', '--no-open', '--print-token'] },
  async run(ctx) {
    const o = options(ctx);
    const file = configPath(ctx.parsed, ctx.env);
    checkConfigWritable(file);
    const client = clientOf(ctx.env, ctx.config, ctx.profile.name);
    if (!client) {
      throw new DevKitError(configProblem(
        `No client ID and secret for profile "${ctx.profile.name}".`,
        `Set SALESIQ_CLIENT_ID and SALESIQ_CLIENT_SECRET in the environment (or clientId and clientSecret under profiles.${ctx.profile.name} in ${file}): API console → your client → Client Secret.`,
        'no-client',
      ));
    }
    ctx.io.secrets.add(client.clientSecret);
    const result = o.browser ? await browserFlow(ctx, o, client) : await codeFlow(ctx, o, client);
    for (const s of [result.refreshToken, result.grant.accessToken]) ctx.io.secrets.add(s);
    return store(ctx, o, file, result);
  },
};

function options(ctx: CliContext): Options {
  const p = ctx.parsed;
  const browser = p.switches.has('--browser');
  if (browser === p.switches.has('--code-stdin')) throw new UsageError('authorize needs exactly one of --code-stdin (Self Client code) and --browser (sign-in)');
  const type = p.values['--client-type'] ?? (browser ? 'server' : 'self');
  if (!isClientType(type)) throw new UsageError(`--client-type must be self, server or org, not "${type.slice(0, 40)}"`);
  if (browser && type === 'self') throw new UsageError('a Self Client has no redirect: use --code-stdin with --client-type self');
  const port = intFlag(p.values['--redirect-port'], '--redirect-port', DEFAULT_REDIRECT_PORT, 1, 65535);
  if (!isValidPort(port)) throw new UsageError('--redirect-port must be 1–65535');
  const timeoutSec = intFlag(p.values['--timeout-seconds'], '--timeout-seconds', DEFAULT_TIMEOUT_SEC, 1, 3600);
  let scopes = presetScopes(tokenKindOf(type));
  if (p.values['--scope'] !== undefined) {
    const parsed = parseScopes(p.values['--scope']);
    if (!parsed.ok) throw new UsageError(`--scope: ${parsed.message}`);
    scopes = parsed.scopes;
  }
  return { browser, clientType: type, scopes, port, timeoutMs: timeoutSec * 1000 };
}

function intFlag(v: string | undefined, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (!/^\d{1,7}$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}`);
  return Number(v);
}

async function codeFlow(ctx: CliContext, o: Options, client: { clientId: string; clientSecret: string }): Promise<AuthorizeResult> {
  if (process.stdin.isTTY) {
    ctx.io.stderr(`Self Client: ${apiConsoleUrl(ctx.profile.dataCenter)} → Self Client → Generate Code, scopes:\n  ${scopeText(o.scopes)}\nPaste the code (it lives 3 minutes) and press Enter, then Ctrl+D:`);
  }
  const text = await ctx.readStdin();
  if (text.length > MAX_STDIN) throw new UsageError('stdin holds more than 64 KiB; --code-stdin reads one grant code');
  const pasted = readPastedCode(text.split(/\r?\n/).find((l) => l.trim()) ?? '');
  if (!pasted.ok) {
    if (pasted.params?.error) throw new DevKitError(denied(pasted.params.error));
    throw new UsageError(`--code-stdin: ${pasted.message}`);
  }
  ctx.io.secrets.add(pasted.params.code);
  const result = await authorizeWithCode({
    http: ctx.http(),
    clientType: o.clientType,
    client,
    pickedDc: ctx.profile.dataCenter,
    accountsOverride: override(ctx),
    pasted: pasted.params,
    redirectPort: o.port,
    scopes: o.scopes,
    signal: ctx.signal,
  });
  report(ctx, result);
  return result;
}

async function browserFlow(ctx: CliContext, o: Options, client: { clientId: string; clientSecret: string }): Promise<AuthorizeResult> {
  const open = !ctx.parsed.switches.has('--no-open');
  const result = await authorizeInBrowser({
    http: ctx.http(),
    clientType: o.clientType as Exclude<ClientType, 'self'>,
    client,
    pickedDc: ctx.profile.dataCenter,
    accountsOverride: override(ctx),
    scopes: o.scopes,
    port: o.port,
    timeoutMs: o.timeoutMs,
    signal: ctx.signal,
    returnTo: 'the terminal',
    open: (url, redirectUri) => {
      ctx.io.stderr(`open: ${url}`);
      ctx.io.stderr(`waiting up to ${Math.round(o.timeoutMs / 1000)} s for the redirect to ${redirectUri} (register exactly this URI with the client)`);
      if (open) openBrowser(url, (m) => ctx.io.stderr(m));
    },
  });
  report(ctx, result);
  return result;
}

/** The redirect's data centre, and an `accounts-server` that was not trusted: both said on stderr. */
function report(ctx: CliContext, r: AuthorizeResult): void {
  if (r.ignoredAccountsServer) ctx.io.stderr(`warning: ignored accounts-server ${r.ignoredAccountsServer}: not a known Zoho Accounts server (nor --accounts-url); the code goes to ${r.accountsUrl}`);
  if (r.corrected) ctx.io.stderr(`note: the account lives in ${DATA_CENTERS[r.dataCenter].label}, not ${DATA_CENTERS[ctx.profile.dataCenter].label}: profile ${ctx.profile.name} now uses data centre ${r.dataCenter}`);
}

async function store(ctx: CliContext, o: Options, file: string, r: AuthorizeResult): Promise<number> {
  const now = ctx.clock.now();
  storeRefreshToken(file, ctx.profile.name, { refreshToken: r.refreshToken, dataCenter: r.dataCenter });
  const expiresAt = now + r.grant.lifetimeSec * 1000;
  await ctx.state.tokenStore(ctx.profile.name, undefined).writeToken({
    accessToken: r.grant.accessToken,
    obtainedAt: now,
    expiresAt,
    lastRefresh: { at: now, ok: true, automatic: false },
  });
  // The first access token counts against the new refresh token's 10-per-10-minutes, like any refresh.
  await ctx.state.refreshLog(r.refreshToken).save([now]);
  if (ctx.env.SALESIQ_REFRESH_TOKEN) ctx.io.stderr('warning: SALESIQ_REFRESH_TOKEN is set in the environment and still wins over the config file for later commands; unset it to use the new refresh token.');
  const print = ctx.parsed.switches.has('--print-token');
  if (!ctx.io.json) {
    ctx.io.stderr(`profile ${ctx.profile.name} authorized (${o.clientType} client, data centre ${r.dataCenter}): refresh token stored in ${file}; access token expires in ${countdownText(expiresAt - now)}`);
    if (print) {
      ctx.io.stdout(r.grant.accessToken);
      ctx.io.stdout(r.refreshToken);
    }
    return EXIT.ok;
  }
  return printOk(
    ctx.io,
    {
      profile: ctx.profile.name,
      expiresAt: new Date(expiresAt).toISOString(),
      remainingSeconds: Math.floor((expiresAt - now) / 1000),
      dataCenter: r.dataCenter,
      accountsServer: r.accountsUrl,
      scope: r.scope,
      clientType: o.clientType,
      stored: 'config',
      ...(print ? { accessToken: r.grant.accessToken, refreshToken: r.refreshToken } : {}),
    },
    '',
  );
}

function override(ctx: CliContext): string | undefined {
  return ctx.parsed.values['--accounts-url'] ?? ctx.config.profiles?.[ctx.profile.name]?.accountsUrl;
}

function denied(error: string) {
  return findingFor('oauth', error.slice(0, 64));
}

/** The platform's URL opener, with the URL as one argument (no shell); failure only means "open it yourself". */
function openBrowser(url: string, say: (m: string) => void): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => say('could not start a browser: open the URL above yourself'));
    child.unref();
  } catch {
    say('could not start a browser: open the URL above yourself');
  }
}
