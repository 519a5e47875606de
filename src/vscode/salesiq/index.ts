import type * as vscode from 'vscode';
import type { FeatureDeps } from '../deps';
import { registerFixNow } from './fixNow';
import { LastResults } from './lastResults';
import { registerTestTransfer } from './testTransfer';
import { registerValidate } from './validate';

/** Validate Token, Send Test Transfer, Fix Now: proving the integration works end to end. */
export function registerSalesIQ(deps: FeatureDeps): vscode.Disposable[] {
  const last = new LastResults();
  deps.statusBar.setExtraRows(() => last.rows(deps.clock.now()));
  return [registerValidate(deps, last), registerTestTransfer(deps, last), registerFixNow(deps, last)];
}
