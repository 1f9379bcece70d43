#!/usr/bin/env node
// Runs every bench script of this folder (*.bench.mjs, in name order) with
// its default arguments, one after the other, each printing its figures;
// extra arguments are passed to every script. Exits non-zero when one fails.
// Run after `npm run build` (the scripts import from dist/):
//   npm run bench
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const scripts = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).sort();
const failed = [];
for (const script of scripts) {
  process.stdout.write(`\n== ${script}\n`);
  const r = spawnSync(process.execPath, [join(dir, script), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${script} (${r.signal ?? `exit ${r.status}`})`);
}
if (failed.length > 0) {
  process.stderr.write(`bench: failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
