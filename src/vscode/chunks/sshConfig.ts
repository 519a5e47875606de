// Entry of dist/ssh-config.js: ~/.ssh/config as OpenSSH reads it (the `ssh-config` parser and the core's
// evaluation), loaded by src/vscode/remote/lazySshConfig.ts when a server's settings are first resolved, never
// at activation.
export { localSshEnv, openSshConfig, resolveSshHost } from '../../core/ssh/sshConfig';
export { jumpHostsFor } from '../../core/ssh/jumpHosts';
