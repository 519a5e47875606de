/**
 * Argument parsing for the public `salesiq-devkit` contract (docs/cli-contract.md). Unknown flags are
 * usage errors (exit 2): a mistyped flag must never be silently ignored by a script.
 */
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

export function parseArgs(argv: string[], commandFlags: (command: string) => FlagSpec | undefined): Parsed {
  const out: Parsed = { command: undefined, positionals: [], values: {}, switches: new Set() };
  let spec: FlagSpec = GLOBAL_FLAGS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-' || !arg.startsWith('-')) {
      if (out.command === undefined && arg !== '-') {
        out.command = arg;
        const extra = commandFlags(arg);
        if (!extra) throw new UsageError(`unknown command "${arg}"`);
        spec = merge(GLOBAL_FLAGS, extra);
      } else out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const renamed = spec.renamed?.[name];
    if (renamed) throw new UsageError(`${name} is now ${renamed}: use ${renamed}${spec.values.includes(renamed) ? ' PATH' : ''} instead`);
    if (spec.switches.includes(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      out.switches.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${name} needs a value`);
      out.values[name] = value;
      (out.repeated ??= {})[name] = [...(out.repeated[name] ?? []), value];
    } else {
      throw new UsageError(`unknown flag ${name}${out.command ? ` for "${out.command}"` : ''}`);
    }
  }
  return out;
}

function merge(a: FlagSpec, b: FlagSpec): FlagSpec {
  return { values: [...a.values, ...b.values], switches: [...a.switches, ...b.switches], renamed: { ...a.renamed, ...b.renamed } };
}
