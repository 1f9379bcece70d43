import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import type { CallResult } from '../src/emulator/call-types.js';
import { parseElf, type ElfImage } from '../src/emulator/elf.js';
import { Machine } from '../src/emulator/machine.js';
import { compileImage } from '../src/kernels/compile/compile.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { MICROBENCH, expected, runsOn } from './helpers/microbench.js';

/**
 * The ART fetch model has a fast path (native/cycles.c fetch_block: prefetch
 * stalls precomputed per block, streaming blocks insert only the lines that
 * stay cached) and a line-by-line reference walk. They must give the same
 * cycles and fetch stalls in every cache state: cold, warm, code that fits
 * the I-cache, code that thrashes it, partly cached blocks.
 */
const BOARDS = ['nucleo-f446re', 'nucleo-f401re', 'nucleo-l4r5zi', 'nucleo-l476rg'];

/** Loop bodies of 8, 40 and 160 mixing steps (fits the cache, about its size, far larger), and a data-dependent branchy one. */
const SOURCE = `
#include <stdint.h>
#define STEP(x) x = x * 1664525u + 1013904223u; x ^= x >> 13; x += (x << 5) | 7u;
#define R8(x) STEP(x) STEP(x) STEP(x) STEP(x) STEP(x) STEP(x) STEP(x) STEP(x)
#define R40(x) R8(x) R8(x) R8(x) R8(x) R8(x)
#define R160(x) R40(x) R40(x) R40(x) R40(x)
uint32_t loop8(uint32_t x, uint32_t n) { for (uint32_t i = 0; i < n; i++) { R8(x) } return x; }
uint32_t loop40(uint32_t x, uint32_t n) { for (uint32_t i = 0; i < n; i++) { R40(x) } return x; }
uint32_t loop160(uint32_t x, uint32_t n) { for (uint32_t i = 0; i < n; i++) { R160(x) } return x; }
uint32_t branchy(uint32_t x, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (x & 1u) { R40(x) } else if (x & 2u) { R8(x) } else { R160(x) }
  }
  return x;
}
`;

function bothWays(image: ElfImage, board: string, run: (m: Machine) => CallResult): [CallResult, CallResult] {
  const fast = new Machine(image, getBoard(board), 'fast');
  const ref = new Machine(image, getBoard(board), 'reference', { referenceFetch: true });
  try {
    return [run(fast), run(ref)];
  } finally {
    fast.close();
    ref.close();
  }
}

const summary = (r: CallResult): unknown =>
  r.kind === 'ok' ? { cycles: r.cycles, fetchStalls: r.breakdown.fetchStalls, r0: r.returnValue, instructions: r.instructions } : r.message;

describe('ART fetch fast path equals the reference walk', () => {
  it('on every prebuilt microbenchmark, every board, cold and warm', () => {
    for (const [fn, e] of Object.entries(expected)) {
      const path = join(MICROBENCH, e.elf);
      const image = parseElf(readFileSync(path), path);
      for (const board of BOARDS.filter((b) => runsOn(e, b))) {
        for (const warm of [false, true]) {
          const [fast, ref] = bothWays(image, board, (m) => m.call({ symbol: fn, args: e.args }, { warm }));
          expect(summary(fast), `${fn} ${board} warm=${warm}`).toEqual(summary(ref));
        }
      }
    }
  });

  describe.skipIf(compilerVersion() === null)('on compiled loops that fit, fill and thrash the I-cache', () => {
    let image: ElfImage;
    beforeAll(async () => {
      image = parseElf(await compileImage({ sources: [{ name: 'loops.c', code: SOURCE }], board: getBoard('nucleo-f446re') }), 'loops.elf');
    }, 120_000);

    for (const fn of ['loop8', 'loop40', 'loop160', 'branchy']) {
      it(fn, () => {
        let stalls = 0;
        for (const board of BOARDS) {
          for (const warm of [false, true]) {
            for (const args of [[0x12345678, 37], [3, 50], [0xdeadbeef, 11]]) {
              const [fast, ref] = bothWays(image, board, (m) => m.call({ symbol: fn, args }, { warm }));
              expect(fast.kind).toBe('ok');
              expect(summary(fast), `${fn}(${args}) ${board} warm=${warm}`).toEqual(summary(ref));
              if (fast.kind === 'ok') stalls += fast.breakdown.fetchStalls;
            }
          }
        }
        expect(stalls).toBeGreaterThan(0);
      });
    }
  });
});
