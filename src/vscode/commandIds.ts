/**
 * Every command id DevKit registers, in one place: registration, internal `executeCommand` calls, status-bar
 * and tree items, hover links and webview buttons all use these names. package.json's `contributes.commands`
 * stays what the palette shows; test/unit/vscode/commandIds.test.ts keeps the two lists equal.
 * Pure data (no `vscode` import), so plain-Node tests can read it.
 */
export const Cmd = {
  setupCredentials: 'salesiq.setupCredentials',
  authorize: 'salesiq.authorize',
  importFromEnv: 'salesiq.importFromEnv',
  forgetCredentials: 'salesiq.forgetCredentials',
  refreshToken: 'salesiq.refreshToken',
  switchProfile: 'salesiq.switchProfile',
  showActions: 'salesiq.showActions',
  copyAccessToken: 'salesiq.copyAccessToken',
  showLog: 'salesiq.showLog',
  openSettings: 'salesiq.openSettings',
  validateToken: 'salesiq.validateToken',
  decodeError: 'salesiq.decodeError',
  sendTestTransfer: 'salesiq.sendTestTransfer',
  pushToServer: 'salesiq.pushToServer',
  testSshConnection: 'salesiq.testSshConnection',
  showServerLogs: 'salesiq.showServerLogs',
  stopFollowingServerLogs: 'salesiq.stopFollowingServerLogs',
  restoreEnv: 'salesiq.restoreEnv',
  trustHost: 'salesiq.trustHost',
  fixNow: 'salesiq.fixNow',
  runDoctor: 'salesiq.runDoctor',
  pushToAllServers: 'salesiq.pushToAllServers',
  restartService: 'salesiq.doctor.restartService',
  setHubPassword: 'salesiq.setHubPassword',
} as const;

export type CommandId = (typeof Cmd)[keyof typeof Cmd];

/** VS Code's own commands DevKit calls (not ours to declare). */
export const BuiltinCmd = {
  openSettings: 'workbench.action.openSettings',
  setContext: 'setContext',
  renderMarkdown: 'markdown.api.render',
} as const;
