/**
 * The sandbox seed named by SALESIQ_DEVKIT_SEED (npm start, the tests) and the hash of the one imported last: read by
 * the bootstrap (does a seed still have to be imported before the first text?) and by the import itself
 * (src/vscode/sandboxSeed.ts). Small on purpose: the bootstrap loads it at `*`.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import type * as vscode from 'vscode';

const IMPORTED_HASH = 'salesiq.seedHash';

export interface SeedFile {
  raw: string;
  hash: string;
}

export function readSeedFile(): SeedFile | undefined {
  const file = process.env.SALESIQ_DEVKIT_SEED;
  if (!file || !fs.existsSync(file)) return undefined;
  const raw = fs.readFileSync(file, 'utf8');
  return { raw, hash: crypto.createHash('sha256').update(raw).digest('hex') };
}

export function seedImportedBefore(context: vscode.ExtensionContext, seed: SeedFile): boolean {
  return context.globalState.get(IMPORTED_HASH) === seed.hash;
}

export function rememberSeedImported(context: vscode.ExtensionContext, seed: SeedFile): Thenable<void> {
  return context.globalState.update(IMPORTED_HASH, seed.hash);
}
