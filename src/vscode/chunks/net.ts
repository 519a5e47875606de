// Entry of dist/net.js: everything that needs undici, loaded on first network use (not at activation).
export { createHttpClient } from '../../core/net/http';
export { validateToken, openTestConversation } from '../../core/salesiq/api';
