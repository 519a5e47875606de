/**
 * Push a token into the server's `.env` and prove the service runs with it, over one SSH connection:
 * preflight → read → edit one key → confirm (masked diff) → atomic write with backup → restart → verify →
 * journal tail. Cancellable until the write starts; after that it runs to the end so the server is never left
 * half-done without a report.
 */
import { createHash } from 'node:crypto';
import { maskedDiff, readEnvKey, setEnvKey, validateEnvKey, validateEnvValue } from '../dotenv/setKey';
import { isDevKitError } from '../errors/devkitError';
import { connect, type ConnectOptions, type HostKeyInfo, type SshSession } from '../ssh/connection';
import { fail } from '../ssh/fail';
import { readFile, writeFileAtomic } from '../ssh/remoteFile';
import { assertUnitName, restartService, type RestartOptions, unitState } from '../ssh/service';
import { preflight, type SudoMode } from '../ssh/sudo';

export type PushStep = 'connect' | 'preflight' | 'read' | 'confirm' | 'write' | 'restart' | 'verify' | 'journal' | 'done';

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
  /** Shown the masked diff; false cancels (nothing written). */
  confirm?: (diffText: string) => Promise<boolean>;
  onStep?: (step: PushStep) => void;
  /** Honoured until the write starts. */
  signal?: AbortSignal;
  restartOptions?: Omit<RestartOptions, 'secrets' | 'onPhase'>;
}

export interface PushResult {
  /** Backup of the previous `.env` (absent when nothing changed). */
  backup?: string;
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
}

export const tokenHashPrefix = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 12);

export async function pushToken(opts: PushOptions): Promise<PushResult> {
  const problem = validateEnvKey(opts.key) ?? validateEnvValue(opts.value);
  if (problem) throw fail('unknown', 'invalid-env-value', { key: opts.key, message: `Refusing to write ${opts.key}: ${problem}.` });
  assertUnitName(opts.service);
  if (!opts.session && !opts.connect) throw new TypeError('pushToken needs a session or connect options');
  const step = (s: PushStep) => opts.onStep?.(s);
  const checkCancel = () => opts.signal?.throwIfAborted();

  checkCancel();
  step('connect');
  let session = opts.session ?? (await connect(opts.connect!));
  const owned = !opts.session;
  try {
    checkCancel();
    step('preflight');
    const priv = await preflight(session, { mode: opts.sudo, sudoPassword: opts.sudoPassword });

    checkCancel();
    step('read');
    const current = await readFile(session, priv, opts.envPath);
    const oldValue = readEnvKey(current.content, opts.key);
    const edit = setEnvKey(current.content, opts.key, opts.value);
    const changed = !edit.content.equals(current.content);
    const warnings = editWarnings(opts.key, edit.crlf, edit.replaced);

    let backup: string | undefined;
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
      const written = await writeFileAtomic(session, priv, opts.envPath, edit.content, current.sha256, {
        keepBackups: opts.keepBackups,
        // Only a session we opened can be reopened; pinned to the key we already trusted.
        reconnect: owned
          ? async () => (session = await connect({ ...opts.connect!, pinnedFingerprint: fingerprint, onUnknownHost: undefined }))
          : undefined,
      });
      backup = written.backup;
    }

    let state: string;
    let journal: string[] = [];
    if (opts.restart) {
      step('restart');
      try {
        const r = await restartService(session, priv, opts.service, {
          ...opts.restartOptions,
          secrets: [opts.value],
          onPhase: (p) => step(p),
        });
        state = r.state;
        journal = r.journal;
      } catch (e) {
        // The file was written: say so, and where the old content is, whatever went wrong next.
        if (isDevKitError(e) && backup) e.finding.details = { ...e.finding.details, written: 'true', backup };
        throw e;
      }
    } else {
      state = await unitState(session, opts.service);
    }
    step('done');
    const result: PushResult = {
      changed,
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
    if (backup) result.backup = backup;
    return result;
  } finally {
    if (owned) session.close();
  }
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
