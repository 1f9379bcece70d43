#!/usr/bin/env node
// Peak memory of a `sim-dse run` by worker-thread count: runs the built CLI
// (fresh run folder, the shared cache so variants are warm after the first
// run) at each --threads value and samples /proc every 100 ms: the run
// process's RSS (main thread + worker threads share it; VmHWM is the kernel's
// own peak) and the RSS of its child processes (compilers) at the same time.
//
//   node bench/run-memory.mjs [--threads 1,2,16] [--model lenet] [--budget 20] [--images 100] [--full-images 1000] [--cache DIR] [-- extra run options]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const threadList = arg('--threads', '1,2,16').split(',').map(Number);
const extra = process.argv.includes('--') ? process.argv.slice(process.argv.indexOf('--') + 1) : [];
const runArgs = ['--model', arg('--model', 'lenet'), '--budget', arg('--budget', '20'), '--images', arg('--images', '100'), '--full-images', arg('--full-images', '1000'), ...extra];
const cache = arg('--cache', join(root, '.sim-dse-cache'));

const kib = (status, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
const readStatus = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
};
/** Pids whose parent is `pid` (compilers, make). */
function childrenOf(pid) {
  const out = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const s = readStatus(p);
    if (s && Number(/^PPid:\s+(\d+)/m.exec(s)?.[1]) === pid) out.push(Number(p));
  }
  return out;
}

async function measure(threads) {
  const out = mkdtempSync(join(tmpdir(), 'run-memory-'));
  const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'run', ...runArgs, '--threads', String(threads), '--out', out, '--id', 'mem'], {
    env: { ...process.env, SIM_DSE_CACHE: cache },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (c) => (log += c));
  const t0 = performance.now();
  let hwm = 0;
  let peakRss = 0;
  let peakTree = 0;
  let peakThreads = 0;
  const timer = setInterval(() => {
    const s = readStatus(child.pid);
    if (s === null) return;
    const rss = kib(s, 'VmRSS');
    hwm = Math.max(hwm, kib(s, 'VmHWM'));
    peakRss = Math.max(peakRss, rss);
    peakThreads = Math.max(peakThreads, kib(s.replace(/^Threads:\s+(\d+)/m, 'Threads: $1 kB'), 'Threads'));
    const kids = childrenOf(child.pid).reduce((sum, p) => sum + kib(readStatus(p) ?? '', 'VmRSS'), 0);
    peakTree = Math.max(peakTree, rss + kids);
  }, 100);
  const code = await new Promise((r) => child.on('exit', r));
  clearInterval(timer);
  rmSync(out, { recursive: true, force: true });
  if (code !== 0) throw new Error(`run --threads ${threads} exited with ${code}: ${log.slice(-1500)}`);
  return { threads, seconds: (performance.now() - t0) / 1000, hwmMiB: hwm / 1024, peakRssMiB: peakRss / 1024, peakTreeMiB: peakTree / 1024, osThreads: peakThreads };
}

console.log(`sim-dse run ${runArgs.join(' ')}; ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB), node ${process.version}`);
console.log('threads  peak RSS (VmHWM) MiB  peak RSS + compilers MiB  OS threads  wall s');
for (const t of threadList) {
  const m = await measure(t);
  console.log(`${String(t).padStart(7)}  ${m.hwmMiB.toFixed(0).padStart(20)}  ${m.peakTreeMiB.toFixed(0).padStart(24)}  ${String(m.osThreads).padStart(10)}  ${m.seconds.toFixed(0).padStart(6)}`);
}
