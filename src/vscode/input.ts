import * as vscode from 'vscode';

/** One step of a multi-step input: an InputBox with step counter, password masking and live validation. */
export interface StepOptions {
  title: string;
  step: number;
  totalSteps: number;
  prompt: string;
  placeholder?: string;
  value?: string;
  password?: boolean;
  /** Returns an error (blocks), a warning (shown, accepted), or undefined. */
  validate?: (v: string) => vscode.InputBoxValidationMessage | undefined;
}

export function inputStep(o: StepOptions): Promise<string | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    Object.assign(box, { title: o.title, step: o.step, totalSteps: o.totalSteps, prompt: o.prompt, placeholder: o.placeholder, value: o.value ?? '', password: !!o.password, ignoreFocusOut: true });
    let done = false;
    const check = () => (box.validationMessage = o.validate?.(box.value.trim()));
    box.onDidChangeValue(check);
    box.onDidAccept(() => {
      const msg = o.validate?.(box.value.trim());
      if (msg && msg.severity === vscode.InputBoxValidationSeverity.Error) return void (box.validationMessage = msg);
      done = true;
      resolve(box.value.trim());
      box.dispose();
    });
    box.onDidHide(() => {
      if (!done) resolve(undefined);
      box.dispose();
    });
    box.show();
  });
}

/**
 * Shows a configured QuickPick and resolves with the accepted item, or undefined when it is dismissed. A
 * QuickPick rather than showQuickPick: steps, active items, and a box the vscode tests can drive.
 */
export function pickOne<T extends vscode.QuickPickItem>(qp: vscode.QuickPick<T>): Promise<T | undefined> {
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]);
      qp.dispose();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

export const error = (message: string): vscode.InputBoxValidationMessage => ({
  message,
  severity: vscode.InputBoxValidationSeverity.Error,
});
export const warning = (message: string): vscode.InputBoxValidationMessage => ({
  message,
  severity: vscode.InputBoxValidationSeverity.Warning,
});
