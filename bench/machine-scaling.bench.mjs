#!/usr/bin/env node
// The machine's own two-thread ceiling, as a control for run speed-ups: one fixed, perfectly
// parallel, CPU-bound job (the native engine evaluating 1,000 CIFAR-10 images through LeNet
// `--evals` times, no checkpoints, no I/O) run alone, then as two identical processes at once.
// Throughput speed-up = 2 x (alone wall) / (pair wall); 2.00x on two idle physical cores. On a
// shared VM whose vCPUs share physical cores, caches or memory bandwidth with other tenants it is
// lower, and no program's two-thread speed-up can exceed it. Alternates alone / pair for --rounds
// rounds and prints each round and the medians; also the CPU seconds per job (a job that takes
// more CPU time when its neighbour runs is slowed by the hardware, not by waiting).
// Run after `npm run build`:
//   node bench/machine-scaling.bench.mjs [--rounds 3] [--evals 100]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const shared = process.env.SIM_DSE_SHARED ?? join(root, '..', 'shared');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const rounds = arg('--rounds', 3);
const evals = arg('--evals', 100);

if (process.argv.includes('--job')) {
  const { importTflite } = await import('../dist/model/tflite/import.js');
  const { createEngine, createSession } = await import('../dist/model/engine/index.js');
  const { loadCifar10 } = await import('../dist/model/dataset/cifar10.js');
  const { modelInputs } = await import('../dist/model/dataset/preprocess.js');
  const { preprocessFromInput } = await import('../dist/model/registry.js');
  const graph = importTflite(new Uint8Array(readFileSync(join(shared, 'models', 'lenet-cifar10-int8.tflite'))), 'lenet');
  const test = modelInputs(loadCifar10({ dir: join(shared, 'datasets', 'cifar10'), split: 'test' }), graph, preprocessFromInput(graph), 1000);
  const images = Array.from({ length: test.count }, (_, i) => test.input(i));
  const session = createSession(createEngine(graph, { backend: 'native' }), images, { maxCacheBytes: 0 });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let e = 0; e < evals; e++) session.evaluate();
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ cpu: (c.user + c.system) / 1e6, wall: (performance.now() - t0) / 1000 }));
} else {
  /** Runs `n` jobs at once; the longest job's wall seconds of evaluation (start-up excluded), and each job's CPU seconds. */
  const jobs = (n) =>
    new Promise((done) => {
      const cpu = [];
      let wall = 0;
      let left = n;
      for (let i = 0; i < n; i++) {
        const child = spawn(process.execPath, [import.meta.filename, '--job', '--evals', String(evals)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('close', () => {
          const job = JSON.parse(out);
          cpu.push(job.cpu);
          wall = Math.max(wall, job.wall);
          if (--left === 0) done({ wall, cpu });
        });
      }
    });
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ratios = [];
  const alone = [];
  const pair = [];
  for (let r = 0; r < rounds; r++) {
    const a = await jobs(1);
    const p = await jobs(2);
    alone.push(a);
    pair.push(p);
    ratios.push((2 * a.wall) / p.wall);
    console.log(`round ${r + 1}: alone ${a.wall.toFixed(2)} s (CPU ${a.cpu[0].toFixed(2)} s), two at once ${p.wall.toFixed(2)} s (CPU ${p.cpu.map((c) => c.toFixed(2)).join(' + ')} s): throughput ${ratios.at(-1).toFixed(2)}x`);
  }
  const cpuAlone = median(alone.map((a) => a.cpu[0]));
  const cpuPair = median(pair.flatMap((p) => p.cpu));
  console.log(`median throughput speed-up of two jobs: ${median(ratios).toFixed(2)}x (2.00x = two free cores); CPU seconds per job alone ${cpuAlone.toFixed(2)}, beside another ${cpuPair.toFixed(2)} (${((cpuPair / cpuAlone - 1) * 100).toFixed(0)} % more)`);
}
