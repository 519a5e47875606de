// Entry of dist/net.js: everything that needs undici or the Zoho error catalogue, loaded on first network use.
export { createHttpClient } from '../../core/net/http';
export { validateToken, openTestConversation } from '../../core/salesiq/api';
export { guardedRefresher } from '../../core/zoho/guardedRefresher';
export { authorizeInBrowser, authorizeWithCode } from '../../core/zoho/authorizeFlow';
export { checkToken, validityOf } from '../../core/salesiq/validate';
export { requireTransferPortal, sendTestTransfer } from '../../core/salesiq/testTransfer';
