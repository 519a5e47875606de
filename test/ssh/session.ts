/**
 * The setup the SSH-layer tests share: one real session to the OpenSSH fixture per `describe`, and before each
 * test the fixture's .env put back, sudo without a password and the fake service without a fault.
 */
import { connect } from '../../src/core/ssh/connect';
import type { SshSession } from '../../src/core/ssh/session';
import { fixture } from './hooks';

/** Registers the mocha hooks in the calling `describe`; `use` receives the session once it is open. */
export function useFixtureSession(use: (s: SshSession) => void): void {
  let session: SshSession | undefined;
  before(async () => {
    session = await connect(fixture().connectOptions());
    use(session);
  });
  after(() => session?.close());
  beforeEach(() => {
    fixture().resetEnv();
    fixture().setSudoMode('nopasswd');
    fixture().setFault('none');
  });
}
