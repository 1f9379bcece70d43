#!/usr/bin/env node
// Where each second of a `sim-dse run` goes. Runs the built CLI as a child
// process (fresh run folder; the variant / object / significance caches in
// --cache, so a second call is a warm run) and samples /proc every 200 ms:
// CPU of the child's main thread, of its other threads (accuracy workers
// during search and final phases, firmware build + emulation workers during
// the firmware phase; V8's helper threads are counted with them) and of its
// waited child processes (arm-none-eabi-gcc: compiling). Each sample interval
// is charged to the phase named by the next progress line (a phase's line is
// printed when it ends, and every 10 s).
//
// Serial fraction: the main thread's CPU seconds over all CPU seconds (it
// orchestrates, searches, and emulates layer variants while the workers wait
// or run; counting all of it as serial makes this an upper bound), and the
// speed-up it predicts for N threads by Amdahl's law, 1 / (f + (1 - f) / N).
// CPU time, not wall time, is the measure: the machine is shared.
//
//   node bench/run-profile.mjs [--model lenet] [--threads 2] [--cache DIR] [--cold] [--label warm] [--write]
// --cold starts from an empty --cache (default cache: .sim-dse-cache/profile in the checkout).
// --write records the table in bench/RESULTS.md under "## Run profile" (one line per label).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const model = arg('--model', 'lenet');
const threads = Number(arg('--threads', '2'));
const cache = arg('--cache', join(root, '.sim-dse-cache', 'profile'));
const cold = process.argv.includes('--cold');
const label = arg('--label', cold ? 'cold' : 'warm');
const write = process.argv.includes('--write');
const TICK = 100; // clock ticks per second of /proc stat fields (USER_HZ on Linux)

if (cold) rmSync(cache, { recursive: true, force: true });
const out = mkdtempSync(join(tmpdir(), 'run-profile-'));

/** utime + stime (seconds) of a /proc stat line, and cutime + cstime. */
function statCpu(path) {
  try {
    const s = readFileSync(path, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { self: (Number(f[11]) + Number(f[12])) / TICK, children: (Number(f[13]) + Number(f[14])) / TICK };
  } catch {
    return null;
  }
}

const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'run', '--model', model, '--threads', String(threads), '--out', out, '--id', 'profile'], {
  env: { ...process.env, SIM_DSE_CACHE: cache },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const pid = child.pid;
const t0 = performance.now();
const threadCpu = new Map(); // tid -> last seen CPU seconds
let childrenCpu = 0;
/** Pids of the live processes whose parent is `parent` (started by any of its threads). */
const childPids = (parent) => {
  try {
    return readdirSync(`/proc/${parent}/task`).flatMap((tid) => readFileSync(`/proc/${parent}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
  } catch {
    return [];
  }
};
/** Samples: [seconds since start, main thread CPU, other threads CPU, children CPU]. */
const samples = [];
const sample = () => {
  let main = 0;
  let others = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const c = statCpu(`/proc/${pid}/task/${tid}/stat`);
      if (c !== null) threadCpu.set(tid, c.self);
    }
  } catch {
    // the child has exited
  }
  for (const [tid, s] of threadCpu) {
    if (tid === String(pid)) main = s;
    else others += s;
  }
  // compilers run under a helper process (src/kernels/compile/spawner.ts): the run's waited children
  // (helpers that ended) plus each live child process's own and waited CPU
  const p = statCpu(`/proc/${pid}/stat`);
  if (p !== null) {
    let live = 0;
    for (const kid of childPids(pid)) {
      const c = statCpu(`/proc/${kid}/stat`);
      if (c !== null) live += c.self + c.children;
    }
    childrenCpu = Math.max(childrenCpu, p.children + live);
  }
  samples.push([(performance.now() - t0) / 1000, main, others, childrenCpu]);
};
const timer = setInterval(sample, 200);
/** Progress lines: [seconds, phase]. */
const marks = [];
let log = '';
const onLine = (chunk) => {
  log += chunk;
  for (const line of chunk.toString().split('\n')) {
    const m = /^([a-z][\w-]*) \[[#.]+\] (\d+)\/(\d+)/.exec(line);
    if (m) marks.push([(performance.now() - t0) / 1000, m[1]]);
  }
};
child.stderr.on('data', onLine);
child.stdout.on('data', onLine);
const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
clearInterval(timer);
const wall = (performance.now() - t0) / 1000;
rmSync(out, { recursive: true, force: true });
if (code !== 0) {
  process.stderr.write(log.slice(-2000));
  throw new Error(`run exited with ${code}`);
}

// Charge each sample interval to the phase of the next progress line.
const phases = new Map();
const phaseOf = (t) => marks.find(([m]) => m >= t)?.[1] ?? 'report';
for (let i = 1; i < samples.length; i++) {
  const [t, main, others, kids] = samples[i];
  const [, pm, po, pk] = samples[i - 1];
  const name = phaseOf(t);
  const p = phases.get(name) ?? { wall: 0, main: 0, workers: 0, compile: 0 };
  p.wall += t - samples[i - 1][0];
  p.main += main - pm;
  p.workers += others - po;
  p.compile += kids - pk;
  phases.set(name, p);
}
const total = { wall, main: 0, workers: 0, compile: 0 };
for (const p of phases.values()) for (const k of ['main', 'workers', 'compile']) total[k] += p[k];
const cpuAll = total.main + total.workers + total.compile;
const f = total.main / cpuAll;
const predict = (n) => 1 / (f + (1 - f) / n);

const fmt = (x) => x.toFixed(1);
const rows = [...phases].map(([name, p]) => `| ${label} | ${name} | ${fmt(p.wall)} | ${fmt(p.main)} | ${fmt(p.workers)} | ${fmt(p.compile)} |`);
rows.push(`| ${label} | **all** | **${fmt(wall)}** | **${fmt(total.main)}** | **${fmt(total.workers)}** | **${fmt(total.compile)}** |`);
const summary =
  `${label}: ${model} --threads ${threads}, ${fmt(wall)} s wall, ${fmt(cpuAll)} CPU s (main thread ${fmt(total.main)}, worker threads ${fmt(total.workers)}, ` +
  `compiler processes ${fmt(total.compile)}); serial fraction ${(100 * f).toFixed(1)} %, Amdahl speed-up 2 threads ${predict(2).toFixed(2)}x, 16 threads ${predict(16).toFixed(1)}x; load average ${loadavg()[1].toFixed(1)}`;
console.log('| run | phase | wall s | main thread CPU s | worker threads CPU s | compiler CPU s |\n|---|---|---|---|---|---|');
console.log(rows.join('\n'));
console.log(summary);

if (write) {
  const file = join(root, 'bench', 'RESULTS.md');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\n';
  const head = '## Run profile';
  if (!text.includes(head)) {
    text =
      text.replace(/\n*$/, '\n\n') +
      `${head}\n\n` +
      'Command: `node bench/run-profile.mjs --model lenet --threads T [--cold] --label L --write` (after `npm run build`),\n' +
      `machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, shared with other sessions (load average at the end of each run in its line):\n` +
      'CPU seconds from /proc per thread are the measure; wall seconds include waiting for the other sessions.\n' +
      'Main thread: orchestration, search, significance, layer-variant emulation, report; worker threads: accuracy\n' +
      '(search and final phases) and whole-firmware build + emulation (firmware phase); compiler: arm-none-eabi-gcc processes.\n' +
      'Serial fraction = main-thread CPU / all CPU (an upper bound), prediction = 1 / (f + (1 - f) / N).\n\n' +
      '<!-- run-profile summaries -->\n\n' +
      '| run | phase | wall s | main thread CPU s | worker threads CPU s | compiler CPU s |\n|---|---|---|---|---|---|\n' +
      '<!-- run-profile rows -->\n';
  }
  text = text.replace('<!-- run-profile summaries -->\n', `- ${summary}\n<!-- run-profile summaries -->\n`);
  text = text.replace('<!-- run-profile rows -->\n', `${rows.join('\n')}\n<!-- run-profile rows -->\n`);
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
