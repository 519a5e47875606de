/**
 * The `salesiq-devkit` bin (dist/cli.js): a few lines that turn on a compile cache and then load the CLI itself
 * (dist/cli-main.js), so from the second run on V8 reads the CLI's compiled code instead of compiling it again:
 * Node's own cache on Node ≥ 22.1 (it covers the undici and ssh2 chunks too), V8's code cache through vm.Script
 * on older Nodes (the CLI only).
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

type ModuleApi = typeof import('module') & { enableCompileCache?: (dir?: string) => unknown };

/**
 * Node ≥ 22.1: Node's own compile cache (it covers the chunks loaded later too). Older Nodes: the CLI's code is
 * compiled through vm.Script with V8's code cache kept in the same private directory, keyed by the file's size,
 * time and the Node version (V8 itself also refuses a cache that does not fit the source). Returns the CLI.
 */
function loadCli(env: NodeJS.ProcessEnv): typeof import('./main') {
  const Module = require('module') as ModuleApi;
  const file = path.join(__dirname, 'cli-main.js');
  const off = env.NODE_DISABLE_COMPILE_CACHE || env.NODE_COMPILE_CACHE;
  const dir = off ? undefined : compileCacheDir(env);
  if (dir && Module.enableCompileCache) {
    try {
      Module.enableCompileCache(dir);
    } catch {
      // A cache that cannot be used only costs speed.
    }
  } else if (dir) {
    try {
      return withCodeCache(Module, file, dir);
    } catch {
      // Fall back to a plain require below.
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as typeof import('./main');
}

function withCodeCache(Module: ModuleApi, file: string, dir: string): typeof import('./main') {
  const vm = require('vm') as typeof import('vm');
  const st = fs.statSync(file);
  const cacheFile = path.join(dir, `cli-main-${st.size}-${Math.floor(st.mtimeMs)}-${process.version}-${process.arch}.v8`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const wrapper = Module.wrap(fs.readFileSync(file, 'utf8'));
  const script = new vm.Script(wrapper, { filename: file, cachedData });
  const m = new Module(file, module) as NodeJS.Module & { paths: string[] };
  m.filename = file;
  m.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(path.dirname(file));
  const req = Module.createRequire(file);
  (script.runInThisContext() as (...a: unknown[]) => void).call(m.exports, m.exports, req, m, file, path.dirname(file));
  m.loaded = true;
  if (!cachedData || script.cachedDataRejected) {
    // Written once the command has run, so the functions it compiled are in the cache too.
    process.once('exit', () => saveCache(cacheFile, script));
  }
  return m.exports as typeof import('./main');
}

function saveCache(cacheFile: string, script: import('vm').Script): void {
  try {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, cacheFile);
    // The caches of earlier builds or Node versions are never read again.
    const dir = path.dirname(cacheFile);
    for (const f of fs.readdirSync(dir)) if (/^cli-main-.*\.v8$/.test(f) && f !== path.basename(cacheFile)) fs.rmSync(path.join(dir, f), { force: true });
  } catch {
    // Only speed is lost.
  }
}

const cli = loadCli(process.env);
// Exit as soon as the command is done: an idle keep-alive socket would otherwise hold the process ~1 s.
// Writes to pipes and files are synchronous on Linux, so nothing printed is lost.
void cli.main(process.argv.slice(2)).then((code) => process.exit(code));
