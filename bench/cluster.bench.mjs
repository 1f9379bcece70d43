#!/usr/bin/env node
// A cluster run against a local one on the same machine: `sim-dse run ...
// --redis URL` with 2 local workers (`sim-dse worker --threads 1` each, a
// fresh redis-server on a free port of 127.0.0.1) against `sim-dse run ...
// --threads 2`, whole commands timed (wall), alternating, each into a new
// run directory. A first local run warms the caches (variants, objects,
// significance) for all. Before every cluster round Redis is emptied and the
// workers started anew, so no job result is reused. Every store must equal
// the first local run's, byte for byte. Prints the load average around each
// run (the machine may be shared).
// Run after `npm run build` (needs redis-server):
//   node bench/cluster.bench.mjs [--budget 200] [--full-images 2000] [--rounds 1] [--model lenet]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const model = arg('--model', 'lenet');
const rounds = Number(arg('--rounds', '1'));
const runArgs = ['run', '--model', model, '--budget', arg('--budget', '200'), '--full-images', arg('--full-images', '2000'), '--no-seed-grid', '--id', 'bench'];
if (spawnSync('redis-server', ['--version']).status !== 0) {
  console.error('cluster bench: redis-server is not installed (bash scripts/setup.sh)');
  process.exit(1);
}

const root = mkdtempSync(join(tmpdir(), 'cluster-bench-'));
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const url = `redis://127.0.0.1:${port}`;
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', root], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));

/** Runs the CLI to the end; returns wall seconds (throws on failure). */
function timed(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sim-dse ${args.join(' ')}: exit ${r.status}: ${r.stderr.split('\n').filter(Boolean).pop()}`);
  return (performance.now() - t0) / 1000;
}
const store = (dir) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Starts a worker and resolves when it takes jobs. */
function startWorker() {
  const w = spawn(process.execPath, [cli, 'worker', '--redis', url, '--threads', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let text = '';
    w.stderr.on('data', (d) => {
      text += d;
      if (text.includes('queue sim-dse')) resolve(w);
    });
    w.once('exit', (code) => reject(new Error(`worker exited ${code}: ${text}`)));
  });
}

const load = () => loadavg()[0].toFixed(2);
process.stderr.write('warm-up: a local run fills the caches\n');
const warm = join(root, 'warm');
const warmSeconds = timed([...runArgs, '--threads', '2', '--out', warm]);
const reference = store(join(warm, 'bench'));
const seconds = { local: [], cluster: [] };
const loads = [];
try {
  for (let r = 0; r < rounds; r++) {
    const l0 = load();
    const localOut = join(root, `local-${r}`);
    seconds.local.push(timed([...runArgs, '--threads', '2', '--out', localOut]));
    if (!same(store(join(localOut, 'bench')), reference)) throw new Error('a local store differs from the first');

    spawnSync('redis-cli', ['-p', String(port), 'flushall'], { stdio: 'ignore' });
    const workers = await Promise.all([startWorker(), startWorker()]);
    const clusterOut = join(root, `cluster-${r}`);
    try {
      seconds.cluster.push(timed([...runArgs, '--redis', url, '--out', clusterOut]));
    } finally {
      for (const w of workers) w.kill('SIGINT');
      await Promise.all(workers.map((w) => new Promise((res) => (w.exitCode !== null ? res() : w.once('exit', res)))));
    }
    if (!same(store(join(clusterOut, 'bench')), reference)) throw new Error('the cluster store differs from the local one');
    loads.push(`${l0} -> ${load()}`);
    process.stderr.write(`round ${r + 1}: local --threads 2 ${seconds.local[r].toFixed(1)} s, cluster (2 workers x 1 thread) ${seconds.cluster[r].toFixed(1)} s\n`);
  }
} finally {
  redis.kill('SIGTERM');
  rmSync(root, { recursive: true, force: true });
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const points = reference['points.jsonl'].trim().split('\n').length;
console.log(`sim-dse ${runArgs.join(' ')}: ${points} rows, caches warm (warm-up run ${warmSeconds.toFixed(1)} s)`);
console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}; 1-min load average over the rounds: ${loads.join(', ')}; medians of ${rounds} round(s)`);
console.log('| setup | wall seconds | vs local |');
console.log('|---|---|---|');
console.log(`| local, --threads 2 | ${median(seconds.local).toFixed(1)} | 1.00x |`);
console.log(`| 1 coordinator + 2 local workers (--threads 1 each), Redis on 127.0.0.1 | ${median(seconds.cluster).toFixed(1)} | ${(median(seconds.local) / median(seconds.cluster)).toFixed(2)}x |`);
console.log('stores byte-identical to the local run: yes');
