import * as assert from 'assert';
import { parseArgs, UsageError, type FlagSpec } from '../../../src/cli/args';

const COMMANDS: Record<string, FlagSpec> = {
  decode: { values: [], switches: [] },
  logs: { values: ['--host', '--env-path', '--server', '-n'], switches: ['--follow'] },
};
const parse = (...argv: string[]) => parseArgs(argv, (c) => COMMANDS[c]);
const refused = (argv: string[], why: RegExp) => assert.throws(() => parse(...argv), (e: unknown) => e instanceof UsageError && why.test(e.message), argv.join(' '));

describe('CLI arguments', () => {
  it('reads --flag value and --flag=value, global flags before and after the command', () => {
    const p = parse('--profile', 'org', 'logs', '--host=h', '--json', '--follow');
    assert.strictEqual(p.command, 'logs');
    assert.deepStrictEqual(p.values, { '--profile': 'org', '--host': 'h' });
    assert.deepStrictEqual([...p.switches], ['--json', '--follow']);
  });

  it('keeps every value of a repeated flag in order, and the last in values', () => {
    const p = parse('logs', '--server', 'a', '--server=b', '--server', 'c');
    assert.deepStrictEqual(p.repeated?.['--server'], ['a', 'b', 'c']);
    assert.strictEqual(p.values['--server'], 'c');
  });

  it('reads -n N, -n=N and -nN as the same value', () => {
    for (const argv of [['-n', '5'], ['-n=5'], ['-n5']]) assert.strictEqual(parse('logs', ...argv).values['-n'], '5', argv.join(' '));
  });

  it('takes - as a positional (stdin), never as the command', () => {
    assert.deepStrictEqual(parse('decode', '-').positionals, ['-']);
    const before = parse('-', 'decode');
    assert.strictEqual(before.command, 'decode');
    assert.deepStrictEqual(before.positionals, ['-']);
  });

  it('passes a value starting with a single dash on to the flag\'s own check', () => {
    assert.strictEqual(parse('logs', '--host', '-oProxyCommand=x').values['--host'], '-oProxyCommand=x');
  });

  it('refuses unknown commands and flags, naming them', () => {
    refused(['frobnicate'], /unknown command "frobnicate"/);
    refused(['--frob', 'decode'], /^unknown flag --frob$/);
    refused(['decode', '--host', 'h'], /unknown flag --host for "decode"/);
    refused(['logs', '-x'], /unknown flag -x for "logs"/);
    // Only the spelling the contract names: -n has no long form, --help no short alias but -h.
    refused(['logs', '--n', '5'], /unknown flag --n/);
    refused(['--h'], /unknown flag --h/);
  });

  it('refuses a missing value, and never swallows the next flag as one', () => {
    refused(['logs', '--host'], /--host needs a value/);
    refused(['logs', '--host', '--follow'], /--host needs a value/);
    refused(['--profile', '--json', 'decode'], /--profile needs a value/);
    assert.strictEqual(parse('logs', '--host=--follow').values['--host'], '--follow', 'an explicit = value is what was asked for');
  });

  it('refuses a value given to a switch', () => {
    refused(['--json=1', 'decode'], /--json takes no value/);
    refused(['logs', '--follow=yes'], /--follow takes no value/);
  });

  it('refuses --env-file in both forms, naming --env-path', () => {
    refused(['logs', '--env-file', 'x.env'], /--env-file is now --env-path: use --env-path PATH instead/);
    refused(['logs', '--env-file=x.env'], /--env-file is now --env-path/);
    refused(['--env-file=x.env', 'logs'], /--env-file is now --env-path/);
  });

  it('reads everything after -- as positionals (a file named like a flag)', () => {
    const p = parse('decode', '--', '--json', '-');
    assert.deepStrictEqual(p.positionals, ['--json', '-']);
    assert.strictEqual(p.switches.size, 0);
    assert.strictEqual(parse('--', 'decode', '--json').positionals[0], '--json');
  });

  it('with no command, keeps the switches (help) and no command', () => {
    const p = parse('-h');
    assert.strictEqual(p.command, undefined);
    assert.ok(p.switches.has('-h'));
  });
});
