/**
 * The names and defaults DevKit shares with the chatbot server's conventions, spelled once. package.json's
 * `salesiq.remote.*` settings defaults repeat REMOTE_DEFAULTS (a manifest cannot import them); a unit test
 * keeps the two equal.
 */

/** The `.env` key that receives the access token. */
export const DEFAULT_ENV_KEY = 'SALESIQ_ACCESS_TOKEN';
/** Where the chatbot's `.env` lives on the server. */
export const DEFAULT_ENV_PATH = '/opt/llm-chatbot/.env';
/** The systemd unit restarted after the `.env` changes. */
export const DEFAULT_SERVICE = 'llm-chatbot';

/** The credential variables: the CLI reads them from its environment, Import from .env from a file. */
export const CREDENTIAL_VARS = {
  clientId: 'SALESIQ_CLIENT_ID',
  clientSecret: 'SALESIQ_CLIENT_SECRET',
  refreshToken: 'SALESIQ_REFRESH_TOKEN',
  accessToken: DEFAULT_ENV_KEY,
} as const;

/** The org-token set a chatbot keeps beside the user one for the visitor API (imported as profile `org`). */
export const VISITOR_CREDENTIAL_VARS = {
  clientId: 'SALESIQ_VISITOR_CLIENT_ID',
  clientSecret: 'SALESIQ_VISITOR_CLIENT_SECRET',
  refreshToken: 'SALESIQ_VISITOR_REFRESH_TOKEN',
  accessToken: 'SALESIQ_VISITOR_ACCESS_TOKEN',
} as const;

/** Server secrets the CLI takes from its environment (never from flags). */
export const SUDO_PASSWORD_VAR = 'SALESIQ_SUDO_PASSWORD';
export const SSH_PASSPHRASE_VAR = 'SALESIQ_SSH_PASSPHRASE';

/** The profile used when none is named, and its data centre. */
export const DEFAULT_PROFILE_NAME = 'default';
export const DEFAULT_DATA_CENTER = 'com';

/** How DevKit may gain root on the server (docs/ssh.md); `auto` tries sudo without a password, then with one. */
export const SUDO_MODES = ['auto', 'nopasswd', 'password', 'none'] as const;

/** The server settings' defaults: the extension's `salesiq.remote.*` and the CLI's SSH flags alike. */
export const REMOTE_DEFAULTS = {
  port: 22,
  knownHostsFile: '~/.ssh/known_hosts',
  envPath: DEFAULT_ENV_PATH,
  service: DEFAULT_SERVICE,
  sudo: 'auto' as (typeof SUDO_MODES)[number],
  backupsToKeep: 5,
  confirmPush: true,
  restart: true,
  settleSeconds: 1.5,
} as const;

/** The bounds of `backupsToKeep`: at least the backup just made, at most what a directory listing stays readable with. */
export const BACKUPS_TO_KEEP_RANGE = { min: 1, max: 50 } as const;
