#!/usr/bin/env node
// The machine's own two-thread ceiling, as a control for run speed-ups: one fixed, perfectly
// parallel, CPU-bound job (the native engine evaluating 1,000 CIFAR-10 images through LeNet
// `--evals` times, no checkpoints, no I/O) run alone, then as two identical processes at once.
// Throughput speed-up = 2 x (alone wall) / (pair wall); 2.00x on two idle physical cores. On a
// shared VM whose vCPUs share physical cores, caches or memory bandwidth with other tenants it is
// lower, and no program's two-thread speed-up can exceed it. Alternates alone / pair for --rounds
// rounds and prints each round and the medians; also the CPU seconds per job (a job that takes
// more CPU time when its neighbour runs is slowed by the hardware, not by waiting).
//
// `--run MODEL` takes a real job instead: one warm `sim-dse run --model MODEL --threads 1` (the
// variant caches in --cache, default $SIM_DSE_CACHE; run once first to warm them), alone and as two
// runs at once (each its own run folder), and in the same round the same run at `--threads 2`. The
// pair gives this workload's own ceiling on this machine (its memory traffic, not the engine's
// alone); the round prints the two-thread run's speed-up over the one-thread run and the share of
// that ceiling it reaches. Wall and CPU seconds of the whole process (start-up included), CPU from
// the kernel's account of the waited child.
// Run after `npm run build`:
//   node bench/machine-scaling.bench.mjs [--rounds 3] [--evals 100]
//   node bench/machine-scaling.bench.mjs --run lenet [--rounds 3] [--cache DIR]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const shared = process.env.SIM_DSE_SHARED ?? join(root, '..', 'shared');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const rounds = arg('--rounds', 3);
const evals = arg('--evals', 100);
const runModel = process.argv.includes('--run') ? process.argv[process.argv.indexOf('--run') + 1] : null;
const cacheIndex = process.argv.indexOf('--cache');
const cache = cacheIndex >= 0 ? process.argv[cacheIndex + 1] : process.env.SIM_DSE_CACHE;
const TICK = 100; // clock ticks per second of /proc stat fields (USER_HZ on Linux)

/**
 * One warm `sim-dse run` at `threads` in a fresh run folder: its wall seconds and CPU seconds (the
 * shell's waited-children CPU from /proc, read after the run exits, so every thread and compiler counts).
 */
function dseRun(threads) {
  const out = mkdtempSync(join(tmpdir(), 'machine-scaling-'));
  const cli = join(root, 'dist', 'cli', 'main.js');
  const script = `"${process.execPath}" "${cli}" run --model ${runModel} --threads ${threads} --out "${out}" --id r >/dev/null 2>"${out}/err" || { cat "${out}/err" >&2; exit 1; }; cat /proc/$$/stat`;
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'], env: cache ? { ...process.env, SIM_DSE_CACHE: cache } : process.env });
    let stat = '';
    child.stdout.on('data', (d) => (stat += d));
    child.on('close', (code) => {
      const wall = (performance.now() - t0) / 1000;
      rmSync(out, { recursive: true, force: true });
      if (code !== 0) return fail(new Error(`sim-dse run --threads ${threads} exited with ${code}`));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      done({ wall, cpu: (Number(f[13]) + Number(f[14])) / TICK });
    });
  });
}

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
} else if (runModel !== null) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ceilings = [];
  const speedups = [];
  for (let r = 0; r < rounds; r++) {
    const alone = await dseRun(1);
    const pair = await Promise.all([dseRun(1), dseRun(1)]);
    const two = await dseRun(2);
    const pairWall = Math.max(...pair.map((p) => p.wall));
    ceilings.push((2 * alone.wall) / pairWall);
    speedups.push(alone.wall / two.wall);
    console.log(
      `round ${r + 1}: --threads 1 alone ${alone.wall.toFixed(1)} s (CPU ${alone.cpu.toFixed(1)} s); two at once ${pairWall.toFixed(1)} s ` +
        `(CPU ${pair.map((p) => p.cpu.toFixed(1)).join(' + ')} s): ceiling ${ceilings.at(-1).toFixed(2)}x; --threads 2 ${two.wall.toFixed(1)} s ` +
        `(CPU ${two.cpu.toFixed(1)} s): speed-up ${speedups.at(-1).toFixed(2)}x, ${((100 * speedups.at(-1)) / ceilings.at(-1)).toFixed(0)} % of the ceiling`,
    );
  }
  console.log(
    `${runModel}, medians of ${rounds}: this workload's two-job ceiling ${median(ceilings).toFixed(2)}x, --threads 2 speed-up ${median(speedups).toFixed(2)}x ` +
      `(${((100 * median(speedups)) / median(ceilings)).toFixed(0)} % of the ceiling)`,
  );
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
