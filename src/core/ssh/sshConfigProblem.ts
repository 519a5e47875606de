/**
 * A `~/.ssh/config` (or a file it names) that cannot be used as it is: the error says which file and the fix
 * (the rules: docs/ssh.md § ~/.ssh/config).
 */
import { DevKitError } from '../errors/devkitError';
import type { Finding } from '../errors/finding';

export function sshConfigProblem(problem: string, fix: string, code = 'ssh-config'): DevKitError {
  const f: Finding = {
    source: 'unknown',
    code,
    httpStatus: null,
    category: 'config',
    action: 'fix-config',
    retryable: false,
    title: `~/.ssh/config: ${problem}.`,
    explanation: `${fix} Nothing was sent to any server.`,
  };
  return new DevKitError(f);
}
