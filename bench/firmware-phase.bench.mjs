#!/usr/bin/env node
// Whole-firmware phase of `sim-dse run`: points per second at 1 thread (the
// calling thread) and at 2 (piscina workers), measured in the same process
// on the same points. A small grid run (emulated latency, every front point
// re-evaluated) is made once, which also warms the object cache; then its
// firmware.jsonl is removed and the run resumed at each thread count,
// alternating, so only the firmware phase runs. Every resumed run must write
// the same firmware.jsonl bytes as the first.
// Run after `npm run build` (imports from dist/):
//   node bench/firmware-phase.bench.mjs [--model lenet] [--layers 1,3] [--levels 0,0.1,0.2,0.3,0.4,0.5] [--rounds 2]
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeRun } from '../dist/explore/run/execute.js';
import { planRun } from '../dist/explore/run/plan.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const model = arg('--model', 'lenet');
const layers = arg('--layers', '1,3');
const levels = arg('--levels', '0,0.1,0.2,0.3,0.4,0.5');
const rounds = Number(arg('--rounds', '2'));
const options = {
  model, layers, levels, kind: 'fraction', metric: 'magnitude', search: 'grid', images: '200', fullImages: '200',
  maxLoss: '100', latency: 'emulated', seedGrid: false, id: 'bench',
};

const root = mkdtempSync(join(tmpdir(), 'fw-phase-bench-'));
const first = join(root, 'first');
const made = await executeRun(planRun({ ...options, threads: '2', out: first }));
const reference = readFileSync(join(made.dir, 'firmware.jsonl'), 'utf8');
const points = reference.trim().split('\n').length;

/** Seconds of the firmware phase alone when the run is resumed with `threads`. */
async function phaseSeconds(threads) {
  const out = join(root, `t${threads}-${performance.now()}`);
  cpSync(first, out, { recursive: true });
  rmSync(join(out, 'bench', 'firmware.jsonl'));
  let start = null;
  let end = null;
  const progress = {
    update(e) {
      if (e.phase !== 'firmware') return;
      start ??= performance.now();
      if (e.done >= e.total) end = performance.now();
    },
    tick() {},
    end() {},
  };
  await executeRun(planRun({ ...options, threads: String(threads), out }), { progress });
  const same = readFileSync(join(out, 'bench', 'firmware.jsonl'), 'utf8') === reference;
  if (!same) throw new Error(`${threads} thread(s): firmware.jsonl differs from the first run's`);
  return (end - start) / 1000;
}

const seconds = { 1: [], 2: [] };
for (let r = 0; r < rounds; r++) {
  for (const t of [1, 2]) {
    const s = await phaseSeconds(t);
    seconds[t].push(s);
    process.stderr.write(`round ${r + 1}, ${t} thread(s): ${points} points in ${s.toFixed(1)} s\n`);
  }
}
rmSync(root, { recursive: true, force: true });
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
console.log(`model ${model}, grid ${layers} x ${levels}: ${points} points timed as whole firmware (10 test images each), object cache warm`);
console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}; medians of ${rounds} alternating rounds`);
console.log('| threads | points | seconds | points/s | speed-up |');
console.log('|---|---|---|---|---|');
for (const t of [1, 2]) {
  const s = median(seconds[t]);
  console.log(`| ${t} | ${points} | ${s.toFixed(1)} | ${(points / s).toFixed(2)} | ${(median(seconds[1]) / s).toFixed(2)}x |`);
}
console.log('firmware.jsonl identical at every thread count: yes');
