#!/usr/bin/env node
// Design-space exploration throughput: configurations per second of the
// search phase of `sim-dse run` (NSGA-II, accuracy on N test images in a
// piscina pool, latency from the chosen source) at 1 and 2 threads, and the
// scaling between them. Each run starts in a fresh run directory (no store to
// resume from); the significance cache and the layer-variant cache stay warm.
// Latency defaults to the analytic `macs` source, so the figures are the
// accuracy pipeline's (which dominates a point once the variant cache is
// warm); `--latency emulated` times the real source (the first thread count
// then also pays for compiling any variant not cached yet).
// Run after `npx tsc` (imports from dist/):
//   node bench/dse.bench.mjs [--model lenet] [--budget 300] [--images 1000] [--latency macs] [--threads 1,2]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeRun } from '../dist/explore/run/execute.js';
import { planRun } from '../dist/explore/run/plan.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const model = arg('--model', 'lenet');
const budget = arg('--budget', '300');
const images = arg('--images', '1000');
const latency = arg('--latency', 'macs');
const threadCounts = arg('--threads', '1,2').split(',').map(Number);

/** Seconds from the start of the run to the end of its search phase, and points evaluated. */
async function searchRate(threads) {
  const out = mkdtempSync(join(tmpdir(), 'dse-bench-'));
  const plan = planRun({ model, budget, images, fullImages: images, latency, threads: String(threads), seedGrid: false, out, id: 'bench', population: '50', seed: '1' });
  const t0 = performance.now();
  let searchEnd = null;
  let evaluated = 0;
  const progress = {
    update(e) {
      if (e.phase === 'search') {
        evaluated = e.evaluated;
        if (e.done >= e.total) searchEnd ??= performance.now();
      }
    },
    end() {},
  };
  const outcome = await executeRun(plan, { progress });
  const seconds = ((searchEnd ?? performance.now()) - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  return { threads, evaluated, seconds, rate: evaluated / seconds, pool: outcome.pool, latency: outcome.analysis.reference?.latency ?? '?' };
}

const results = [];
for (const t of threadCounts) {
  const r = await searchRate(t);
  results.push(r);
  process.stderr.write(`${model}: ${r.threads} thread(s): ${r.evaluated} configurations in ${r.seconds.toFixed(1)} s = ${r.rate.toFixed(2)}/s (${r.pool})\n`);
}
const base = results[0].rate;
console.log(`model ${model}, NSGA-II budget ${budget}, ${images} images per configuration, latency: ${results[0].latency}`);
console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}`);
console.log('| threads | configurations | seconds | configurations/s | scaling vs 1st |');
console.log('|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.threads} | ${r.evaluated} | ${r.seconds.toFixed(1)} | ${r.rate.toFixed(2)} | ${(r.rate / base).toFixed(2)}x |`);
const per1000 = 1000 / results[results.length - 1].rate;
console.log(`projected search time for 1,000 configurations at ${results[results.length - 1].threads} threads: ${(per1000 / 60).toFixed(1)} min`);
