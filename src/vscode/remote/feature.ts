/**
 * The remote feature as one object, built on the first remote command or auto-push. It lives in dist/ssh.js
 * with ssh2 and the SSH core (see chunks/ssh.ts), so none of it costs activation time or bundle size.
 */
import type * as vscode from 'vscode';
import type { FixServer } from '../../core/flows/fix';
import type { StoredToken } from '../../core/token/tokenManager';
import type { FeatureDeps } from '../deps';
import type { ProfileSetting } from '../settings';
import type { RemoteArgs } from './answers';
import { serialiser } from './outcome';
import { Pusher } from './push';
import type { PushStatus } from './pushStatus';
import { type RestoreArgs, Restorer } from './restore';
import { type LogsArgs, ServerLog } from './serverLog';
import { testConnection, trustHost } from './testConnection';

export interface RemoteFeature extends vscode.Disposable {
  push(args?: RemoteArgs): Promise<unknown>;
  onRefresh(e: { token: StoredToken; automatic: boolean; profile: ProfileSetting }): void;
  testConnection(args?: RemoteArgs): Promise<unknown>;
  trustHost(args?: RemoteArgs): Promise<unknown>;
  showLogs(args?: LogsArgs): Promise<unknown>;
  stopLogs(): Promise<unknown>;
  restore(args?: RestoreArgs): Promise<unknown>;
  /** Fix Now's server side (write → restart with the live proof → watch) on one session. */
  fixServer(args: RemoteArgs, say: (message: string) => void, signal?: AbortSignal): FixServer & { close(): void };
}

export function createRemote(deps: FeatureDeps, status: PushStatus): RemoteFeature {
  // Pushes and restores write the same file: one at a time.
  const exclusive = serialiser();
  const serverLog = new ServerLog(deps);
  const pusher = new Pusher(deps, status, serverLog, exclusive);
  const restorer = new Restorer(deps, serverLog, exclusive);
  return {
    push: (args) => pusher.command(args),
    onRefresh: (e) => pusher.onRefresh(e),
    testConnection: (args) => testConnection(deps, args),
    trustHost: (args) => trustHost(deps, args),
    showLogs: (args) => serverLog.command(args),
    stopLogs: () => serverLog.stop(),
    restore: (args) => restorer.command(args),
    fixServer: (args, say, signal) => pusher.fixServer(args, say, signal),
    dispose: () => serverLog.dispose(),
  };
}
