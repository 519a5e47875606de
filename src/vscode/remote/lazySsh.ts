/**
 * Loader of dist/ssh.js (esbuild.js leaves `require('./ssh.js')` in place): ssh2 and the SSH core load on the
 * first remote command, so activation and the countdown never pay for them. Same pattern as lazy.ts's loadNet.
 */
import type * as SshChunk from '../chunks/ssh';

let sshChunk: typeof SshChunk | undefined;

export function loadSsh(): typeof SshChunk {
  sshChunk ??= require('./ssh.js') as typeof SshChunk;
  return sshChunk;
}
