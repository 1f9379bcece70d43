#!/usr/bin/env node
// Compiles the project's native libraries with gcc -O3:
//   src/emulator/native/*.c     -> build/native/libsimcycles.so (the cycle model, linked against Debian's libunicorn2)
//   src/model/engine/native/*.c -> build/native/libsimengine.so (the int8 reference engine's native backend)
// Skips a library when it is newer than every source and header of its folder (--force rebuilds).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const libraries = [
  {
    dir: 'src/emulator/native',
    out: 'build/native/libsimcycles.so',
    flags: ['-O3', '-std=c11', '-Wall', '-Wextra'],
    libs: ['-lunicorn'],
    needs: { file: '/usr/include/unicorn/unicorn.h', hint: 'install Debian packages libunicorn2 libunicorn-dev' },
  },
  {
    dir: 'src/model/engine/native',
    out: 'build/native/libsimengine.so',
    // -fwrapv: the int32 accumulators wrap as TFLite's do; ISA variants are chosen per function (target attributes).
    flags: ['-O3', '-std=gnu11', '-fwrapv', '-Wall', '-Wextra', '-Wno-unused-function'],
    libs: ['-lm'],
  },
];

for (const lib of libraries) {
  const dir = join(root, lib.dir);
  const files = readdirSync(dir).filter((f) => f.endsWith('.c') || f.endsWith('.h')).sort();
  const sources = files.filter((f) => f.endsWith('.c')).map((f) => join(dir, f));
  const out = join(root, lib.out);
  const newest = Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs, ...files.map((f) => statSync(join(dir, f)).mtimeMs));
  const fresh = existsSync(out) && statSync(out).mtimeMs >= newest;
  if (fresh && !process.argv.includes('--force')) continue;
  if (lib.needs && !existsSync(lib.needs.file)) {
    console.error(`build-native: ${lib.needs.file} not found; ${lib.needs.hint}`);
    process.exit(1);
  }
  mkdirSync(dirname(out), { recursive: true });
  // Build to a temporary name and rename: a process that has the old library loaded keeps working.
  const tmp = `${out}.${process.pid}.tmp`;
  const args = [...lib.flags, '-fPIC', '-shared', '-o', tmp, ...sources, ...lib.libs];
  try {
    execFileSync(process.env.CC ?? 'cc', args, { stdio: 'inherit' });
  } catch {
    console.error(`build-native: compiling ${lib.dir}/*.c failed (needs a C compiler: apt-get install gcc)`);
    process.exit(1);
  }
  renameSync(tmp, out);
  console.log(`build-native: ${out}`);
}
