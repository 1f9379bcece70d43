/**
 * The baseline kernel library's C files (src/kernels/c/snn*.h and snn_*.c),
 * read from disk in name order, so that every image using baseline layers
 * compiles them and every content hash of such an image covers them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CSource } from '../compile/compile.js';
import { KERNEL_C_DIR } from '../compile/compile.js';

let cached: readonly CSource[] | undefined;

/** The library's sources: its headers (not compiled, hashed) and its .c files, sorted by name. */
export function baselineLibrarySources(): CSource[] {
  if (cached === undefined) {
    const names = readdirSync(KERNEL_C_DIR)
      .filter((n) => /^snn.*\.h$/.test(n) || /^snn_.*\.c$/.test(n))
      .sort();
    cached = names.map((name) => ({ name, code: readFileSync(join(KERNEL_C_DIR, name), 'utf8') }));
  }
  return [...cached];
}
