// Entry of dist/cli-ssh-config.js: the `ssh-config` parser, loaded by src/cli/lazyDeps/ssh-config.ts on the
// first read of ~/.ssh/config (commands that connect), never at CLI start.
export { parse } from 'ssh-config';
