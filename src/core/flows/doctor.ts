/**
 * The doctor: every link of the chain from the credentials to the running service, checked without changing
 * anything, each with a verdict (pass / warn / fail / skip), its evidence and the fix. The profile checks
 * (HTTP) and the server checks (one SSH connection) run at the same time; each phase has a time limit, so a
 * hung server fails its own checks with the reason instead of hanging the doctor. Check ids, their order and
 * the status words are the CLI contract (docs/cli-contract.md § doctor); docs/doctor.md says what each proves.
 */
import type { Clock } from '../token/clock';
import { decodeText } from '../errors/decode';
import { isDevKitError } from '../errors/devkitError';
import type { Action, Category, Finding } from '../errors/finding';
import { readEnvKey } from '../dotenv/setKey';
import { redact } from '../redact';
import { connect } from '../ssh/connect';
import type { ConnectOptions } from '../ssh/connectOptions';
import type { SshSession } from '../ssh/session';
import { sha256Hex } from '../ssh/remoteFile';
import { sudoFailure, type Privilege, type SudoMode } from '../ssh/sudo';
import { environmentFiles, MAX_ENV_BYTES, probeNarrow, probePrivileged, probeUnit, type PrivilegedFacts, type UnitFacts } from '../ssh/unitProbe';
import { countdownText, relativeText, tokenKind, type TokenState } from '../token/token';

export const PROFILE_CHECKS = ['credentials', 'data-centre', 'refresh', 'token-kind', 'scope', 'portal'] as const;
export const SERVER_CHECKS = ['host-key', 'login', 'sudo', 'env-file', 'env-key', 'unit', 'unit-reads-env', 'service-active', 'service-token', 'journal'] as const;
export type ProfileCheckId = (typeof PROFILE_CHECKS)[number];
export type ServerCheckId = (typeof SERVER_CHECKS)[number];
export type CheckId = ProfileCheckId | ServerCheckId;
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** What a front end offers as the fix: a button in VS Code, a command line in the CLI. */
export type FixKind = 'authorize' | 'set-up-credentials' | 'refresh' | 'trust-host' | 'push' | 'restart' | 'open-setting' | 'wait';

export interface DoctorCheck {
  id: CheckId;
  status: CheckStatus;
  title: string;
  detail: string;
  category: Category;
  action: Action;
  fix?: { kind: FixKind; setting?: string };
}

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;
export const DEFAULT_JOURNAL_LINES = 200;

const CATEGORY: Record<CheckId, Category> = {
  credentials: 'config', 'data-centre': 'config', refresh: 'auth', 'token-kind': 'auth', scope: 'scope', portal: 'config',
  'host-key': 'host-key', login: 'config', sudo: 'permission', 'env-file': 'config', 'env-key': 'config', unit: 'config',
  'unit-reads-env': 'config', 'service-active': 'server', 'service-token': 'server', journal: 'auth',
};

const TITLES: Record<CheckId, string> = {
  credentials: 'Credentials', 'data-centre': 'Data centre', refresh: 'Access token', 'token-kind': 'Token kind', scope: 'Token scope',
  portal: 'Portal', 'host-key': 'SSH host key', login: 'SSH login', sudo: 'sudo', 'env-file': 'The .env file', 'env-key': 'The key in the .env',
  unit: 'The systemd unit', 'unit-reads-env': 'The unit reads this .env', 'service-active': 'The service is up',
  'service-token': 'The running service holds the current token', journal: 'Auth errors in the journal',
};

export const checkName = (id: CheckId): string => TITLES[id];

function check(id: CheckId, status: CheckStatus, title: string, detail: string, extra: Partial<Pick<DoctorCheck, 'category' | 'action' | 'fix'>> = {}): DoctorCheck {
  const c: DoctorCheck = { id, status, title, detail, category: extra.category ?? CATEGORY[id], action: extra.action ?? 'none' };
  if (extra.fix) c.fix = extra.fix;
  return c;
}

const skip = (id: CheckId, why: string): DoctorCheck => check(id, 'skip', `Not checked: ${why}.`, '');

/** A failing check built from a decoded error: its title, explanation and the contract's category and action. */
function fromFinding(id: CheckId, f: Finding, status: CheckStatus = 'fail', fix?: DoctorCheck['fix']): DoctorCheck {
  const evidence = f.details?.evidence ? ` ${f.details.evidence}` : '';
  return check(id, status, f.title, `${f.explanation}${evidence}`, { category: f.category, action: f.action, fix: fix ?? fixForFinding(f) });
}

function fixForFinding(f: Finding): DoctorCheck['fix'] {
  switch (f.action) {
    case 'refresh':
      return { kind: 'refresh' };
    case 'reauthorize':
      return { kind: 'authorize' };
    case 'trust-host':
      return { kind: 'trust-host' };
    case 'push':
      return { kind: 'push' };
    case 'wait':
      return { kind: 'wait' };
    default:
      return undefined;
  }
}

// ---- time limits ---------------------------------------------------------------------------------------------

export class CheckTimeout extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what}: no answer within ${Math.round(ms / 1000)} s`);
  }
}

/** Rejects with CheckTimeout after `ms`; aborts `ctl` so the work behind the promise stops too. */
function limited<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, what: string, outer?: AbortSignal): Promise<T> {
  const ctl = new AbortController();
  const onOuter = () => ctl.abort(outer?.reason);
  outer?.addEventListener('abort', onOuter, { once: true });
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      ctl.abort(new CheckTimeout(what, ms));
      reject(new CheckTimeout(what, ms));
    }, ms);
    work(ctl.signal).then(resolve, reject).finally(() => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    });
  });
}

function timeoutCheck(id: CheckId, e: CheckTimeout): DoctorCheck {
  return check(id, 'fail', `No answer within ${Math.round(e.ms / 1000)} s.`, `${e.what} did not answer within the check's time limit; the server or network may be hung or overloaded.`, { category: 'network', action: 'retry' });
}

function errorCheck(id: CheckId, e: unknown): DoctorCheck {
  if (e instanceof CheckTimeout) return timeoutCheck(id, e);
  if (isDevKitError(e)) return fromFinding(id, e.finding);
  return check(id, 'fail', 'Unexpected error.', e instanceof Error ? e.message : String(e), { category: 'unknown' });
}

// ---- profile checks -----------------------------------------------------------------------------------------

export interface ProfileInput {
  name: string;
  dataCenter: string;
  accountsUrl: string;
  salesiqUrl: string;
  /** Which of client id, client secret, refresh token are missing; empty when all are there. */
  missingCredentials: string[];
  /** A token given explicitly (the CLI's SALESIQ_ACCESS_TOKEN): used as it is, never replaced. */
  givenToken?: string;
  screenName?: string;
  appId?: string;
}

export interface ProfileDeps {
  clock: Clock;
  /** The cached token, if any. */
  cached(): Promise<TokenState | undefined>;
  /** Mints (and caches) a new token; called only when no valid one is cached and the credentials are there. */
  mint(signal: AbortSignal): Promise<TokenState>;
  /** The harmless authenticated GET; throws the decoded SalesIQ error. */
  validate(token: string, signal: AbortSignal): Promise<{ endpoint: string; status: number; portals?: string[] }>;
}

export interface ProfileResult {
  checks: DoctorCheck[];
  /** The token DevKit holds after the checks (for the server's service-token comparison). */
  token?: string;
}

const WARN_LEFT_MS = 5 * 60_000;

export async function profileChecks(
  p: ProfileInput,
  deps: ProfileDeps,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProfileResult> {
  const limit = opts.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const now = () => deps.clock.now();
  const accountsHost = hostOf(p.accountsUrl);
  const salesiqHost = hostOf(p.salesiqUrl);
  const out = new Map<ProfileCheckId, DoctorCheck>();
  const canMint = p.missingCredentials.length === 0;

  // credentials, and the token to work with: the given one, a valid cached one, or a new one.
  let cached: TokenState | undefined;
  try {
    cached = await deps.cached();
  } catch {
    cached = undefined;
  }
  const usable = p.givenToken ? { accessToken: p.givenToken } : cached && cached.expiresAt > now() ? cached : undefined;
  if (canMint) out.set('credentials', check('credentials', 'pass', 'Client id, client secret and refresh token are set.', `Profile "${p.name}" can mint access tokens at ${accountsHost}.`));
  else if (usable) {
    out.set('credentials', check('credentials', 'warn', `Missing: ${p.missingCredentials.join(', ')}.`, `Profile "${p.name}" has a usable access token but cannot mint the next one when it expires. Authorize (or set the credentials) to keep it fresh.`, { action: 'fix-config', fix: { kind: 'authorize' } }));
  } else {
    out.set('credentials', check('credentials', 'fail', `Missing: ${p.missingCredentials.join(', ')}.`, `Profile "${p.name}" has no valid access token and cannot mint one. Authorize with Zoho (or set the client id, client secret and refresh token).`, { action: 'fix-config', fix: { kind: 'authorize' } }));
  }

  let token: string | undefined;
  let minted: TokenState | undefined;
  let mintError: unknown;
  if (p.givenToken) {
    token = p.givenToken;
    out.set('refresh', check('refresh', 'pass', 'Using the access token given in the environment.', 'SALESIQ_ACCESS_TOKEN is set, so no token was requested; its expiry is not known.'));
  } else if (usable && cached) {
    token = cached.accessToken;
    const left = cached.expiresAt - now();
    out.set('refresh', left <= WARN_LEFT_MS
      ? check('refresh', 'warn', `The cached token expires in ${countdownText(left)}.`, `No token was requested (one is cached). Refresh soon: services holding it fail when it expires at ${new Date(cached.expiresAt).toISOString()}.`, { action: 'refresh', fix: canMint ? { kind: 'refresh' } : { kind: 'authorize' } })
      : check('refresh', 'pass', `The cached token is valid for ${countdownText(left)}.`, `No token was requested: the cached one expires at ${new Date(cached.expiresAt).toISOString()}.`));
  } else if (canMint) {
    try {
      minted = await limited((s) => deps.mint(s), limit, `Zoho Accounts (${accountsHost})`, opts.signal);
      token = minted.accessToken;
      const why = cached ? `the cached one expired ${relativeText(cached.expiresAt - now()).replace(/ ago$/, '')} ago` : 'none was cached';
      out.set('refresh', check('refresh', 'pass', `Minted a new token, valid for ${countdownText(minted.expiresAt - now())}.`, `A token was requested because ${why}; it is cached now.`));
    } catch (e) {
      mintError = e;
    }
  }

  // data-centre: the accounts server accepted the client, or SalesIQ on this DC accepted the token.
  const invalidClient = isDevKitError(mintError) && mintError.finding.code === 'invalid_client';
  if (invalidClient) {
    out.set('data-centre', check('data-centre', 'fail', `Zoho Accounts at ${accountsHost} does not know this client.`, `The client is registered in another data centre than "${p.dataCenter}" (or the client id is wrong). Pick the data centre where the client was created: an account at accounts.zoho.in is India ("in").`, { action: 'fix-config', fix: { kind: 'open-setting', setting: 'salesiq.profiles' } }));
    out.set('refresh', skip('refresh', 'the data centre is wrong'));
  } else if (mintError !== undefined) {
    out.set('refresh', mintError instanceof CheckTimeout ? timeoutCheck('refresh', mintError) : errorCheck('refresh', mintError));
  }
  if (!out.has('refresh')) out.set('refresh', skip('refresh', 'no credentials'));

  let validated: { endpoint: string; status: number; portals?: string[] } | undefined;
  let validateError: unknown;
  const org = token ? tokenKind(token) === 'org' : false;
  const canValidate = token && !(org && (!p.screenName || !p.appId));
  if (token && canValidate) {
    try {
      validated = await limited((s) => deps.validate(token!, s), limit, `SalesIQ (${salesiqHost})`, opts.signal);
    } catch (e) {
      validateError = e;
    }
  }
  const vf = isDevKitError(validateError) ? validateError.finding : undefined;

  if (!out.has('data-centre')) {
    if (minted) out.set('data-centre', check('data-centre', 'pass', `Zoho Accounts at ${accountsHost} issued a token for this client.`, `Data centre "${p.dataCenter}"; SalesIQ at ${salesiqHost}.`));
    else if (validated) out.set('data-centre', check('data-centre', 'pass', `SalesIQ at ${salesiqHost} accepted the token.`, `Data centre "${p.dataCenter}".`));
    else if (vf?.source === 'salesiq' && vf.code === 1008) {
      out.set('data-centre', check('data-centre', 'warn', `SalesIQ at ${salesiqHost} does not know this token.`, `Either the token belongs to another data centre than "${p.dataCenter}", or it was revoked. ${vf.explanation}`, { category: vf.category, action: vf.action, fix: fixForFinding(vf) }));
    } else if (validateError !== undefined) out.set('data-centre', skip('data-centre', 'SalesIQ did not accept or answer the check'));
    else out.set('data-centre', token ? check('data-centre', 'pass', `Data centre "${p.dataCenter}".`, `Zoho Accounts at ${accountsHost}, SalesIQ at ${salesiqHost}; the token was not checked against SalesIQ.`) : skip('data-centre', 'no token to check it with'));
  }

  // token-kind
  if (!token) out.set('token-kind', skip('token-kind', 'no token'));
  else {
    const kind = tokenKind(token);
    out.set('token-kind', kind === 'user'
      ? check('token-kind', 'pass', 'A user token (1000.…).', 'It serves the operator API (/api/v2/…); the visitor API needs an org token (1005.…) from an ORG client.')
      : kind === 'org'
        ? check('token-kind', 'pass', 'An org token (1005.…).', 'It serves the visitor API (/api/visitor/…), e.g. conversations the chatbot opens; the operator API needs a user token.')
        : check('token-kind', 'warn', 'The token does not look like a Zoho access token.', 'Zoho access tokens start with 1000. (user) or 1005. (org); check what the profile holds.', { action: 'reauthorize', fix: { kind: 'authorize' } }));
  }

  // scope and portal, from the one GET
  if (!token) {
    out.set('scope', skip('scope', 'no token'));
    out.set('portal', skip('portal', 'no token'));
  } else if (!canValidate) {
    const w = check('scope', 'warn', 'An org token can only be checked against its brand app.', 'Set the screen name and app id (salesiq.screenName and salesiq.appId, or SALESIQ_SCREEN_NAME and SALESIQ_APP_ID) to check it.', { action: 'fix-config', fix: { kind: 'open-setting', setting: 'salesiq.screenName' } });
    out.set('scope', w);
    out.set('portal', skip('portal', 'no screen name and app id'));
  } else if (validated) {
    out.set('scope', check('scope', 'pass', `SalesIQ accepted the token (GET ${validated.endpoint}: HTTP ${validated.status}).`, 'The token carries a scope this call needs.'));
    if (p.screenName) out.set('portal', check('portal', 'pass', `Portal "${p.screenName}" answered.`, `GET ${validated.endpoint} on ${salesiqHost} succeeded.`));
    else {
      const list = validated.portals?.length ? ` The token sees: ${validated.portals.join(', ')}.` : '';
      out.set('portal', check('portal', 'warn', 'No screen name is set.', `The portal is not checked without one; the test transfer needs it.${list}`, { action: 'fix-config', fix: { kind: 'open-setting', setting: 'salesiq.screenName' } }));
    }
  } else if (vf && vf.source === 'salesiq' && vf.code === 1005) {
    out.set('scope', check('scope', 'pass', 'SalesIQ accepted the token itself.', 'It refused the portal, not the token.'));
    out.set('portal', fromFinding('portal', vf, 'fail', { kind: 'open-setting', setting: 'salesiq.screenName' }));
  } else {
    out.set('scope', errorCheck('scope', validateError));
    out.set('portal', skip('portal', 'SalesIQ refused the token'));
  }

  return { checks: PROFILE_CHECKS.map((id) => out.get(id)!), token };
}

// ---- server checks ------------------------------------------------------------------------------------------

export interface ServerInput {
  /** A name for reports (the server's name in a fleet, else user@host). */
  name: string;
  connect: ConnectOptions;
  envPath: string;
  key: string;
  service: string;
  sudo: SudoMode;
  sudoPassword?: string;
}

export interface ServerDeps {
  clock: Clock;
  /** The token DevKit holds (resolves when the profile checks got it); undefined when there is none. */
  devkitToken: Promise<string | undefined>;
  /** Opens the connection (default: core connect); the VS Code layer brings its own prompts. */
  open?: (o: ConnectOptions) => Promise<SshSession>;
}

export interface ServerResult {
  name: string;
  ok: boolean;
  checks: DoctorCheck[];
}

export async function serverChecks(
  s: ServerInput,
  deps: ServerDeps,
  opts: { timeoutMs?: number; journalLines?: number; signal?: AbortSignal } = {},
): Promise<ServerResult> {
  const limit = opts.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const out = new Map<ServerCheckId, DoctorCheck>();
  const done = (): ServerResult => {
    const checks = SERVER_CHECKS.map((id) => out.get(id) ?? skip(id, 'an earlier check failed'));
    return { name: s.name, ok: !checks.some((c) => c.status === 'fail'), checks };
  };

  let session: SshSession;
  const open = deps.open ?? connect;
  const opening = open({ ...s.connect, readyTimeoutMs: limit });
  try {
    session = await limited(() => opening, limit + 1000, `The SSH server ${s.connect.host}:${s.connect.port ?? 22}`, opts.signal);
  } catch (e) {
    // A connection that completes after its time limit is closed, never used.
    opening.then((late) => late.close(), () => undefined);
    connectFailure(s, e, out);
    return done();
  }
  try {
    const hk = session.hostKey;
    const via = { known_hosts: 'known_hosts', pin: 'the pinned fingerprint', 'accepted-once': 'your answer (this time only)', 'accepted-pin': 'your answer (now pinned)' }[hk.via];
    out.set('host-key', check('host-key', 'pass', `The host key matches ${via}.`, `${hk.keyType} ${hk.fingerprint}`));
    await probeAll(session, s, deps, limit, opts.journalLines ?? DEFAULT_JOURNAL_LINES, out, opts.signal);
  } finally {
    session.close();
  }
  return done();
}

function connectFailure(s: ServerInput, e: unknown, out: Map<ServerCheckId, DoctorCheck>): void {
  const f = isDevKitError(e) ? e.finding : undefined;
  if (f && f.source === 'ssh' && (f.code === 'auth-failed' || f.code === 'passphrase')) {
    out.set('host-key', check('host-key', 'pass', 'The host key was verified.', `${s.connect.host}:${s.connect.port ?? 22} (verified before the login was refused).`));
    out.set('login', fromFinding('login', f, 'fail', { kind: 'open-setting', setting: 'salesiq.remote.identityFile' }));
    return;
  }
  const c = errorCheck('host-key', e);
  if (f?.code === 'host-key-changed') c.fix = undefined;
  out.set('host-key', c);
  out.set('login', skip('login', 'no connection'));
}

async function probeAll(
  session: SshSession,
  s: ServerInput,
  deps: ServerDeps,
  limit: number,
  lines: number,
  out: Map<ServerCheckId, DoctorCheck>,
  signal?: AbortSignal,
): Promise<void> {
  const sec = limit / 1000;
  const target = { envPath: s.envPath, key: s.key, service: s.service, journalLines: lines };
  const first: Privilege = s.sudo === 'none' ? { mode: 'none' } : s.sudo === 'password' ? { mode: 'password', password: s.sudoPassword ?? '' } : { mode: 'nopasswd' };
  // One privileged run reads everything; only when sudo refuses does systemd get asked again, without it.
  const priv = await settle(limited(() => privilegedWithFallback(session, s, first, target, sec), limit * 2 + 1000, `sudo on ${s.name}`, signal));
  const p = priv.status === 'fulfilled' ? priv.value : undefined;
  // A sudoers rule that lists only specific commands: what it allows (and what needs no sudo) is still read, in one run.
  const narrow = p?.narrow ? await settle(limited(() => probeNarrow(session, target, sec), limit + 1000, `the reads on ${s.name}`, signal)) : undefined;
  const facts = p?.facts ?? (narrow?.status === 'fulfilled' ? narrow.value : undefined);
  const unit = facts ? ({ status: 'fulfilled', value: facts.unit } as PromiseFulfilledResult<UnitFacts>) : await settle(limited(() => probeUnit(session, s.service, sec), limit + 1000, `systemctl on ${s.name}`, signal));

  // login: a connection that can run commands, with a quiet shell
  const u = unit.status === 'fulfilled' ? unit.value : undefined;
  if (!u) out.set('login', errorCheck('login', (unit as PromiseRejectedResult).reason));
  else if (u.noise) {
    out.set('login', check('login', 'fail', 'The login shell prints text at start-up.', `It printed "${u.noise.slice(0, 120)}" before every command; pushes refuse such a shell. Move that output into an interactive-only block of the shell's rc file.`, { category: 'config', action: 'fix-server' }));
  } else out.set('login', check('login', 'pass', `Logged in as ${session.username}.`, `${session.username}@${session.host}:${session.port}; the shell is quiet.`));

  // sudo
  if (!p) out.set('sudo', errorCheck('sudo', (priv as PromiseRejectedResult).reason));
  else if (p.refused && p.narrow && facts) out.set('sudo', narrowSudoCheck(s, session.username, p.refused, facts));
  else if (p.refused) out.set('sudo', fromFinding('sudo', p.refused, 'fail', p.refused.action === 'fix-config' ? { kind: 'open-setting', setting: 'salesiq.remote.sudo' } : undefined));
  else out.set('sudo', check('sudo', 'pass', p.mode === 'none' ? 'Privileged reads run without sudo.' : `sudo works (${p.mode === 'nopasswd' ? 'no password' : 'with the password'}).`, `As ${session.username} on ${s.name}.`));

  if (facts) envChecks(s, facts, out);
  const via = u ? unitChecks(s, u, out) : undefined;

  const devkitToken = await deps.devkitToken.catch(() => undefined);
  if (out.get('unit-reads-env')?.status === 'fail' || out.get('unit-reads-env')?.status === 'skip') out.set('service-token', skip('service-token', 'the unit does not read this .env'));
  else if (out.get('service-active')?.status !== 'pass') out.set('service-token', skip('service-token', 'the service is not running'));
  else if (u && facts) out.set('service-token', serviceToken(s, u, facts, devkitToken, via));
  else if (u && !facts) out.set('service-token', skip('service-token', 'sudo failed'));

  if (facts) out.set('journal', journalCheck(s, facts.journal, u, devkitToken));
  else if (out.get('sudo')?.status === 'fail') out.set('journal', skip('journal', 'sudo failed'));
}

function settle<T>(p: Promise<T>): Promise<PromiseSettledResult<T>> {
  return p.then((value) => ({ status: 'fulfilled', value }) as const, (reason: unknown) => ({ status: 'rejected', reason }) as const);
}

interface PrivOutcome {
  mode: Privilege['mode'];
  facts?: PrivilegedFacts;
  refused?: Finding;
  /** sudo works, but only for the commands its sudoers rule lists. */
  narrow?: boolean;
}

/** The privileged probe; in `auto` mode a `sudo -n` that asks for a password is retried with the password. */
async function privilegedWithFallback(
  session: SshSession,
  s: ServerInput,
  first: Privilege,
  target: Parameters<typeof probePrivileged>[2],
  sec: number,
): Promise<PrivOutcome> {
  const run = async (p: Privilege): Promise<PrivOutcome & { missingSudo?: boolean }> => {
    const { result, facts } = await probePrivileged(session, p, target, sec);
    if (facts) return { mode: p.mode, facts };
    if (result.code === 127 && p.mode !== 'none' && /\bsudo\b/.test(result.stderr)) return { mode: p.mode, missingSudo: true, refused: sudoFailure(result, session.username)?.finding };
    const refused = sudoFailure(result, session.username);
    if (refused) return { mode: p.mode, refused: refused.finding };
    return { mode: p.mode, refused: { source: 'sudo', code: null, httpStatus: null, category: 'permission', action: 'fix-server', retryable: false, title: 'The privileged check did not run.', explanation: `It exited ${result.code}: ${redact(result.stderr.trim().slice(0, 200))}` } };
  };
  let r = await run(first);
  // No sudo on the server: in auto mode the plain commands may do (as root, or with a readable .env).
  if (r.missingSudo && s.sudo === 'auto') r = await run({ mode: 'none' });
  if (r.refused?.code === 'password-required' && s.sudo === 'auto' && s.sudoPassword) r = await run({ mode: 'password', password: s.sudoPassword });
  if (r.refused?.code === 'password-required') {
    // A narrow NOPASSWD rule also answers "password required" for commands it does not list.
    const list = await session.exec('env LC_ALL=C sudo -n -l');
    if (list.code === 0) {
      r.narrow = true;
      r.refused = { ...r.refused, code: 'not-allowed', title: 'sudo allows only specific commands.', explanation: `${session.username} may run only the commands its sudoers rule lists.`, action: 'fix-server', category: 'permission' };
    }
  }
  return r;
}

/**
 * sudo that lists only specific commands: a push runs its own scripts under sudo and refuses such a rule, so the
 * check fails; the detail says what the doctor could still read, and how.
 */
function narrowSudoCheck(s: ServerInput, user: string, refused: Finding, f: PrivilegedFacts): DoctorCheck {
  const reads = [['the .env', f.via?.content], ['the journal', f.via?.journal]] as const;
  const got = reads.filter(([, via]) => via).map(([what, via]) => `${what} (${via === 'sudo' ? 'through the rule' : 'without sudo'})`);
  const missing = reads.filter(([, via]) => !via).map(([what]) => what);
  const read = `${got.join(' and ') || 'nothing that needs privileges'}${missing.length ? `; not ${missing.join(' or ')}` : ''}`;
  const detail = `${user} may run only the commands its sudoers rule lists. The doctor still read ${read}; the service's environment needs root. DevKit's push runs its own scripts under sudo and refuses such a rule: give ${user} NOPASSWD sudo (or sudo with a password) on ${s.name}.`;
  return check('sudo', 'fail', refused.title, detail, { category: 'permission', action: 'fix-server', fix: { kind: 'open-setting', setting: 'salesiq.remote.sudo' } });
}

function envChecks(s: ServerInput, f: PrivilegedFacts, out: Map<ServerCheckId, DoctorCheck>): void {
  const pathFix = { kind: 'open-setting' as const, setting: 'salesiq.remote.envPath' };
  switch (f.file.state) {
    case 'missing':
      out.set('env-file', check('env-file', 'fail', `${s.envPath} does not exist.`, 'Point the setting at the .env the service uses (systemctl cat the unit to see it).', { action: 'fix-config', fix: pathFix }));
      return;
    case 'symlink':
    case 'not-regular':
      out.set('env-file', check('env-file', 'fail', `${s.envPath} is not a regular file.`, `It is ${f.file.state === 'symlink' ? 'a symbolic link' : 'a directory, device or FIFO'}; DevKit writes only regular files. Use the real file's path.`, { action: 'fix-config', fix: pathFix }));
      return;
    case 'unknown':
      out.set('env-file', check('env-file', 'fail', `${s.envPath} could not be examined.`, 'The server gave no answer about the file.', { action: 'fix-server' }));
      return;
  }
  const size = f.file.state === 'ok' ? f.file.size : (f.content?.length ?? 0);
  if (f.via && (!f.content || size > MAX_ENV_BYTES)) {
    // Narrow sudo: what could not be read is said, not guessed.
    const title = !f.content ? `${s.envPath} could not be examined.` : `${s.envPath} is larger than ${MAX_ENV_BYTES} bytes.`;
    const why = !f.content ? `The sudoers rule does not allow "cat ${s.envPath}"${f.file.state === 'hidden' ? ', and its directory cannot be searched without sudo' : ' and the file is not readable without sudo'}, so its key cannot be checked.` : `DevKit reads at most ${MAX_ENV_BYTES} bytes.`;
    out.set('env-file', check('env-file', 'warn', title, why, { category: 'permission', action: 'fix-server' }));
    out.set('env-key', skip('env-key', 'the .env could not be read'));
    return;
  }
  if (!f.content) {
    out.set('env-file', check('env-file', 'fail', `${s.envPath} could not be read.`, size > MAX_ENV_BYTES ? `It is ${size} bytes; DevKit reads at most ${MAX_ENV_BYTES}.` : 'base64 is missing on the server, or the file is unreadable.', { action: 'fix-server' }));
    return;
  }
  const changed = f.file.state === 'ok' ? `Last changed at ${new Date(f.file.ctime * 1000).toISOString()}.` : 'Read through the sudoers rule; its directory cannot be searched without sudo, so its change time is unknown.';
  out.set('env-file', check('env-file', 'pass', `${s.envPath} is there (${size} bytes).`, changed));
  const value = readEnvKey(f.content, s.key);
  if (value === undefined) out.set('env-key', check('env-key', 'fail', `${s.key} is not in the .env.`, `Push adds it to ${s.envPath} (a backup is kept).`, { action: 'push', fix: { kind: 'push' } }));
  else if (value === '') out.set('env-key', check('env-key', 'fail', `${s.key} is empty in the .env.`, `Push writes the token into ${s.envPath}.`, { action: 'push', fix: { kind: 'push' } }));
  else out.set('env-key', check('env-key', 'pass', `${s.key} is set.`, `${redact(value, [value])} (sha256:${sha256Hex(Buffer.from(value)).slice(0, 12)}).`));
}

function unitChecks(s: ServerInput, u: UnitFacts, out: Map<ServerCheckId, DoctorCheck>): 'envfile' | 'workdir' | undefined {
  let via: 'envfile' | 'workdir' | undefined;
  const load = u.show.LoadState;
  const serviceFix = { kind: 'open-setting' as const, setting: 'salesiq.remote.service' };
  if (load !== 'loaded') {
    out.set('unit', check('unit', 'fail', `${s.service}.service ${load === 'not-found' ? 'does not exist' : `is not loaded (${load ?? 'no answer'})`}.`, 'Check the service name (systemctl list-units --type=service on the server).', { action: 'fix-config', fix: serviceFix }));
    return;
  }
  out.set('unit', check('unit', 'pass', `${s.service}.service is loaded.`, `From ${u.show.FragmentPath || 'an unknown unit file'}.`));

  const files = environmentFiles(u.show.EnvironmentFiles);
  const wd = (u.show.WorkingDirectory ?? '').replace(/^!/, '');
  const envDir = s.envPath.slice(0, s.envPath.lastIndexOf('/')) || '/';
  const where = u.show.FragmentPath ? ` (${u.show.FragmentPath})` : '';
  if (files.some((f) => f.path === s.envPath)) {
    via = 'envfile';
    out.set('unit-reads-env', check('unit-reads-env', 'pass', `The unit loads ${s.envPath} through EnvironmentFile=.`, `Its values reach the process at each (re)start${where}.`));
  } else if (files.length) {
    const list = files.map((f) => f.path).join(', ');
    out.set('unit-reads-env', check('unit-reads-env', 'fail', `The unit reads ${list}, not ${s.envPath}.`, `EnvironmentFile= in ${u.show.FragmentPath || 'the unit'} names ${list}: a token written to ${s.envPath} never reaches the service. Point salesiq.remote.envPath at ${files[0].path}, or change the unit.`, { action: 'fix-config', fix: { kind: 'open-setting', setting: 'salesiq.remote.envPath' } }));
  } else if (wd && wd.replace(/\/+$/, '') === envDir.replace(/\/+$/, '')) {
    via = 'workdir';
    out.set('unit-reads-env', check('unit-reads-env', 'pass', `The unit runs in ${wd}, which holds the .env.`, `No EnvironmentFile=; the application reads ${s.envPath} itself${where}.`));
  } else {
    out.set('unit-reads-env', check('unit-reads-env', 'warn', 'The unit has no EnvironmentFile= and does not run in the .env\'s directory.', `WorkingDirectory=${wd || '(none)'}${where}. The application may still read ${s.envPath} by its full path; DevKit cannot tell.`, { action: 'fix-config' }));
  }

  const state = u.show.ActiveState ?? 'unknown';
  const pid = Number(u.show.MainPID) || 0;
  if (state === 'active') {
    const since = u.startedAt && u.now ? `, started ${relativeText((u.startedAt - u.now) * 1000)}` : '';
    out.set('service-active', check('service-active', 'pass', `${s.service} is active (${u.show.SubState ?? 'running'}).`, `Main PID ${pid}${since}.`));
  } else {
    out.set('service-active', check('service-active', 'fail', `${s.service} is ${state}.`, `systemctl says ${state}${u.show.SubState ? ` (${u.show.SubState})` : ''}; its journal below says why. Restart it after fixing the cause.`, { action: 'fix-server', fix: { kind: 'restart' } }));
  }
  return via;
}

const prefix = (hex: string) => `sha256:${hex.slice(0, 12)}`;

function serviceToken(s: ServerInput, u: UnitFacts, f: PrivilegedFacts, devkitToken: string | undefined, via: 'envfile' | 'workdir' | undefined): DoctorCheck {
  const value = f.content ? readEnvKey(f.content, s.key) : undefined;
  const fileHash = value ? sha256Hex(Buffer.from(value)) : undefined;
  const devkitHash = devkitToken ? sha256Hex(Buffer.from(devkitToken)) : undefined;
  const pushGap = (): DoctorCheck | undefined =>
    fileHash && devkitHash && fileHash !== devkitHash
      ? check('service-token', 'warn', 'The .env holds another token than DevKit.', `The .env has ${prefix(fileHash)}, DevKit holds ${prefix(devkitHash)}. It may be a teammate's newer push; push to make the server use DevKit's token.`, { action: 'push', fix: { kind: 'push' } })
      : undefined;
  if (via === 'envfile') {
    const env = f.environ;
    if (env.state === 'no-process') return check('service-token', 'warn', 'Which token the service holds cannot be known.', 'systemd reports no main process.', { action: 'none' });
    if (env.state === 'unreadable') {
      const why = f.via ? `sudo allows only specific commands, and /proc/${f.pid}/environ is readable by root only` : `/proc/${f.pid}/environ could not be read`;
      const file = fileHash && devkitHash === fileHash ? ` The .env holds DevKit's token (${prefix(fileHash)}); whether the process loaded it cannot be told from here.` : '';
      return pushGap() ?? check('service-token', 'warn', 'Which token the service holds cannot be known.', `${why}.${file}`, { action: 'none' });
    }
    if (env.state === 'absent') {
      return check('service-token', 'fail', `The running process has no ${s.key}.`, `PID ${f.pid} started before ${s.key} was in the .env${fileHash ? ` (the .env now has ${prefix(fileHash)})` : ''}: restart it to load the file.`, { category: 'server', action: 'fix-server', fix: { kind: 'restart' } });
    }
    if (!fileHash) return check('service-token', 'warn', 'Which token the service should hold cannot be known.', `The .env has no ${s.key}; the process holds ${prefix(env.sha256)}.`, { action: 'push', fix: { kind: 'push' } });
    if (env.sha256 !== fileHash) {
      const when = f.file.state === 'ok' && u.startedAt ? ` The process started ${new Date(u.startedAt * 1000).toISOString()}, the .env changed ${new Date(f.file.ctime * 1000).toISOString()}.` : '';
      return check('service-token', 'fail', 'The running service holds an older value than the .env.', `PID ${f.pid} holds ${prefix(env.sha256)}, the .env has ${prefix(fileHash)}: restart the service to load it.${when}`, { category: 'server', action: 'fix-server', fix: { kind: 'restart' } });
    }
    return pushGap() ?? (devkitHash
      ? check('service-token', 'pass', 'The running service holds the current token.', `PID ${f.pid}, the .env and DevKit all have ${prefix(fileHash)}.`)
      : check('service-token', 'warn', 'The service holds the .env\'s token; DevKit holds none to compare.', `PID ${f.pid} and the .env have ${prefix(fileHash)}.`, { action: 'refresh' }));
  }

  // The application reads the file itself: only times can tell.
  if (f.file.state !== 'ok' || !u.startedAt) return check('service-token', 'warn', 'Which token the service holds cannot be known.', 'The application reads the .env itself, and the start time of the process or the change time of the file is unknown.', { action: 'none' });
  const started = new Date(u.startedAt * 1000).toISOString();
  const changed = new Date(f.file.ctime * 1000).toISOString();
  if (u.startedAt === f.file.ctime) {
    return check('service-token', 'warn', 'Whether the service loaded the latest .env cannot be told.', `It started in the same second as the .env last changed (${changed}). Restart it to be sure.`, { category: 'server', action: 'fix-server', fix: { kind: 'restart' } });
  }
  if (u.startedAt < f.file.ctime) {
    return check('service-token', 'warn', 'The service is running an older file.', `It started ${started}, before the .env changed (${changed}); whether the token changed in between cannot be told from here. Restart it to load the file.`, { category: 'server', action: 'fix-server', fix: { kind: 'restart' } });
  }
  return pushGap() ?? check('service-token', 'pass', 'The service restarted after the last change of the .env.', `It started ${started}; the .env changed ${changed}${fileHash && devkitHash ? `; the .env holds DevKit's token (${prefix(fileHash)})` : ''}.`);
}

// ---- journal ------------------------------------------------------------------------------------------------

interface JournalHit {
  finding: Finding;
  line: string;
  at?: number;
}

function journalCheck(s: ServerInput, all: string[], u: UnitFacts | undefined, devkitToken: string | undefined): DoctorCheck {
  const lines = all.filter((l) => !/^-- (No entries|Logs begin|Journal begins)/.test(l));
  const secrets = devkitToken ? [devkitToken] : [];
  const hits: JournalHit[] = [];
  for (const line of lines) {
    for (const f of decodeText(line)) {
      if ((f.source === 'salesiq' || f.source === 'oauth' || (f.source === 'http' && f.httpStatus === 401)) && (f.category === 'auth' || f.category === 'grant' || f.category === 'scope')) {
        hits.push({ finding: f, line: redact(line, secrets), at: lineTime(line, u) });
        break;
      }
    }
  }
  const n = lines.length;
  if (!n) return check('journal', 'warn', 'The journal shows no lines for the unit.', 'Either it never logged, or this user cannot read the journal (it needs sudo, or the adm / systemd-journal group).', { action: 'none' });
  if (!hits.length) return check('journal', 'pass', `No SalesIQ or Zoho auth errors in the last ${n} journal lines.`, '');
  const newest = hits[hits.length - 1];
  const ago = newest.at && u?.now ? ` ${relativeText((newest.at - u.now) * 1000)}` : '';
  const sinceStart = u?.startedAt ? hits.filter((h) => h.at === undefined || h.at >= u.startedAt!) : hits;
  const summary = `${hits.length} in the last ${n} lines; the newest${ago}: ${newest.line.slice(0, 300)}`;
  if (!sinceStart.length) {
    return check('journal', 'pass', `No auth errors since the service started; ${hits.length} before.`, `The newest${ago}, before the last start: ${newest.finding.title}`);
  }
  const f = sinceStart[sinceStart.length - 1].finding;
  return check('journal', 'fail', `${f.title}${ago ? ` (${ago.trim()})` : ''}`, `${summary} — ${f.explanation}`, { category: f.category, action: f.action, fix: fixForFinding(f) });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Seconds since the epoch of a journal line: `short-iso` (2024-05-01T10:00:00+0000) or the classic `May 01 10:00:00`. */
export function lineTime(line: string, u: Pick<UnitFacts, 'now'> & { tz?: string } | undefined): number | undefined {
  const iso = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?/.exec(line);
  if (iso) {
    const zone = !iso[2] || iso[2] === 'Z' ? 'Z' : `${iso[2].slice(0, 3)}:${iso[2].slice(-2)}`;
    const t = Date.parse(`${iso[1]}${zone}`);
    return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
  }
  const classic = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) /.exec(line);
  if (!classic || !u?.now) return undefined;
  const month = MONTHS.indexOf(classic[1]);
  if (month < 0) return undefined;
  // The classic form has no year or zone: the server's current year, read in UTC (the fixture's and most servers' zone).
  const year = new Date(u.now * 1000).getUTCFullYear();
  const utcSeconds = (y: number) =>
    Date.UTC(y, month, Number(classic[2]), Number(classic[3]), Number(classic[4]), Number(classic[5])) / 1000;
  let t = utcSeconds(year);
  if (t > u.now + 86_400) t = utcSeconds(year - 1);
  return t;
}

// ---- the whole report ---------------------------------------------------------------------------------------

export interface DoctorReport {
  ok: boolean;
  /** The profile checks, then (with one server and no fleet) that server's checks. */
  checks: DoctorCheck[];
  servers?: ServerResult[];
}

export interface DoctorRun {
  profile: ProfileInput;
  profileDeps: ProfileDeps;
  servers: ServerInput[];
  /** Report servers separately (a fleet) even when there is one. */
  fleet?: boolean;
  timeoutMs?: number;
  journalLines?: number;
  open?: ServerDeps['open'];
  signal?: AbortSignal;
  /** Told each server's result as it arrives (progress in a front end). */
  onServer?: (r: ServerResult) => void;
}

export async function runDoctor(r: DoctorRun): Promise<DoctorReport> {
  const opts = { timeoutMs: r.timeoutMs, signal: r.signal };
  // The servers start first: their handshake and remote run are the long pole, and the token they compare
  // with is only needed at the end (a promise the profile checks settle).
  let settleToken: (t: string | undefined) => void = () => undefined;
  const devkitToken = new Promise<string | undefined>((resolve) => (settleToken = resolve));
  const servers = r.servers.map((s) =>
    serverChecks(s, { clock: r.profileDeps.clock, devkitToken, open: r.open }, { ...opts, journalLines: r.journalLines }).then((res) => {
      r.onServer?.(res);
      return res;
    }),
  );
  const profile = profileChecks(r.profile, r.profileDeps, opts);
  profile.then((p) => settleToken(p.token), () => settleToken(undefined));
  const p = await profile;
  const results = await Promise.all(servers);
  const failed = (cs: DoctorCheck[]) => cs.some((c) => c.status === 'fail');
  if (!r.fleet) {
    const checks = [...p.checks, ...(results[0]?.checks ?? SERVER_CHECKS.map((id) => skip(id, 'no server is configured')))];
    return { ok: !failed(checks), checks };
  }
  return { ok: !failed(p.checks) && results.every((x) => x.ok), checks: p.checks, servers: results };
}

/** Every check of a report, profile and servers. */
export function allChecks(r: DoctorReport): DoctorCheck[] {
  return [...r.checks, ...(r.servers ?? []).flatMap((s) => s.checks)];
}

const NEEDS_USER: Action[] = ['reauthorize', 'trust-host', 'fix-config'];

/** The contract's exit code: 0 no failing check, 3 a failing check needs the user, else 1. */
export function doctorExitCode(r: DoctorReport): 0 | 1 | 3 {
  const failing = allChecks(r).filter((c) => c.status === 'fail');
  if (!failing.length) return 0;
  return failing.some((c) => NEEDS_USER.includes(c.action)) ? 3 : 1;
}

export const STATUS_MARK: Record<CheckStatus, string> = { pass: '✓', warn: '⚠', fail: '✗', skip: '-' };

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
