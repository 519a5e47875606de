/**
 * The names and defaults DevKit shares with the chatbot server's conventions, spelled once. package.json's
 * settings defaults repeat the first three (a manifest cannot import them).
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
