/**
 * package.json's `contributes.commands` is what the palette shows; src/vscode/commandIds.ts is what the code
 * registers and calls. A command in one and not the other is either invisible or a palette entry that fails
 * with "command not found": keep the two lists equal, and keep command ids out of every other source file (a
 * webview's viewType may read like one: it names a panel, not a command).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Cmd } from '../../../src/vscode/commandIds';

const root = path.resolve(__dirname, '../../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; menus?: Record<string, { command?: string }[]> };
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('command ids', () => {
  const declared = manifest.contributes.commands.map((c) => c.command);
  const constants = Object.values(Cmd) as string[];

  it('every constant is declared in package.json and every declared command has a constant', () => {
    assert.deepStrictEqual(constants.filter((id) => !declared.includes(id)), [], 'constants missing from contributes.commands');
    assert.deepStrictEqual(declared.filter((id) => !constants.includes(id)), [], 'contributes.commands without a constant');
    assert.strictEqual(new Set(constants).size, constants.length, 'two constants share an id');
  });

  it('every menu entry names a declared command', () => {
    const menus = Object.values(manifest.contributes.menus ?? {});
    const inMenus = menus.flatMap((items) => items.map((i) => i.command).filter((c): c is string => !!c));
    assert.ok(inMenus.length > 0);
    assert.deepStrictEqual(inMenus.filter((id) => !declared.includes(id)), []);
  });

  it('no other file of the VS Code layer spells a command id as a string', () => {
    const quoted = new RegExp(`['"\`](${constants.map((c) => c.replace(/\./g, '\\.')).join('|')})['"\`]`);
    const offenders = [...sourceFiles(path.join(root, 'src', 'vscode')), path.join(root, 'src', 'extension.ts')]
      .filter((f) => !f.endsWith(path.join('vscode', 'commandIds.ts')))
      .flatMap((f) =>
        fs
          .readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `${path.relative(root, f)}:${i + 1}`, line }))
          .filter(({ line }) => quoted.test(line) && !/viewType: /.test(line)),
      );
    assert.deepStrictEqual(offenders.map((o) => `${o.where}: ${o.line.trim()}`), []);
  });

  it('every command link and enabled-command list in src/ (the core status tooltip too) names a declared command', () => {
    const named = sourceFiles(path.join(root, 'src')).flatMap((f) => {
      const text = fs.readFileSync(f, 'utf8');
      const links = [...text.matchAll(/\(command:(salesiq\.[\w.]+)/g)].map((m) => m[1]);
      const listed = [...text.matchAll(/TOOLTIP_COMMANDS = \[([^\]]*)\]/g)].flatMap((m) => [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]));
      return [...links, ...listed];
    });
    assert.ok(named.length > 0, 'the status tooltip has command links');
    assert.deepStrictEqual(named.filter((id) => !declared.includes(id)), []);
  });

  it('the walkthrough and its media link only to declared commands', () => {
    const media = fs.readdirSync(path.join(root, 'media'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'));
    const texts = [fs.readFileSync(path.join(root, 'package.json'), 'utf8'), ...media.map((f) => fs.readFileSync(path.join(root, 'media', f), 'utf8'))];
    const linked = texts.flatMap((t) => [...t.matchAll(/command:(salesiq\.[\w.]+)/g)].map((m) => m[1]));
    assert.ok(linked.length > 0, 'the walkthrough has command links');
    assert.deepStrictEqual(linked.filter((id) => !declared.includes(id)), []);
  });
});
