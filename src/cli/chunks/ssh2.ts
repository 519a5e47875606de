// Entry of dist/cli-ssh2.js: the real ssh2 for the CLI, required on first use by src/cli/lazyDeps/ssh2.ts.
export * from 'ssh2';
