/**
 * Argument parsing for the public `salesiq-devkit` contract (docs/cli-contract.md). Unknown flags are
 * usage errors (exit 2): a mistyped flag must never be silently ignored by a script.
 *
 * Node's `util.parseArgs` splits the words (`--flag value`, `--flag=value`, `-n 5`, `-n5`, `-` and the `--`
 * end of options); the rules of the contract are checked here on its tokens, because its own strict mode
 * differs in two places the contract depends on: it refuses every value starting with `-` (so `--host -oX`
 * would never reach the check that names `--host` and says why), and its messages do not name the fix.
 */
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'util';

export class UsageError extends Error {}

export interface FlagSpec {
  /** Flags that take a value. */
  values: string[];
  /** Flags that are switches. */
  switches: string[];
  /** Old flag names that are refused with a pointer to the new one (the old one must stay a usage error). */
  renamed?: Record<string, string>;
}

export const GLOBAL_FLAGS: FlagSpec = {
  values: ['--profile', '--config', '--dc', '--accounts-url', '--salesiq-url', '--state-dir', '--hub'],
  switches: ['--json', '--help', '-h'],
  // Node itself acts on --env-file (docs/ssh.md): the bin keeps it from Node, and the CLI refuses it.
  renamed: { '--env-file': '--env-path' },
};

export interface Parsed {
  command: string | undefined;
  positionals: string[];
  values: Record<string, string>;
  /** Every value of each flag in order, for the repeatable ones (`--server A --server B`); `values` keeps the last. */
  repeated?: Record<string, string[]>;
  switches: Set<string>;
}

type Token = NonNullable<ReturnType<typeof nodeParseArgs>['tokens']>[number];

export function parseArgs(argv: string[], commandFlags: (command: string) => FlagSpec | undefined): Parsed {
  const out: Parsed = { command: undefined, positionals: [], values: {}, switches: new Set() };
  // The command decides which flags follow it, so the words up to it are read with the global flags alone.
  const head = tokenize(argv, GLOBAL_FLAGS);
  const at = head.findIndex((t) => t.kind === 'positional' && t.value !== '-');
  const before = at < 0 ? head : head.slice(0, at);
  for (const t of before) take(out, t, argv, GLOBAL_FLAGS);
  if (at < 0) return out;
  const word = head[at] as Extract<Token, { kind: 'positional' }>;
  out.command = word.value;
  const extra = commandFlags(word.value);
  if (!extra) throw new UsageError(`unknown command "${word.value}"`);
  const rest = argv.slice(word.index + 1);
  if (before.some((t) => t.kind === 'option-terminator')) {
    out.positionals.push(...rest);
    return out;
  }
  const spec = merge(GLOBAL_FLAGS, extra);
  for (const t of tokenize(rest, spec)) take(out, t, rest, spec);
  return out;
}

/** Splits the words with Node's parser; every check is left to `take`, in the order the words were given. */
function tokenize(args: string[], spec: FlagSpec): Token[] {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [flags, type] of [[spec.values, 'string'], [spec.switches, 'boolean']] as const) {
    for (const flag of flags) {
      const key = flag.replace(/^--?/, '');
      options[key] = flag.startsWith('--') ? { type, multiple: true } : { type, multiple: true, short: key };
    }
  }
  return nodeParseArgs({ args, options, strict: false, allowPositionals: true, tokens: true }).tokens;
}

function take(out: Parsed, t: Token, args: string[], spec: FlagSpec): void {
  if (t.kind === 'positional') out.positionals.push(t.value);
  if (t.kind !== 'option') return;
  const name = t.rawName;
  const renamed = spec.renamed?.[name];
  if (renamed) throw new UsageError(`${name} is now ${renamed}: use ${renamed}${spec.values.includes(renamed) ? ' PATH' : ''} instead`);
  // Only the spelling the spec names counts: `--n` for `-n`, or `--h` for `-h`, stays unknown.
  if (spec.switches.includes(name)) {
    if (t.value !== undefined) throw new UsageError(`${name} takes no value`);
    out.switches.add(name);
  } else if (spec.values.includes(name)) {
    const value = valueOf(t, args[t.index]);
    out.values[name] = value;
    (out.repeated ??= {})[name] = [...(out.repeated[name] ?? []), value];
  } else {
    throw new UsageError(`unknown flag ${name}${out.command ? ` for "${out.command}"` : ''}`);
  }
}

/** A flag's value, refusing a missing one and a following flag taken for it (`--host --port 22`). */
function valueOf(t: Extract<Token, { kind: 'option' }>, word: string): string {
  if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--'))) throw new UsageError(`${t.rawName} needs a value`);
  // Node reads `-n=5` as the value "=5"; the contract's `-flag=value` means 5, as for the long flags.
  return t.inlineValue && word.startsWith(`${t.rawName}=`) ? word.slice(t.rawName.length + 1) : t.value;
}

function merge(a: FlagSpec, b: FlagSpec): FlagSpec {
  return { values: [...a.values, ...b.values], switches: [...a.switches, ...b.switches], renamed: { ...a.renamed, ...b.renamed } };
}
