// Entry of dist/cli-undici.js: the real undici for the CLI, required on first use by src/cli/lazyDeps/undici.ts.
export * from 'undici';
