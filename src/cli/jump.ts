/**
 * The jump hosts of a server from `~/.ssh/config` ProxyJump, as OpenSSH reaches them: each hop with its own
 * Host block (HostName, User, Port, IdentityFile), checked against the same known_hosts as the server; the
 * `--fingerprint` pin is for the final server only.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DevKitError } from '../core/errors/devkitError';
import type { JumpHost } from '../core/ssh/connectOptions';
import { resolveJumps } from '../core/ssh/sshConfig';
import { configProblem } from './config';

export function jumpHostsFor(
  s: { alias: string; identityFile?: string; agent?: string; passphrase?: string; knownHostsFile?: string },
  env: NodeJS.ProcessEnv = process.env,
): JumpHost[] {
  const home = env.HOME || os.homedir();
  let text: string;
  try {
    text = fs.readFileSync(path.join(home, '.ssh', 'config'), 'utf8');
  } catch {
    return [];
  }
  let hops;
  try {
    hops = resolveJumps(text, s.alias, { homeDir: home, localUser: env.USER });
  } catch (e) {
    throw new DevKitError(configProblem(`~/.ssh/config: ${(e as Error).message}.`, 'Write ProxyJump as [user@]host[:port], several separated by commas.', 'bad-proxyjump'));
  }
  const knownHostsText = s.knownHostsFile && fs.existsSync(s.knownHostsFile) ? fs.readFileSync(s.knownHostsFile, 'utf8') : '';
  return hops.map((h) => {
    const key = h.identityFiles.find((f) => fs.existsSync(f)) ?? s.identityFile;
    const hop: JumpHost = { host: h.host, username: h.user ?? env.USER ?? os.userInfo().username, knownHostsText };
    if (h.port) hop.port = h.port;
    if (key) hop.privateKey = fs.readFileSync(key);
    if (key && key === s.identityFile && s.passphrase) hop.passphrase = s.passphrase;
    if (s.agent) hop.agent = s.agent;
    return hop;
  });
}
