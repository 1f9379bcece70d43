#!/usr/bin/env node
// Runs every bench script of this folder (*.bench.mjs, in name order) one
// after the other, each printing its figures; extra arguments are passed to
// every script. Exits non-zero when one fails.
// --quick: each script on a small workload (QUICK below: fewer rounds,
// images, layers and boards; model-engine does not rewrite RESULTS.md), to
// check that every script runs and prints figures in minutes instead of the
// hour the full set takes. Quick figures are not the ones RESULTS.md quotes.
// Run after `npm run build` (the scripts import from dist/):
//   npm run bench [-- --quick]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The small workload of each script under --quick (a script not listed runs with its defaults). */
const QUICK = {
  'boards.bench.mjs': ['--budget', '40'],
  'cluster.bench.mjs': ['--budget', '24', '--full-images', '200'],
  'dse.bench.mjs': ['--budget', '40', '--images', '200'],
  'emulator.bench.mjs': ['--rounds', '2'],
  'engine-ops.bench.mjs': ['--rounds', '1'],
  'firmware-phase.bench.mjs': ['--rounds', '1', '--levels', '0,0.3'],
  'fit-estimate.bench.mjs': ['--models', 'lenet', '--fractions', '0'],
  'kernels.bench.mjs': ['--repeat', '1'],
  'machine-scaling.bench.mjs': ['--rounds', '1', '--evals', '20'],
  'model-engine.bench.mjs': ['--images', '100', '--armnn-images', '10', '--no-write'],
  'placement.bench.mjs': ['--models', 'lenet', '--boards', 'nucleo-f446re', '--repeat', '1'],
  'sparse-skip.bench.mjs': ['--boards', 'nucleo-f446re', '--layers', 'lenet:3'],
  'unpacked-placement.bench.mjs': ['--layers', 'lenet:3'],
  'unpacked-structures.bench.mjs': ['--boards', 'nucleo-f446re'],
};

const dir = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const extra = process.argv.slice(2).filter((a) => a !== '--quick');
const scripts = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).sort();
const failed = [];
for (const script of scripts) {
  // the scripts read the first occurrence of an option: the caller's extra arguments win over QUICK's
  const args = [...extra, ...(quick ? (QUICK[script] ?? []) : [])];
  process.stdout.write(`\n== ${script}${args.length > 0 ? ` ${args.join(' ')}` : ''}\n`);
  const r = spawnSync(process.execPath, [join(dir, script), ...args], { stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${script} (${r.signal ?? `exit ${r.status}`})`);
}
if (failed.length > 0) {
  process.stderr.write(`bench: failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
