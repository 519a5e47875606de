/**
 * Loader of dist/ssh-config.js (esbuild.js leaves `require('./ssh-config.js')` in place): reading ~/.ssh/config
 * needs a parser that the activation bundle, which reaches target.ts, must not carry. Same pattern as lazySsh.ts.
 */
import type * as SshConfigChunk from '../chunks/sshConfig';

let chunk: typeof SshConfigChunk | undefined;

export function loadSshConfig(): typeof SshConfigChunk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  chunk ??= require('./ssh-config.js') as typeof SshConfigChunk;
  return chunk;
}
