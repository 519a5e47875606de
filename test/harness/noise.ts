// Workbench log lines that arrive with the extension host's console but are expected, offline or not, and say
// nothing about the extension under test. Anchored where possible so a test's own output is never swallowed.
const NOISE: RegExp[] = [
  /open-vsx\.org/, // the built-in gallery is unreachable offline
  /Timed out waiting for authentication provider 'github'/,
  /^Resolv(ing|ed) connection token /,
  /^Creating a socket \(renderer-/,
  /^\[reconnection-grace-time\] /,
  /^Updating additional builtin extensions cache$/,
  /^\[Service Worker\] registered$/,
  /^\[(AccountPolicyGate|AgentHost[^\]]*|ChatModelSelection|DefaultAccount)\] /,
  /^Creation of workbench contribution '[^']+' took \d+ms\.$/,
  /^Canceled: Canceled: Canceled/, // the workbench cancelling its calls while it stops the extension host
];

export function isNoise(text: string): boolean {
  return NOISE.some((re) => re.test(text));
}
