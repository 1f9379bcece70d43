#!/usr/bin/env node
// A run on two boards against a run on one (issue 12, deliverable 2): the
// two-board run evaluates top-1 once per configuration (it does not depend
// on the board) and only adds the second board's latency (layer variants,
// cached), references and whole-firmware timings, so it should cost well
// under twice the one-board run. Both are `sim-dse run` as the README's main
// job runs it (emulated latency, seed grid, final and firmware phases), each
// in a fresh run directory, measured in this one invocation. "Warm cache":
// unless --no-warmup, each is first run once into a scratch directory so that
// every layer variant, object and significance file the measured runs need is
// cached (the one-board and two-board searches visit different
// configurations, so both are warmed).
// Run after `npm run build` (imports from dist/):
//   node bench/boards.bench.mjs [--model lenet] [--budget 1000] [--threads 2] [--boards nucleo-f446re,nucleo-l4r5zi] [--no-warmup]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeRun } from '../dist/explore/run/execute.js';
import { planRun } from '../dist/explore/run/plan.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const model = arg('--model', 'lenet');
const budget = arg('--budget', '1000');
const threads = arg('--threads', '2');
const boards = arg('--boards', 'nucleo-f446re,nucleo-l4r5zi');
const warmup = !process.argv.includes('--no-warmup');

/** Wall seconds of one whole run of `board` (one id or a list) in a fresh directory, and the seconds each phase took. */
async function timedRun(board) {
  const out = mkdtempSync(join(tmpdir(), 'dse-boards-bench-'));
  const plan = planRun({ model, budget, threads, board, out, id: 'bench' });
  const phases = new Map();
  let current = null;
  let since = performance.now();
  const progress = {
    update(e) {
      if (e.phase === current) return;
      const now = performance.now();
      if (current !== null) phases.set(current, (phases.get(current) ?? 0) + (now - since) / 1000);
      current = e.phase;
      since = now;
    },
    end() {
      if (current !== null) phases.set(current, (phases.get(current) ?? 0) + (performance.now() - since) / 1000);
      current = null;
    },
    tick() {},
  };
  const load = loadavg()[0];
  const t0 = performance.now();
  const outcome = await executeRun(plan, { progress });
  const seconds = (performance.now() - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  if (outcome.kind !== 'complete') throw new Error(`run on ${board} did not complete`);
  return { board, seconds, phases, points: outcome.analysis.points.length, load, loadAfter: loadavg()[0] };
}

const one = boards.split(',')[0];
if (warmup) {
  for (const b of [one, boards]) {
    const w = await timedRun(b);
    process.stderr.write(`warm-up ${b}: ${w.seconds.toFixed(1)} s\n`);
  }
}
const single = await timedRun(one);
process.stderr.write(`${one}: ${single.seconds.toFixed(1)} s\n`);
const both = await timedRun(boards);
process.stderr.write(`${boards}: ${both.seconds.toFixed(1)} s\n`);

console.log(`model ${model}, NSGA-II budget ${budget}, --threads ${threads}, emulated latency, ${warmup ? 'warm cache (each run warmed once first)' : 'cache as found'}`);
console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}`);
console.log(`| run | points | seconds | ${[...new Set([...single.phases.keys(), ...both.phases.keys()])].join(' | ')} | load avg (start, end) |`);
const names = [...new Set([...single.phases.keys(), ...both.phases.keys()])];
console.log(`|---|---|---|${names.map(() => '---|').join('')}---|`);
for (const r of [single, both]) {
  console.log(`| ${r.board} | ${r.points} | ${r.seconds.toFixed(1)} | ${names.map((n) => (r.phases.get(n) ?? 0).toFixed(1)).join(' | ')} | ${r.load.toFixed(1)}, ${r.loadAfter.toFixed(1)} |`);
}
console.log(`ratio two boards / one board: ${(both.seconds / single.seconds).toFixed(2)}x (target < 1.3x)`);
