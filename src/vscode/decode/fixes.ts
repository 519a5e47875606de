import * as vscode from 'vscode';
import type { Action, Finding } from '../../core/errors/finding';
import { Cmd } from '../commandIds';

export interface FixButton {
  title: string;
  command: string;
}

/**
 * The commands that carry out a finding's action, in the order they are offered. Some arrive with later
 * features (push, fix now, trust host): a button appears only once its command is registered.
 */
const FIXES: Partial<Record<Action, FixButton[]>> = {
  refresh: [
    { title: 'Refresh Token', command: Cmd.refreshToken },
    { title: 'Push to Server', command: Cmd.pushToServer },
    { title: 'Fix Now', command: Cmd.fixNow },
  ],
  reauthorize: [
    { title: 'Authorize with Zoho…', command: Cmd.authorize },
    { title: 'Set Up Credentials…', command: Cmd.setupCredentials },
  ],
  'fix-config': [{ title: 'Open Settings', command: Cmd.openSettings }],
  'trust-host': [{ title: 'Trust Host…', command: Cmd.trustHost }],
};

/** The only commands a decode button or link may run. */
export const FIX_COMMANDS: ReadonlySet<string> = new Set(Object.values(FIXES).flatMap((list) => list.map((b) => b.command)));

export async function registeredCommands(): Promise<ReadonlySet<string>> {
  return new Set(await vscode.commands.getCommands(true));
}

export function fixesFor(f: Finding, registered: ReadonlySet<string>): FixButton[] {
  return (FIXES[f.action] ?? []).filter((b) => registered.has(b.command));
}

/** The fixes of several findings, each command once. */
export function uniqueFixes(findings: Finding[], registered: ReadonlySet<string>): FixButton[] {
  const all = findings.flatMap((f) => fixesFor(f, registered));
  return all.filter((b, i) => all.findIndex((o) => o.command === b.command) === i);
}
