/**
 * Hash of the cycle model: the emulator's code (decoding, timing tables and
 * rules, this folder) and the compiled native cycle library's bytes. Every
 * cache of emulated cycles keys on it, so a changed model never reads a
 * count the old one computed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hashCodeTree } from '../util/code-hash.js';
import { CYCLES_LIBRARY } from './unicorn/ffi.js';

const EMULATOR_DIR = fileURLToPath(new URL('.', import.meta.url));

let memo: string | undefined;

/** Hash of the cycle model (computed once per thread). */
export function cycleModelHash(): string {
  if (memo === undefined) {
    const h = createHash('sha256');
    hashCodeTree(h, EMULATOR_DIR);
    memo = h.update(readFileSync(CYCLES_LIBRARY)).digest('hex');
  }
  return memo;
}
