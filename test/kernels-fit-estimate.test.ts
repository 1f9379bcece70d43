import { describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { compilerActivity } from '../src/kernels/compile/compile.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { defaultEmitters } from '../src/kernels/emitters.js';
import { assembleNetwork } from '../src/kernels/network/assemble.js';
import { buildNetwork } from '../src/kernels/network/build.js';
import {
  CODE_BYTES_PER_STATEMENT, ESTIMATE_RATIO, RUNTIME_FLASH_BYTES, UNIT_CODE_BYTES, estimateNetworkSize, fitVerdict, statementCount, unitFlashEstimate,
} from '../src/kernels/network/size-estimate.js';
import { STACK_RESERVE } from '../src/emulator/machine.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import type { Graph } from '../src/model/ir.js';
import { resolveModel } from '../src/model/registry.js';
import { SimDseError } from '../src/util/errors.js';
import { GraphBuilder } from './helpers/engine-fixtures.js';
import { generatedModels } from './helpers/generated-models.js';
import { randomInts } from './helpers/synthetic-graphs.js';

/** [1,n] -> FULLY_CONNECTED to `out` (n x out int8 weights). */
function wideFc(n: number, out: number): Graph {
  const b = new GraphBuilder();
  const x = b.tensor([1, n], 'int8', 0.5, 0);
  const w = b.tensor([out, n], 'int8', 0.01, 0, randomInts(n * out, 7));
  const bias = b.tensor([out], 'int32', null, 0, new Array<number>(out).fill(0));
  const y = b.tensor([1, out], 'int8', 1, 0);
  b.op({ kind: 'FULLY_CONNECTED', inputs: [x, w, bias], outputs: [y], activation: 'NONE', keepNumDims: false });
  return b.graph(x, y);
}

/** [1,32,32,3] -> 1x1 CONV_2D to `oc` channels: a 32 * 32 * oc byte output. */
function wideConv(oc: number): Graph {
  const b = new GraphBuilder();
  const x = b.tensor([1, 32, 32, 3], 'int8', 0.5, 0);
  const f = b.tensor([oc, 1, 1, 3], 'int8', 0.01, 0, randomInts(3 * oc, 8));
  const bias = b.tensor([oc], 'int32', null, 0, new Array<number>(oc).fill(0));
  const y = b.tensor([1, 32, 32, oc], 'int8', 1, 0);
  b.op({ kind: 'CONV_2D', inputs: [x, f, bias], outputs: [y], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 'NONE' });
  return b.graph(x, y);
}

describe('size estimate before compiling', () => {
  it('a unit: the unpacked planner\'s byte estimate from its header, else constant tables plus code', () => {
    expect(unitFlashEstimate({ name: 'layer_3.c', code: '/* sim-dse unpacked CONV_2D layer (operator 3): 12 multiply-accumulate sites, structure x, estimate 900 cycles, 4242 bytes. */' })).toBe(4242);
    const c = 'static const int8_t w[100] __attribute__((aligned(4))) = {0};\nstatic const int32_t b[10] = {0};\nstatic const uint16_t t[3] = {0};';
    expect(unitFlashEstimate({ name: 'layer_1.c', code: c })).toBe(UNIT_CODE_BYTES + 100 + 40 + 6);
    // code: the statements of function bodies (a library kernel counts for its size)
    const body = Array.from({ length: 40 }, (_, k) => `  acc += x[${k}]; /* ; */ // ;`).join('\n');
    const fn = `static const int32_t k[4] = { 1, 2, 3, 4 };\nint f(const int *x) {\n  int acc = 0;\n  const char *s = "a;b;";\n${body}\n  for (;;) { if (acc) break; }\n  return acc + ';';\n}\n`;
    expect(statementCount(fn)).toBe(1 + 1 + 40 + 2 + 1 + 1);
    expect(unitFlashEstimate({ name: 'snn_x.c', code: fn })).toBe(46 * CODE_BYTES_PER_STATEMENT + 16);
    // a unit that states its code size (a depthwise layer on the plane path) counts that instead of UNIT_CODE_BYTES
    expect(unitFlashEstimate({ name: 'snn_x.c', code: `/*\n * (flash estimate: 5000 bytes of code)\n */\n${c}` })).toBe(5000 + 100 + 40 + 6);
  });

  it('SRAM: arena, scratch, input and output buffers and the stack reserve, exactly as planned', () => {
    const source = assembleNetwork(prepareGraph(wideConv(8)), { style: 'baseline' }, defaultEmitters());
    const e = estimateNetworkSize(source);
    expect(e.buffers).toBe(3072 + 8192);
    expect(e.stack).toBe(STACK_RESERVE);
    expect(e.sram).toBe(e.arena + e.scratch + 3072 + 8192 + STACK_RESERVE);
    // headers count in the units that include them
    expect(e.flash).toBe(RUNTIME_FLASH_BYTES + source.sources.filter((u) => !u.name.endsWith('.h')).reduce((s, u) => s + unitFlashEstimate(u), 0));
  });

  it('a network whose output alone exceeds the SRAM is refused before anything is compiled', async () => {
    const board = getBoard('nucleo-f446re');
    const before = compilerActivity().compiled;
    const err = await buildNetwork(prepareGraph(wideConv(128)), { style: 'baseline' }, board, defaultEmitters(), { fitCheck: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimDseError);
    expect((err as SimDseError).kind).toBe('too-large');
    expect((err as SimDseError).message).toMatch(/^test \(baseline kernels\) cannot fit nucleo-f446re \(checked before compiling\): an inference needs \d+ bytes of SRAM \(arena \d+, scratch \d+, input\/output 134144, stack 16384\), nucleo-f446re has 131072$/);
    expect(compilerActivity().compiled).toBe(before);
  });

  it('flash: 983,040 baseline weights cannot fit the 512 KB nucleo-f446re, may fit the 2 MB nucleo-l4r5zi', () => {
    const e = estimateNetworkSize(assembleNetwork(prepareGraph(wideFc(3072, 320)), { style: 'baseline' }, defaultEmitters()));
    expect(e.flash).toBeGreaterThan(983_040);
    const no = fitVerdict(e, getBoard('nucleo-f446re'));
    expect(no.fits).toBe('no');
    expect(no.fits === 'no' && no.region).toBe('flash');
    expect(fitVerdict(e, getBoard('nucleo-l4r5zi')).fits).toBe('yes');
  });

  describe.skipIf(compilerVersion() === null)('calibration (bench/fit-estimate.bench.mjs has the whole set)', () => {
    for (const name of ['mobilenet', 'resnet14'] as const) {
      for (const style of ['baseline', 'unpacked'] as const) {
        it(`${name}, ${style}: estimate / built flash lies within ESTIMATE_RATIO`, async () => {
          const prepared = prepareGraph(resolveModel(generatedModels()[name]).graph);
          const e = estimateNetworkSize(assembleNetwork(prepared, { style }, defaultEmitters()));
          // linked with room in SRAM: the 128x128 model's unpacked stem copies more patches than nucleo-f446re's SRAM holds
          const image = await buildNetwork(prepared, { style }, getBoard('nucleo-f446re'), defaultEmitters(), { roomInSram: true });
          const ratio = e.flash / image.sizes.flash;
          expect(ratio).toBeGreaterThanOrEqual(ESTIMATE_RATIO.min);
          expect(ratio).toBeLessThanOrEqual(ESTIMATE_RATIO.max);
        }, 300_000);
      }
    }
  });
});
