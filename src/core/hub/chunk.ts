// Entry of dist/hub.js: the team hub with the Redis client (node-redis), loaded only when a hub is configured,
// by the extension (src/vscode/lazy.ts) and the CLI (src/cli/hub.ts) alike.
export { TeamHub } from './teamHub';
export type { TeamHubOptions } from './teamHub';
export type { HubState } from './connection';
