// The VSIX under test: built once per process by `npm run package` (scripts/package.sh), so the UI suite always
// exercises the package a user would install, never the development folder.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../../harness/tools';

let built: string | undefined;

/** Path of a freshly packaged salesiq-devkit-<version>.vsix; SALESIQ_UI_VSIX names a ready one instead. */
export function packagedVsix(): string {
  if (process.env.SALESIQ_UI_VSIX) return path.resolve(process.env.SALESIQ_UI_VSIX);
  if (built) return built;
  const root = repoRoot();
  const res = spawnSync('bash', [path.join(root, 'scripts', 'package.sh')], { cwd: root, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`npm run package failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  built = path.join(root, `salesiq-devkit-${version}.vsix`);
  return built;
}
