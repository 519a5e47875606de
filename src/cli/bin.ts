/**
 * The `salesiq-devkit` bin (dist/cli.js): a few lines that turn on a compile cache and then load the CLI itself
 * (dist/cli-quick.js for `status` and `decode`, dist/cli-main.js for the rest), so from the second run on V8
 * reads the CLI's compiled code instead of compiling it again: Node's own cache on Node ≥ 22.1 (it covers the
 * undici and ssh2 chunks too), V8's code cache through vm.Script on older Nodes (the CLI's bundles only).
 *
 * The cache holds code Node will run, so it lives in a directory only this user can write: under
 * $XDG_CACHE_HOME (or ~/.cache), created 0700 and used only when it is ours and closed to others — never the
 * shared /tmp default, where another user could plant entries. NODE_COMPILE_CACHE, when set, is the user's
 * own choice and Node applies it before this runs; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
// Plain requires (`import x = require()`): esbuild copies every export of a namespace import (`import * as`) at start.
import fs = require('fs');
import path = require('path');

function compileCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CACHE_HOME || (env.HOME ? path.join(env.HOME, '.cache') : undefined);
  if (!base || !path.isAbsolute(base)) return undefined;
  const dir = path.join(base, 'salesiq-devkit', 'node-compile-cache');
  try {
    // One lstat on every run once the directory exists; it is created (0700) only the first time.
    let st = lstatIfAny(dir);
    if (!st) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      st = fs.lstatSync(dir);
    }
    const uid = process.getuid?.();
    return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

function lstatIfAny(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

type ModuleApi = typeof import('module') & { enableCompileCache?: (dir?: string) => unknown };
type Cli = typeof import('./main');
type Quick = typeof import('./quick');

/**
 * Node ≥ 22.1: Node's own compile cache (it covers the chunks loaded later too). Older Nodes: each bundle is
 * compiled through vm.Script with V8's code cache kept in the same private directory, keyed by the file's size,
 * time and the Node version (V8 itself also refuses a cache that does not fit the source). Returns a loader.
 */
function bundleLoader(env: NodeJS.ProcessEnv): (name: string, cacheName: string) => unknown {
  const Module = require('module') as ModuleApi;
  const off = env.NODE_DISABLE_COMPILE_CACHE || env.NODE_COMPILE_CACHE;
  const dir = off ? undefined : compileCacheDir(env);
  if (dir && Module.enableCompileCache) {
    try {
      Module.enableCompileCache(dir);
    } catch {
      // A cache that cannot be used only costs speed.
    }
  }
  return (name, cacheName) => {
    const file = path.join(__dirname, name);
    if (dir && !Module.enableCompileCache) {
      try {
        return withCodeCache(Module, file, dir, cacheName);
      } catch {
        // Fall back to a plain require below.
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file);
  };
}

function withCodeCache(Module: ModuleApi, file: string, dir: string, cacheName: string): unknown {
  const vm = require('vm') as typeof import('vm');
  const st = fs.statSync(file);
  const cacheFile = path.join(dir, `${cacheName}-${st.size}-${Math.floor(st.mtimeMs)}-${process.version}-${process.arch}.v8`);
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
    pendingSaves.set(cacheName, () => saveCache(cacheFile, cacheName, script));
  }
  return m.exports;
}

/** Caches to write at exit, by name; a quick run that handed over to the full CLI drops its own (it ran no command). */
const pendingSaves = new Map<string, () => void>();

function saveCache(cacheFile: string, cacheName: string, script: import('vm').Script): void {
  try {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, cacheFile);
    // The caches of earlier builds or Node versions are never read again.
    const dir = path.dirname(cacheFile);
    const stale = new RegExp(`^${cacheName}-\\d+-\\d+-.*\\.v8$`);
    for (const f of fs.readdirSync(dir)) if (stale.test(f) && f !== path.basename(cacheFile)) fs.rmSync(path.join(dir, f), { force: true });
  } catch {
    // Only speed is lost.
  }
}

/**
 * `status` and `decode` start from the quick entry (dist/cli-quick.js, a fraction of the CLI's size), with a
 * code cache of its own per command; the quick entry hands anything else to the full CLI (dist/cli-main.js).
 * The words are only looked at here; the quick entry parses them for real.
 */
function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const load = bundleLoader(env);
  const full = () => {
    pendingSaves.clear();
    return load('cli-main.js', 'cli-main') as Cli;
  };
  const word = argv.find((a) => a === 'status' || a === 'decode');
  if (!word) return full().main(argv, env);
  return (load('cli-quick.js', `cli-quick-${word}`) as Quick).main(argv, env, full);
}

process.once('exit', () => {
  for (const save of pendingSaves.values()) save();
});
// Exit as soon as the command is done: an idle keep-alive socket would otherwise hold the process ~1 s.
// Every line the CLI prints is written whole before it returns (writeLine in src/cli/output.ts), so none is lost.
void run(process.argv.slice(2), process.env).then((code) => process.exit(code));
