#!/usr/bin/env node
// Unicorn 2.0.1's fast memory path and how long a translated block keeps it once a memory hook
// exists: compiles bench/probes/unicorn-tb-lifetime.c against the system libunicorn and prints
// the memory hook's calls per run in each scenario (1,000 = every load on the slow path; a
// handful = TLB fills only, the fast path), then what translating a block again costs. The
// facts the cycle model's block replay rests on (src/emulator/native/cycles.c,
// translate_replayed). Needs gcc and libunicorn-dev (scripts/setup.sh installs both).
//   node bench/unicorn-fast-path.bench.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const source = join(import.meta.dirname, 'probes', 'unicorn-tb-lifetime.c');
const dir = mkdtempSync(join(tmpdir(), 'sim-dse-probe-'));
try {
  const exe = join(dir, 'probe');
  execFileSync('gcc', ['-O2', '-Wall', '-o', exe, source, '-lunicorn'], { stdio: 'inherit' });
  const out = execFileSync(exe, { encoding: 'utf8' }).trim().split('\n');
  console.log('# Unicorn 2.0.1: memory hook calls per run of a 1,000-iteration load loop (1000 = slow path on every load)');
  console.log('| scenario | run 1 | run 2 | run 3 | run 4 |');
  console.log('|---|---:|---:|---:|---:|');
  for (const line of out.filter((l) => !l.startsWith('cost:'))) {
    const [name, counts] = line.split(':');
    console.log(`| ${name} | ${counts.trim().split(/\s+/).join(' | ')} |`);
  }
  for (const line of out.filter((l) => l.startsWith('cost:'))) console.log(line.replace(/^cost:/, 'Cost:'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
