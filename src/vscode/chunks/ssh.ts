// Entry of dist/ssh.js: ssh2, the SSH core and the remote commands built on them, loaded on the first remote
// command or auto-push (src/vscode/remote/lazySsh.ts), never at activation.
export { createRemote } from '../remote/feature';
export { createDoctor } from '../doctor/feature';
