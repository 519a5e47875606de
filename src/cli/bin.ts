/**
 * The `salesiq-devkit` bin (dist/cli.js): a few lines that turn on Node's on-disk compile cache and then load
 * the CLI itself (dist/cli-main.js), so from the second run on Node reads the compiled code of the CLI and its
 * chunks (undici, ssh2) instead of compiling them again. Node ≥ 22.1 has the cache; older Nodes simply start
 * without it.
 *
 * The cache holds code Node will run, so it lives in a directory only this user can write: under
 * $XDG_CACHE_HOME (or ~/.cache), created 0700 and used only when it is ours and closed to others — never the
 * shared /tmp default, where another user could plant entries. NODE_COMPILE_CACHE, when set, is the user's
 * own choice and Node applies it before this runs; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
import * as fs from 'fs';
import * as path from 'path';

function compileCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CACHE_HOME || (env.HOME ? path.join(env.HOME, '.cache') : undefined);
  if (!base || !path.isAbsolute(base)) return undefined;
  const dir = path.join(base, 'salesiq-devkit', 'node-compile-cache');
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    const uid = process.getuid?.();
    return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

function enableCompileCache(env: NodeJS.ProcessEnv): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('module') as { enableCompileCache?: (dir?: string) => unknown };
  if (!mod.enableCompileCache || env.NODE_COMPILE_CACHE || env.NODE_DISABLE_COMPILE_CACHE) return;
  const dir = compileCacheDir(env);
  if (!dir) return;
  try {
    mod.enableCompileCache(dir);
  } catch {
    // A cache that cannot be used only costs speed.
  }
}

enableCompileCache(process.env);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cli = require('./cli-main.js') as typeof import('./main');
// Exit as soon as the command is done: an idle keep-alive socket would otherwise hold the process ~1 s.
// Writes to pipes and files are synchronous on Linux, so nothing printed is lost.
void cli.main(process.argv.slice(2)).then((code) => process.exit(code));
