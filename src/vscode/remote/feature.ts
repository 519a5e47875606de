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
import { testConnection, testConnections, trustHost } from './testConnection';
import { type PushAllArgs, pushToAll, type ServerPushResult } from './pushAll';
import type { RemoteSettings } from './remoteSettings';
import { chooseServers, type NamedServer, type ServerQuestion, settingsOf } from './servers';

type Closable = { close(): void };

export interface RemoteFeature extends vscode.Disposable {
  push(args?: RemoteArgs): Promise<unknown>;
  onRefresh(e: { token: StoredToken; automatic: boolean; profile: ProfileSetting }): void;
  testConnection(args?: RemoteArgs): Promise<unknown>;
  trustHost(args?: RemoteArgs): Promise<unknown>;
  showLogs(args?: LogsArgs): Promise<unknown>;
  stopLogs(): Promise<unknown>;
  restore(args?: RestoreArgs): Promise<unknown>;
  /** Fix Now's server side (write → restart with the live proof → watch) on one session. */
  fixServer(args: RemoteArgs, server: NamedServer | undefined, say: (message: string) => void, signal?: AbortSignal): FixServer & Closable;
  /** The server question for a command outside this chunk (Fix Now). */
  chooseServers(q: ServerQuestion, named?: string | string[]): Promise<NamedServer[] | undefined>;
  pushToAll(args: PushAllArgs): Promise<{ ok: boolean; results: ServerPushResult[] } | undefined>;
}

/** Which server each command asks for, and why Restore and Logs take one at a time. */
const ASK: Record<'push' | 'test' | 'logs' | 'restore', ServerQuestion> = {
  push: { purpose: 'Push Token to Server', allowAll: true, placeHolder: 'Which server? All servers: each in parallel, one connection each' },
  test: { purpose: 'Test SSH Connection', allowAll: true, placeHolder: 'Which server? All servers: one result line each' },
  logs: { purpose: 'Show Server Logs', allowAll: false, placeHolder: 'Which server? One at a time: the log channel follows one journal' },
  restore: { purpose: 'Restore Previous .env', allowAll: false, placeHolder: 'Which server? One at a time: each server has its own backups to choose from' },
};

/** A pick the user dismissed: nothing ran and nothing changed, so no notification either. */
const notPicked = { ok: false, cancelled: true } as const;

export function createRemote(deps: FeatureDeps, status: PushStatus): RemoteFeature {
  // Pushes and restores write the same file: one at a time.
  const exclusive = serialiser();
  const serverLog = new ServerLog(deps);
  const pusher = new Pusher(deps, status, serverLog, exclusive);
  const restorer = new Restorer(deps, serverLog, exclusive);
  // The server question, then the command on the answer. An unknown server name throws: registerCommand shows it.
  const onServers = async <A extends RemoteArgs>(
    q: ServerQuestion,
    args: A = {} as A,
    one: (args: A, settings: RemoteSettings) => Promise<unknown>,
    all?: (args: A, servers: NamedServer[]) => Promise<unknown>,
  ): Promise<unknown> => {
    const servers = await chooseServers(q, args.server);
    if (!servers) return notPicked;
    if (servers.length > 1 && all) return all(args, servers);
    return one({ ...args, ...(servers[0] && !servers[0].unnamed ? { server: servers[0].name } : {}) }, settingsOf(servers));
  };
  return {
    push: (args) =>
      onServers(ASK.push, args, (a, s) => pusher.command(a, s), (a, list) => pushToAll(deps, { ...a, servers: list.map((x) => x.name) })),
    onRefresh: (e) => pusher.onRefresh(e),
    testConnection: (args) => onServers(ASK.test, args, (a, s) => testConnection(deps, a, s), (a, list) => testConnections(deps, a, list)),
    trustHost: (args) => trustHost(deps, args),
    showLogs: (args) => onServers(ASK.logs, args, (a, s) => serverLog.command(a, s)),
    stopLogs: () => serverLog.stop(),
    restore: (args) => onServers(ASK.restore, args, (a, s) => restorer.command(a, s)),
    fixServer: (args, server, say, signal) => pusher.fixServer(args, settingsOf(server ? [server] : []), say, signal),
    chooseServers,
    pushToAll: (args) => pushToAll(deps, args),
    dispose: () => serverLog.dispose(),
  };
}
