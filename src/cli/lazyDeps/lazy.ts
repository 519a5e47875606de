/**
 * Stand-ins for the two heavy libraries in the CLI bundle. esbuild.js points the core's `undici` and `ssh2`
 * imports here for dist/cli.js only; the real libraries are bundled as dist/cli-undici.js and dist/cli-ssh2.js
 * and required on first use, so `status` and `decode` start as fast as a bare `node` (the extension does the
 * same with its dist/net.js and dist/ssh.js chunks).
 */
export function lazyModule<T extends object>(file: string): () => T {
  let loaded: T | undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return () => (loaded ??= require(file) as T);
}

/** A class whose constructor is looked up when the first instance is made. */
export function lazyClass<C extends abstract new (...args: never[]) => unknown>(get: () => C): C {
  return new Proxy(function () {} as unknown as C, {
    construct: (_t, args) => Reflect.construct(get() as unknown as new (...a: unknown[]) => object, args),
  });
}

/** An object (a namespace of functions) whose members are looked up on use. */
export function lazyObject<T extends object>(get: () => T): T {
  return new Proxy({} as T, { get: (_t, k) => Reflect.get(get(), k) });
}
