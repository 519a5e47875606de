import * as vscode from 'vscode';
import { redact } from '../core/redact';

/**
 * The "SalesIQ DevKit" log output channel. Every line passes through redact(), which also masks any secret
 * the extension has seen this session (tokens, client secrets), whatever their shape.
 */
export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('SalesIQ DevKit', { log: true });
  private readonly secrets = new Set<string>();

  remember(...secrets: Array<string | undefined>): void {
    for (const s of secrets) if (s) this.secrets.add(s);
  }

  info(component: string, message: string): void {
    this.channel.info(this.line(component, message));
  }

  warn(component: string, message: string): void {
    this.channel.warn(this.line(component, message));
  }

  error(component: string, message: string): void {
    this.channel.error(this.line(component, message));
  }

  clean(text: string): string {
    return redact(text, this.secrets);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }

  private line(component: string, message: string): string {
    return `[${component}] ${this.clean(message)}`;
  }
}
