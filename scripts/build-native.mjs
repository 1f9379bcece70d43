#!/usr/bin/env node
// Compiles the native half of the cycle model (src/emulator/native/cycles.c)
// into build/native/libsimcycles.so, linked against Debian's libunicorn2.
// Skips the compile when the library is newer than its source.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src/emulator/native/cycles.c');
const out = join(root, 'build/native/libsimcycles.so');
const fresh = existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs;
if (!fresh || process.argv.includes('--force')) {
  if (!existsSync('/usr/include/unicorn/unicorn.h')) {
    console.error('build-native: /usr/include/unicorn/unicorn.h not found; install Debian packages libunicorn2 libunicorn-dev');
    process.exit(1);
  }
  mkdirSync(dirname(out), { recursive: true });
  const args = ['-O3', '-std=c11', '-Wall', '-Wextra', '-fPIC', '-shared', '-o', out, src, '-lunicorn'];
  try {
    execFileSync(process.env.CC ?? 'cc', args, { stdio: 'inherit' });
  } catch {
    console.error('build-native: compiling src/emulator/native/cycles.c failed (needs a C compiler: apt-get install gcc)');
    process.exit(1);
  }
  console.log(`build-native: ${out}`);
}
