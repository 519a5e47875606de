/**
 * The CLI's jump hosts: the hops resolved from `~/.ssh/config` when the server settings were read (sshFlags.ts),
 * with their keys, the server's known_hosts (the `--fingerprint` pin is for the final server only) and the
 * server's key as the fallback. The rules are the core's (src/core/ssh/jumpHosts.ts).
 */
import * as os from 'os';
import type { JumpHost } from '../core/ssh/connectOptions';
import { type JumpCredentials, jumpHosts } from '../core/ssh/jumpHosts';
import type { ServerSettings } from './sshFlags';

export function jumpHostsFor(s: ServerSettings, knownHostsText: string, env: NodeJS.ProcessEnv = process.env): JumpHost[] {
  if (!s.jumps?.length) return [];
  const creds: JumpCredentials = { knownHostsText, defaultUser: env.USER ?? os.userInfo().username };
  if (s.identityFile) creds.identityFile = s.identityFile;
  if (s.passphrase) creds.passphrase = s.passphrase;
  if (s.agent) creds.agent = s.agent;
  return jumpHosts(s.jumps, creds);
}
