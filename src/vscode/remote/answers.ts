import * as vscode from 'vscode';
import type { TrustDecision, UnknownHostInfo } from '../../core/ssh/connectOptions';
import { hostField } from '../../core/ssh/knownHosts';
import { cancelled, needsAnswer } from './findings';

/** Optional arguments of the remote commands: programmatic answers for tests and for auto-push. */
export interface RemoteArgs {
  /** The server (a `salesiq.remote.servers` name) to work on without asking which. */
  server?: string;
  /** false: never ask; a needed answer that is neither given nor stored fails with 'needs-answer'. */
  interactive?: boolean;
  /** The answer to the unknown-host modal. */
  hostKeyAnswer?: TrustDecision;
  /** Used where the prompt would be shown, and stored like a typed one once it works. */
  sudoPassword?: string;
  passphrase?: string;
  /** false skips the confirmation (as the salesiq.remote.confirmPush setting does). */
  confirm?: boolean;
  /** true: no notification of the outcome; the caller reports it (Fix Now shows one summary). */
  quiet?: boolean;
}

/** Every question a remote command may ask, answered from the arguments first. */
export class Answers {
  constructor(private readonly args: RemoteArgs = {}) {}

  get interactive(): boolean {
    return this.args.interactive !== false;
  }

  /** The server named in the arguments, for a retry that must go to the same one. */
  get server(): string | undefined {
    return this.args.server;
  }

  get quiet(): boolean {
    return this.args.quiet === true;
  }

  /** A password or passphrase; undefined when the user dismissed the box. */
  async secret(kind: 'sudoPassword' | 'passphrase', what: string, prompt: string): Promise<string | undefined> {
    const given = this.args[kind];
    if (given !== undefined) return given;
    if (!this.interactive) throw needsAnswer(what);
    return vscode.window.showInputBox({ title: `SalesIQ: ${what}`, prompt, password: true, ignoreFocusOut: true });
  }

  /** The first-connection modal, like OpenSSH's "authenticity of host … can't be established"; Cancel is the default. */
  async trust(info: UnknownHostInfo): Promise<TrustDecision> {
    if (this.args.hostKeyAnswer) return this.args.hostKeyAnswer;
    const where = hostField(info.host, info.port);
    if (!this.interactive) throw needsAnswer(`your trust in the host key of ${where} (${info.keyType} ${info.fingerprint})`);
    const others = info.knownFingerprints?.length ? `\n\nknown_hosts lists this host only with other key types: ${info.knownFingerprints.join(', ')}.` : '';
    const detail =
      `The authenticity of host '${where}' can't be established.\n${info.keyType} key fingerprint is ${info.fingerprint}.${others}\n\n` +
      'Compare it with what the server shows (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`) before you trust it.';
    const once = 'Trust Once';
    const pin = 'Trust and Pin';
    const pick = await vscode.window.showWarningMessage(`SalesIQ: unknown host key for ${where}`, { modal: true, detail }, once, pin);
    return pick === pin ? 'pin' : pick === once ? 'once' : 'reject';
  }

  /** A modal yes/no before a write; skipped with `confirm: false`. Dismissing it cancels. */
  async confirm(message: string, detail: string, button: string): Promise<void> {
    if (this.args.confirm === false) return;
    if (!this.interactive) throw needsAnswer('your confirmation of the change');
    const pick = await vscode.window.showWarningMessage(message, { modal: true, detail }, button);
    if (pick !== button) throw cancelled('not confirmed');
  }
}
