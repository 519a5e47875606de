/**
 * Findings for what only the VS Code side can tell (nothing configured, no token, an answer that may not be
 * asked for), and the facts added to a core finding so its notification explains itself.
 */
import { DevKitError, isDevKitError } from '../../core/errors/devkitError';
import type { Finding } from '../../core/errors/finding';
import { toFinding } from '../notify';

function finding(code: string, action: Finding['action'], title: string, explanation: string): Finding {
  return { source: 'unknown', code, httpStatus: null, category: 'config', action, retryable: false, title, explanation };
}

export const notConfigured = (what: string, fix: string): DevKitError =>
  new DevKitError(finding('remote-not-configured', 'fix-config', `The server push is not set up: ${what}.`, fix));

export const noToken = (profile: string, expired: boolean): DevKitError =>
  new DevKitError(
    finding(
      expired ? 'token-expired' : 'no-token',
      'refresh',
      expired ? `The ${profile} access token has expired.` : `There is no access token for profile ${profile} yet.`,
      'Refresh the token first; DevKit pushes only a token that is still valid. Nothing was sent to the server.',
    ),
  );

export const noBackup = (title: string): DevKitError =>
  new DevKitError(finding('no-backup', 'none', title, 'DevKit keeps a timestamped backup next to the .env each time it writes it (salesiq.remote.backupsToKeep). Nothing was changed.'));

/** An answer (passphrase, sudo password, host trust) is needed but this run may not ask (auto-push, tests). */
export const needsAnswer = (what: string): DevKitError =>
  new DevKitError(
    finding('needs-answer', 'none', `DevKit needs ${what}, which is not stored yet.`, 'Run SalesIQ: Push Token to Server once: DevKit asks for it then and remembers it. Nothing was sent to the server.'),
  );

export interface Context {
  /** Where an expected host key came from: the pin, else this known_hosts file. */
  target?: { pin?: string; knownHostsFile: string; serverName?: string };
  /** Said after the finding, e.g. that a stored secret was forgotten. */
  note?: string;
}

/** The finding with the facts that make it self-explanatory in a one-line notification. */
export function explain(e: unknown, ctx: Context): DevKitError {
  const f = toFinding(e);
  const d = f.details ?? {};
  const extra: string[] = [];
  if (f.code === 'host-key-changed') {
    const expected = d.knownFingerprints || '(none)';
    const t = ctx.target;
    const pinned = t?.serverName
      ? `the fingerprint pinned in server "${t.serverName}"'s hostFingerprint in salesiq.remote.servers (if you changed its host, clear the pin)`
      : 'the fingerprint pinned in salesiq.remote.hostFingerprint (if you changed salesiq.remote.host, clear the pin)';
    const where = t?.pin ? pinned : (t?.knownHostsFile ?? 'known_hosts');
    extra.push(`The server presented ${d.keyType ?? 'a'} key ${d.fingerprint ?? ''}; expected ${expected} from ${where}.`);
  } else if (f.code === 'host-key-unknown' && d.fingerprint) {
    extra.push(`Its ${d.keyType ?? ''} fingerprint is ${d.fingerprint}.`);
  }
  if (d.written === 'true') extra.push(`The new .env IS in place; the previous one was saved as ${d.backup} (SalesIQ: Restore Previous .env puts it back).`);
  if (ctx.note) extra.push(ctx.note);
  if (!extra.length) return isDevKitError(e) ? e : new DevKitError(f, { cause: e });
  return new DevKitError({ ...f, explanation: `${f.explanation} ${extra.join(' ')}` }, { cause: e });
}

/** The user dismissed a prompt or cancelled the progress: not a failure, nothing to decode. */
export function cancelled(message: string): Error {
  const e = new Error(message);
  e.name = 'AbortError';
  return e;
}

export const codeOf = (e: unknown): string | number | null => toFinding(e).code;

export function isCancel(e: unknown): boolean {
  return (e as { name?: string } | null)?.name === 'AbortError';
}
