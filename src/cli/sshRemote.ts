/**
 * One SSH connection to the server for the length of a command, opened on first use, with the steps the CLI
 * needs as separate calls (write the .env, restart, state, journal) so `fix` can time and report each one.
 * Writing goes through the core's pushToken (atomic write, backup, hash precondition) with the restart left
 * to `restart`, which says the file was written, and where the backup is, if the restart fails.
 */
import { DevKitError, isDevKitError } from '../core/errors/devkitError';
import { findingFor } from '../core/errors/catalogue';
import { afterWrite, checkPushInputs, commitFastPush, type FastPush, openFastPush, pushToken, type PushResult, tokenHashPrefix } from '../core/flows/push';
import type { OpenedFix } from '../core/ssh/fixExec';
import { connect } from '../core/ssh/connect';
import type { SshSession } from '../core/ssh/session';
import { type LiveResult, restartLive, watchService } from '../core/ssh/liveProof';
import { followJournal, journal, restartService, type RestartResult, unitState } from '../core/ssh/service';
import { preflight, type Privilege } from '../core/ssh/sudo';
import { connectOptions, type ServerSettings } from './sshFlags';

export class RemoteServer {
  private session: SshSession | undefined;
  private privilege: Privilege | undefined;
  private prepared: Promise<OpenedFix> | undefined;

  constructor(
    readonly settings: ServerSettings,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * Connects and starts the fix's one privileged exec up to the read of the .env, while the caller refreshes the
   * token; a failure here is reported by `pushLive`. `close` ends the waiting exec (nothing is written then).
   */
  prepare(): Promise<void> {
    this.prepared ??= (async () => openFastPush(await this.open(), this.fastOptions()))();
    this.prepared.catch(() => undefined);
    return this.prepared.then(() => undefined);
  }

  /**
   * Writes `value` and, with the restart on, restarts and proves it live, in the exec `prepare` started (or a
   * new one, if it was not prepared or has ended meanwhile). A failure after the write names the backup.
   */
  pushLive(value: string): FastPush {
    const s = this.settings;
    checkPushInputs({ ...s, value });
    const run = (async () => {
      let opened = this.prepared ? await this.prepared : undefined;
      this.prepared = undefined;
      if (!opened || opened.ended) opened = await openFastPush(await this.open(), this.fastOptions());
      return commitFastPush(this.session!, opened, { ...this.fastOptions(), value, reconnect: () => this.reopen() });
    })();
    // commitFastPush already names the backup in a failure after the write.
    const out = { written: run.then((f) => f.written), live: run.then((f) => f.live), done: run.then((f) => f.done) };
    for (const p of Object.values(out)) p.catch(() => undefined);
    return out;
  }

  private fastOptions() {
    const s = this.settings;
    return {
      envPath: s.envPath, key: s.key, service: s.service, sudo: s.sudo, sudoPassword: s.sudoPassword,
      restart: s.restart, keepBackups: s.backupsToKeep, allowAnyName: s.allowAnyName,
    };
  }

  /** Writes `value` under the settings' key (no restart). */
  async write(value: string): Promise<PushResult> {
    const s = this.settings;
    // Refused before connecting, not after a login.
    checkPushInputs({ ...s, value });
    // Prepared for the fix (--no-restart): the exec that read the .env writes it and ends.
    if (this.prepared) return this.pushLive(value).written;
    return pushToken({
      session: await this.open(),
      envPath: s.envPath,
      key: s.key,
      value,
      service: s.service,
      sudo: s.sudo,
      sudoPassword: s.sudoPassword,
      restart: false,
      keepBackups: s.backupsToKeep,
      allowAnyName: s.allowAnyName,
      // After a drop mid-write: one new connection, pinned to the key already trusted, to see which file is in place.
      reconnect: () => this.reopen(),
      signal: this.signal,
    });
  }

  /** Restarts the service and waits until it stays active; `written` names the backup if a write came first. */
  async restart(value: string, written?: { backup?: string }): Promise<RestartResult & { tokenLive: boolean }> {
    const session = await this.open();
    try {
      const s = this.settings;
      const r = await restartService(session, await this.priv(), s.service, { key: s.key, value, envPath: s.envPath });
      return { ...r, tokenLive: r.live.proof === 'environ' || showsToken(r.journal, value) };
    } catch (e) {
      throw afterWrite(e, written?.backup);
    }
  }

  /** Restarts and returns as soon as the new token is proven live (one remote script); no settle window. */
  async restartLive(value: string, written?: { backup?: string }): Promise<LiveResult> {
    const session = await this.open();
    try {
      const s = this.settings;
      return await restartLive(session, await this.priv(), s.service, { key: s.key, value, envPath: s.envPath });
    } catch (e) {
      throw afterWrite(e, written?.backup);
    }
  }

  /** Watches the live process for `ms` more; rejects with crash-after-restart (and the journal) if it dies. */
  async watch(live: LiveResult, ms: number, value: string, written?: { backup?: string }): Promise<void> {
    try {
      await watchService(await this.open(), await this.priv(), live, { settleMs: ms, secrets: [value] });
    } catch (e) {
      throw afterWrite(e, written?.backup);
    }
  }

  async state(): Promise<string> {
    return unitState(await this.open(), this.settings.service);
  }

  async journal(lines: number, secrets: string[] = []): Promise<string[]> {
    return journal(await this.open(), await this.priv(), this.settings.service, lines, secrets);
  }

  async follow(lines: number, onLine: (line: string) => void, signal: AbortSignal): Promise<'stopped' | 'ended' | 'connection-lost'> {
    return followJournal(await this.open(), await this.priv(), this.settings.service, { lines, onLine, signal });
  }

  close(): void {
    this.prepared = undefined;
    this.session?.close();
    this.session = undefined;
    this.privilege = undefined;
  }

  private async open(): Promise<SshSession> {
    if (this.session && !this.session.closed) return this.session;
    this.signal?.throwIfAborted();
    try {
      this.session = await connect(connectOptions(this.settings));
    } catch (e) {
      throw withTrustHint(e);
    }
    this.privilege = undefined;
    return this.session;
  }

  private async reopen(): Promise<SshSession> {
    const pin = this.session?.hostKey.fingerprint;
    this.close();
    this.session = await connect({ ...connectOptions(this.settings), ...(pin ? { pinnedFingerprint: pin } : {}) });
    return this.session;
  }

  private async priv(): Promise<Privilege> {
    const s = this.settings;
    this.privilege ??= await preflight(await this.open(), { mode: s.sudo, sudoPassword: s.sudoPassword });
    return this.privilege;
  }
}

/** A journal line in which the service reports the sha256 prefix of the token it loaded (as the test service does). */
export function showsToken(journalLines: string[], value: string): boolean {
  const prefix = tokenHashPrefix(value);
  return journalLines.some((l) => l.includes(`sha256:${prefix}`));
}

/** The CLI never prompts: an unknown host key says how to trust it on the next run. */
function withTrustHint(e: unknown): unknown {
  if (!isDevKitError(e) || e.finding.source !== 'ssh' || e.finding.code !== 'host-key-unknown') return e;
  const d = e.finding.details ?? {};
  const evidence = `To trust it, check it with the server admin (ssh-keygen -lf on the server), then re-run with --fingerprint ${d.fingerprint ?? 'SHA256:…'} or add the key to known_hosts (--known-hosts FILE).`;
  return new DevKitError(findingFor('ssh', 'host-key-unknown', { details: { ...d, evidence } }), { cause: e });
}
