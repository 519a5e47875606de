// Our code-server runs in its own process group (so it can be killed as a whole), which also means Ctrl+C in a
// terminal does not reach it. Node's default signal exit skips 'exit' listeners; exiting ourselves runs them,
// and codeServer.ts kills the group from one.
export function exitOnSignals(): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => process.exit(code));
  }
}
