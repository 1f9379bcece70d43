#!/usr/bin/env node
// The fuzz suite at scale: runs the fuzz test files (test/*-fuzz-*.test.ts,
// the same mutators, targets and fixed seeds as CI) with 10,000 mutants of
// each kind (a kind's mutants shared among its inputs: two models, two ELFs,
// one log, five store files), then prints per kind: mutants, ok (accepted),
// clean (refused with a SimDseError: one line for the user), crash (any other
// error: a bug), hang (a mutant over 5 s of the process's CPU time, so other
// load on a shared machine does not count; a real hang would stop the run at
// vitest's timeout) and the kind's wall time.
//
//   node bench/fuzz.mjs [--mutants 10000] [--seed 0]
// --seed N moves every kind to other mutants (seed + 1000 N). Exit 1 on any crash or hang.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const mutants = Number(arg('--mutants', '10000'));
const seed = Number(arg('--seed', '0'));
const tmp = mkdtempSync(join(tmpdir(), 'sim-dse-fuzz-bench-'));
const countsFile = join(tmp, 'counts.jsonl');
const files = ['test/model-fuzz-tflite.test.ts', 'test/emulator-fuzz-elf.test.ts', 'test/firmware-fuzz-log.test.ts', 'test/explore-fuzz-store.test.ts'];

const t0 = Date.now();
const r = spawnSync('npx', ['vitest', 'run', ...files, '--testTimeout', '7200000', '--no-file-parallelism'], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, SIM_DSE_FUZZ_MUTANTS: String(mutants), SIM_DSE_FUZZ_SEED: String(seed), SIM_DSE_FUZZ_COUNTS: countsFile },
});
const wall = (Date.now() - t0) / 1000;
let rows = [];
try {
  rows = readFileSync(countsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
} catch {
  // no counts: vitest failed before any fuzz run finished
}
rmSync(tmp, { recursive: true, force: true });

const byKind = new Map();
for (const c of rows) {
  const kind = c.kind.split(' ')[0];
  const k = byKind.get(kind) ?? { mutants: 0, ok: 0, clean: 0, crash: 0, hang: 0, ms: 0, crashes: [], cleanKinds: {} };
  for (const f of ['mutants', 'ok', 'clean', 'crash', 'hang', 'ms']) k[f] += c[f];
  for (const x of c.crashes) k.crashes.push(`${c.kind} seed ${c.seed} mutant ${x.index}: ${x.error}`);
  for (const x of c.slow) k.crashes.push(`${c.kind} seed ${c.seed} mutant ${x.index}: slow, ${x.ms} ms of CPU`);
  for (const [e, n] of Object.entries(c.cleanKinds)) k.cleanKinds[e] = (k.cleanKinds[e] ?? 0) + n;
  byKind.set(kind, k);
}
const pad = (s, n) => String(s).padStart(n);
console.log(`fuzz: ${mutants} mutants per kind, seed ${seed}, ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores), node ${process.version}`);
console.log(`${'kind'.padEnd(8)} ${pad('mutants', 8)} ${pad('ok', 7)} ${pad('clean', 7)} ${pad('crash', 6)} ${pad('hang', 5)} ${pad('seconds', 8)}  clean errors by kind`);
for (const [kind, k] of byKind) {
  const kinds = Object.entries(k.cleanKinds).sort((a, b) => b[1] - a[1]).map(([e, n]) => `${e} ${n}`).join(', ');
  console.log(`${kind.padEnd(8)} ${pad(k.mutants, 8)} ${pad(k.ok, 7)} ${pad(k.clean, 7)} ${pad(k.crash, 6)} ${pad(k.hang, 5)} ${pad((k.ms / 1000).toFixed(1), 8)}  ${kinds}`);
}
console.log(`wall ${wall.toFixed(0)} s (vitest included); vitest exit ${r.status}`);
for (const k of byKind.values()) for (const c of k.crashes) console.log(`CRASH/HANG ${c}`);
if (r.status !== 0 && byKind.size < 4) process.stdout.write(r.stdout.slice(-4000) + r.stderr.slice(-2000));
const bad = [...byKind.values()].some((k) => k.crash > 0 || k.hang > 0) || r.status !== 0;
process.exitCode = bad ? 1 : 0;
