/**
 * Vitest global setup: compiles the project once per test run (`tsc -p`), so
 * the tests that spawn the built CLI (dist/cli/main.js, see builtCli in
 * ./cli.ts) run the current sources. Other modules may be mid-edit: tsc still
 * emits on type errors, so only a missing CLI fails the run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs `npx tsc -p <root>`; throws when dist/cli/main.js is missing afterwards. */
export default function setup(): void {
  spawnSync('npx', ['tsc', '-p', ROOT], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js was not built');
}
