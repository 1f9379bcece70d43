#!/usr/bin/env node
// Compiles the native half of the cycle model (src/emulator/native/*.c) into
// build/native/libsimcycles.so, linked against Debian's libunicorn2.
// Skips the compile when the library is newer than every source and header.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'src/emulator/native');
const files = readdirSync(dir).filter((f) => f.endsWith('.c') || f.endsWith('.h')).sort();
const sources = files.filter((f) => f.endsWith('.c')).map((f) => join(dir, f));
const out = join(root, 'build/native/libsimcycles.so');
const newest = Math.max(...files.map((f) => statSync(join(dir, f)).mtimeMs));
const fresh = existsSync(out) && statSync(out).mtimeMs >= newest;
if (!fresh || process.argv.includes('--force')) {
  if (!existsSync('/usr/include/unicorn/unicorn.h')) {
    console.error('build-native: /usr/include/unicorn/unicorn.h not found; install Debian packages libunicorn2 libunicorn-dev');
    process.exit(1);
  }
  mkdirSync(dirname(out), { recursive: true });
  // Build to a temporary name and rename: a process that has the old library loaded keeps working.
  const tmp = `${out}.${process.pid}.tmp`;
  const args = ['-O3', '-std=c11', '-Wall', '-Wextra', '-fPIC', '-shared', '-o', tmp, ...sources, '-lunicorn'];
  try {
    execFileSync(process.env.CC ?? 'cc', args, { stdio: 'inherit' });
  } catch {
    console.error('build-native: compiling src/emulator/native/*.c failed (needs a C compiler: apt-get install gcc)');
    process.exit(1);
  }
  renameSync(tmp, out);
  console.log(`build-native: ${out}`);
}
