/**
 * Push a token into the server's `.env` and prove the service runs with it, over one SSH connection:
 * preflight → read → edit one key → confirm (masked diff) → atomic write with backup → restart → verify →
 * journal tail. Cancellable until the write starts; after that it runs to the end so the server is never left
 * half-done without a report.
 */
import { createHash } from 'node:crypto';
import { maskedDiff, readEnvKey, setEnvKey } from '../dotenv/setKey';
import { DevKitError, isDevKitError } from '../errors/devkitError';
import { connect } from '../ssh/connect';
import type { ConnectOptions } from '../ssh/connectOptions';
import type { HostKeyInfo, SshSession } from '../ssh/session';
import { readFile, readTarget, writeFileAtomic, type WriteResult } from '../ssh/remoteFile';
import { restartService, type RestartOptions, unitState } from '../ssh/service';
import { hidePassword, type Privilege, type SudoMode } from '../ssh/sudo';
import { envKeyProblem, envPathProblem, envValueProblem, inputError, unitNameProblem } from '../ssh/targetRules';
import { type LiveResult, restartLive } from '../ssh/liveProof';
import { openFix, type OpenedFix } from '../ssh/fixExec';

export type PushStep = 'connect' | 'preflight' | 'read' | 'confirm' | 'write' | 'restart' | 'live' | 'watch' | 'done';

export interface PushOptions {
  /** An open session (left open), or how to open one (closed at the end; also allows a reconnect after a drop). */
  session?: SshSession;
  connect?: ConnectOptions;
  envPath: string;
  key: string;
  value: string;
  service: string;
  sudo: SudoMode;
  sudoPassword?: string;
  restart: boolean;
  keepBackups?: number;
  /** Lift the .env name rule for the target (the other path rules stay). */
  allowAnyName?: boolean;
  /** How to open a fresh session after a drop mid-write, when `session` was given (a session we open is reopened by us). */
  reconnect?: () => Promise<SshSession>;
  /** Shown the masked diff; false cancels (nothing written). */
  confirm?: (diffText: string) => Promise<boolean>;
  onStep?: (step: PushStep) => void;
  /** Honoured until the write starts. */
  signal?: AbortSignal;
  restartOptions?: Omit<RestartOptions, 'secrets' | 'onPhase' | 'key' | 'value' | 'envPath'>;
  /** Told as soon as the restarted service is proven to hold the token, before the settle window is watched. */
  onLive?: (live: LiveResult) => void;
}

export interface PushResult {
  /** Backup of the previous `.env` (absent when nothing changed). */
  backup?: string;
  /** DevKit's own older backups pruned by this write. */
  pruned: string[];
  /** The connection dropped during the write; a new connection showed the new content in place. */
  recoveredAfterDrop?: boolean;
  /** Another push wrote this same value meanwhile: nothing more to write. */
  concurrent?: boolean;
  changed: boolean;
  replaced: number;
  appended: boolean;
  /** The unit is active (after the restart, if one was asked for). */
  active: boolean;
  state: string;
  journal: string[];
  /** First 12 hex digits of sha256(value): lets a service's log line prove the new token is live. */
  newTokenHashPrefix?: string;
  crlf: boolean;
  warnings: string[];
  hostKey: HostKeyInfo;
  /** How the restarted service was proven to hold the token (absent without a restart). */
  live?: LiveResult;
}

export const tokenHashPrefix = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 12);

/** Every input checked before anything connects; a bad one says which and why. */
export function checkPushInputs(o: Pick<PushOptions, 'envPath' | 'key' | 'value' | 'service' | 'allowAnyName'>): void {
  const problems: [string, string | undefined][] = [
    ['The .env path', envPathProblem(o.envPath, { allowAnyName: o.allowAnyName })],
    ['The key', envKeyProblem(o.key)],
    [`The value for ${o.key}`, envValueProblem(o.value)],
    ['The service', unitNameProblem(o.service)],
  ];
  for (const [what, problem] of problems) if (problem) throw inputError(what, problem);
}

export async function pushToken(opts: PushOptions): Promise<PushResult> {
  checkPushInputs(opts);
  if (!opts.session && !opts.connect) throw new TypeError('pushToken needs a session or connect options');
  const step = (s: PushStep) => opts.onStep?.(s);
  const checkCancel = () => opts.signal?.throwIfAborted();
  const hide = (l: string) => hidePassword(l, opts.sudoPassword);

  checkCancel();
  step('connect');
  let session = opts.session ?? (await connect(opts.connect!));
  const owned = !opts.session;
  try {
    checkCancel();
    // One round trip: the read also proves the shell is quiet and sudo works (or reuses what the session knows).
    step('preflight');
    step('read');
    const { privilege: priv, file: current } = await readTarget(
      session,
      { mode: opts.sudo, sudoPassword: opts.sudoPassword },
      opts.envPath,
    );
    const oldValue = readEnvKey(current.content, opts.key);
    const edit = setEnvKey(current.content, opts.key, opts.value);
    let changed = !edit.content.equals(current.content);
    const warnings = editWarnings(opts.key, edit.crlf, edit.replaced);

    let written: WriteResult | undefined;
    let concurrent = false;
    if (changed) {
      if (opts.confirm) {
        checkCancel();
        step('confirm');
        const diff = maskedDiff(current.content, edit.content, [opts.value, oldValue ?? ''], opts.envPath);
        if (!(await opts.confirm(diff))) throw abortError('cancelled at the confirmation');
      }
      checkCancel();
      step('write');
      const fingerprint = session.hostKey.fingerprint;
      // Reopened pinned to the key already trusted; the caller's own session is reopened by the caller.
      const reopen = owned
        ? async () => (session = await connect({ ...opts.connect!, pinnedFingerprint: fingerprint, onUnknownHost: undefined }))
        : opts.reconnect;
      try {
        written = await writeFileAtomic(session, priv, opts.envPath, edit.content, current.sha256, {
          keepBackups: opts.keepBackups,
          reconnect: reopen ? async () => (session = await reopen()) : undefined,
        });
      } catch (e) {
        if (!isConflict(e)) throw e;
        concurrent = await sameValueNow(session, priv, opts, e);
        changed = false;
      }
    }

    let state: string;
    let journal: string[] = [];
    let live: LiveResult | undefined;
    if (opts.restart) {
      step('restart');
      try {
        const r = await restartService(session, priv, opts.service, {
          ...opts.restartOptions,
          key: opts.key,
          value: opts.value,
          envPath: opts.envPath,
          secrets: [oldValue ?? ''],
          onPhase: (p, l) => {
            step(p);
            if (p === 'live') opts.onLive?.(l);
          },
        });
        state = r.state;
        journal = r.journal.map(hide);
        live = r.live;
      } catch (e) {
        throw afterWrite(e, written?.backup, opts.sudoPassword);
      }
    } else {
      state = await unitState(session, opts.service);
    }
    step('done');
    const result: PushResult = {
      changed,
      pruned: written?.pruned ?? [],
      replaced: edit.replaced,
      appended: edit.appended,
      active: state === 'active',
      state,
      journal,
      newTokenHashPrefix: tokenHashPrefix(opts.value),
      crlf: edit.crlf,
      warnings,
      hostKey: session.hostKey,
    };
    if (written?.backup) result.backup = written.backup;
    if (written?.recoveredAfterDrop) result.recoveredAfterDrop = true;
    if (concurrent) {
      result.concurrent = true;
      warnings.push(`Another push wrote this same ${opts.key} at the same time; this one had nothing left to write.`);
    }
    if (live) result.live = live;
    return result;
  } finally {
    if (owned) session.close();
  }
}

/** The fix's push in one privileged exec (fixExec.ts): where the file and the unit are, and how to get in. */
export type FastPushOptions = Pick<PushOptions, 'envPath' | 'key' | 'service' | 'sudo' | 'sudoPassword' | 'restart' | 'keepBackups' | 'allowAnyName'>;

/**
 * Starts the fix's exec on `session` and returns once the .env has been read (checked, sudo decided); the
 * exec then waits for `commitFastPush`. Run while the token is refreshed: the two do not depend on each other.
 */
export function openFastPush(session: SshSession, o: FastPushOptions): Promise<OpenedFix> {
  checkPushInputs({ ...o, value: 'devkit' });
  const target = { path: o.envPath, key: o.key, unit: o.restart ? o.service : undefined, keepBackups: o.keepBackups };
  return openFix(session, { mode: o.sudo, sudoPassword: o.sudoPassword }, target);
}

export interface FastPush {
  /** The write's outcome (its `state` is 'unknown' and `journal` empty: the restart reports in `live`). */
  written: Promise<PushResult>;
  /** The new token proven live (restart wanted); its journal tail follows in `done`. */
  live: Promise<LiveResult>;
  done: Promise<LiveResult>;
}

/**
 * Edits the bytes `opened` read and sends them (or "nothing to change") to its exec, which writes and goes on
 * into the restart and the live proof. The edit is the same as pushToken's, with the same guarantees: another
 * writer in between is a conflict (superseded, unless it wrote this very value, which counts as done), and a
 * dropped connection says which file is in place.
 */
export function commitFastPush(
  session: SshSession,
  opened: OpenedFix,
  o: FastPushOptions & { value: string; reconnect?: () => Promise<SshSession> },
): FastPush {
  checkPushInputs(o);
  const current = opened.file;
  const oldValue = readEnvKey(current.content, o.key);
  const edit = setEnvKey(current.content, o.key, o.value);
  const changed = !edit.content.equals(current.content);
  const warnings = editWarnings(o.key, edit.crlf, edit.replaced);
  let now = session;
  const reconnect = o.reconnect ? async () => (now = await o.reconnect!()) : undefined;
  const c = opened.commit(changed ? edit.content : undefined, o.value, { envPath: o.envPath, secrets: [oldValue ?? ''], reconnect });
  let concurrent = false;
  const result = (w: { changed: boolean; backup?: string; pruned?: string[]; recoveredAfterDrop?: boolean }): PushResult => {
    const r: PushResult = {
      changed: w.changed, pruned: w.pruned ?? [], replaced: edit.replaced, appended: edit.appended, active: false, state: 'unknown', journal: [],
      newTokenHashPrefix: tokenHashPrefix(o.value), crlf: edit.crlf, warnings, hostKey: session.hostKey,
    };
    if (w.backup) r.backup = w.backup;
    if (w.recoveredAfterDrop) r.recoveredAfterDrop = true;
    if (concurrent) {
      r.concurrent = true;
      warnings.push(`Another push wrote this same ${o.key} at the same time; this one had nothing left to write.`);
    }
    return r;
  };
  const written = c.written.then(result, async (e: unknown) => {
    if (!isConflict(e)) throw e;
    concurrent = await sameValueNow(now, opened.privilege, o, e);
    return result({ changed: false });
  });
  // A failure after the write says so, and where the old content is (as pushToken's).
  let backup: string | undefined;
  const hide = (e: unknown) => afterWrite(e, backup, o.sudoPassword);
  // Another push wrote this value first: the exec ended at its conflict, so the restart runs on its own.
  const again = () => restartLive(now, opened.privilege, o.service, { key: o.key, value: o.value, envPath: o.envPath, secrets: [oldValue ?? ''] });
  const live = written.then((w) => ((backup = w.backup), concurrent ? again() : c.live)).catch((e: unknown) => Promise.reject(hide(e)));
  const done = written.then(() => (concurrent ? live : c.done)).catch((e: unknown) => Promise.reject(hide(e)));
  for (const p of [written, live, done]) p.catch(() => undefined);
  return { written, live, done };
}

/**
 * A failure after the file was written, whatever went wrong next: it says so and where the old content is,
 * and its journal never shows the sudo password.
 */
export function afterWrite(e: unknown, backup: string | undefined, sudoPassword?: string): unknown {
  if (!isDevKitError(e)) return e;
  const d = { ...e.finding.details };
  if (d.journal) d.journal = hidePassword(d.journal, sudoPassword);
  if (backup) Object.assign(d, { written: 'true', backup });
  e.finding.details = d;
  return e;
}

function isConflict(e: unknown): e is DevKitError {
  return isDevKitError(e) && e.finding.source === 'ssh' && e.finding.code === 'conflict';
}

/**
 * The hash precondition failed under the lock: another writer got there first. If it wrote our very value the
 * push is done; otherwise this push was superseded and says so (nothing of ours was written, no backup made).
 */
async function sameValueNow(session: SshSession, priv: Privilege, opts: Pick<PushOptions, 'envPath' | 'key' | 'value'>, conflict: DevKitError): Promise<boolean> {
  const now = await readFile(session, priv, opts.envPath).catch(() => undefined);
  if (now && readEnvKey(now.content, opts.key) === opts.value) return true;
  const f = conflict.finding;
  throw new DevKitError(
    {
      ...f,
      code: 'conflict',
      title: `Superseded: ${opts.envPath} changed on the server while this push ran, so ${opts.key} was not written.`,
      explanation: `Another writer (another DevKit push, a deploy or an editor) replaced the file after DevKit read it. DevKit never overwrites a change it has not seen: nothing of this push was written and no backup was made. ${now ? `The file now holds ${readEnvKey(now.content, opts.key) === undefined ? `no ${opts.key}` : `a different ${opts.key}`}.` : ''} Push again to write this token on top of it.`.replace(/\s+/g, ' ').trim(),
      details: { ...f.details, superseded: 'true' },
    },
    { cause: conflict },
  );
}

function editWarnings(key: string, crlf: boolean, replaced: number): string[] {
  const w: string[] = [];
  if (crlf) w.push('The .env uses CRLF line endings (kept as they are); a service that reads it via systemd EnvironmentFile= may keep the \\r at the end of the token.');
  if (replaced > 1) w.push(`${key} was set ${replaced} times in the file; every occurrence now holds the new value.`);
  return w;
}

function abortError(message: string): Error {
  const e = new Error(message);
  e.name = 'AbortError';
  return e;
}
