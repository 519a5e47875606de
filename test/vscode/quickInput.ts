/**
 * Drives the extension's quick picks and input boxes from the tests: the test module shares the extension's
 * `vscode` API object, so wrapping `createQuickPick` / `createInputBox` hands every box the command shows to the
 * test, which sets its value or selection and accepts it as a user pressing Enter would.
 */
import * as vscode from 'vscode';

type Box = vscode.QuickPick<vscode.QuickPickItem & { id?: string }> | vscode.InputBox;

export class QuickInputDriver implements vscode.Disposable {
  private readonly shown: Box[] = [];
  private readonly waiting: Array<(b: Box) => void> = [];
  private readonly accepts = new Map<Box, Array<() => void>>();
  private readonly original = { qp: vscode.window.createQuickPick, ib: vscode.window.createInputBox };

  constructor() {
    const w = vscode.window as { createQuickPick: unknown; createInputBox: unknown };
    w.createQuickPick = () => this.wrap(this.original.qp.call(vscode.window) as Box);
    w.createInputBox = () => this.wrap(this.original.ib.call(vscode.window));
  }

  /** The next box the command shows (bounded: a command that never asks fails the test). */
  next(timeoutMs = 20_000): Promise<Box> {
    const ready = this.shown.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no quick input appeared')), timeoutMs);
      this.waiting.push((b) => {
        clearTimeout(timer);
        resolve(b);
      });
    });
  }

  async input(expect: RegExp, value?: string): Promise<vscode.InputBox> {
    const box = await this.next();
    if ('items' in box) throw new Error(`expected an input box matching ${expect}, got a quick pick: ${box.placeholder ?? box.title}`);
    const text = `${box.title ?? ''} ${box.prompt ?? ''}`;
    if (!expect.test(text)) throw new Error(`expected an input box matching ${expect}, got: ${text}`);
    if (value !== undefined) box.value = value;
    this.accept(box);
    return box;
  }

  async pick(expect: RegExp, id: string): Promise<void> {
    const box = await this.next();
    if (!('items' in box) || !expect.test(box.placeholder ?? '')) throw new Error(`expected a quick pick matching ${expect}, got: ${box.placeholder ?? box.title}`);
    const item = box.items.find((i) => i.id === id);
    if (!item) throw new Error(`no item ${id} in ${box.items.map((i) => i.id).join(', ')}`);
    box.selectedItems = [item];
    this.accept(box);
  }

  accept(box: Box): void {
    for (const l of this.accepts.get(box) ?? []) l();
  }

  dispose(): void {
    const w = vscode.window as { createQuickPick: unknown; createInputBox: unknown };
    w.createQuickPick = this.original.qp;
    w.createInputBox = this.original.ib;
  }

  private wrap<B extends Box>(box: B): B {
    const listeners: Array<() => void> = [];
    this.accepts.set(box, listeners);
    const onDidAccept = box.onDidAccept;
    (box as { onDidAccept: unknown }).onDidAccept = (l: () => void, thisArg?: unknown, d?: vscode.Disposable[]) => {
      listeners.push(() => l.call(thisArg));
      return onDidAccept(l, thisArg, d);
    };
    const show = box.show.bind(box);
    box.show = () => {
      show();
      const waiter = this.waiting.shift();
      if (waiter) waiter(box);
      else this.shown.push(box);
    };
    return box;
  }
}
