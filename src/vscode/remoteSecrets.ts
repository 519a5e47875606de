/**
 * SecretStorage keys of the server's secrets, in one place for the remote feature that stores them and for
 * Forget Credentials, which offers to remove them too.
 */
export const remoteSecretKeys = {
  /** Per user and host: a sudo password belongs to the account, not only to the machine. */
  sudoPassword: (t: { user: string; host: string }) => `salesiq.sudoPassword/${t.user}@${t.host}`,
  passphrase: (identityFile: string) => `salesiq.passphrase/${identityFile}`,
};
