import type * as vscode from 'vscode';
import type { Clock } from '../core/token/clock';
import type { Log } from './log';
import type { SecretStore } from './secretStore';
import type { StatusBar } from './statusBar';
import type { TokenController } from './tokenController';

/** What every feature module gets from activate(): one bag, so adding a feature never reshuffles the others. */
export interface FeatureDeps {
  context: vscode.ExtensionContext;
  clock: Clock;
  log: Log;
  secrets: SecretStore;
  controller: TokenController;
  statusBar: StatusBar;
}
