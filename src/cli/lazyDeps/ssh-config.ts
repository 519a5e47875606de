// The CLI bundle's `ssh-config` (see lazy.ts): only the parser src/core/ssh/sshConfig.ts uses, loaded on the first
// read of ~/.ssh/config.
import type * as SshConfig from 'ssh-config';
import { lazyModule } from './lazy';

const real = lazyModule<typeof SshConfig>('./cli-ssh-config.js');

export const parse: typeof SshConfig.parse = (text) => real().parse(text);
