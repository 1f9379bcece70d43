/**
 * Whole networks with the sparse kernels (conv layers sparse, the rest
 * baseline) equal the reference engine byte for byte, exact and with 30 % of
 * every conv layer's units skipped, on nucleo-f446re; cycle anchors for the
 * sparse layers and the whole inference.
 */
import { describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { profileNetwork } from '../src/kernels/profile.js';
import { randomSparseMask } from '../src/kernels/sparse/units.js';
import { prepareGraph, type PreparedWeighted } from '../src/model/engine/prepare.js';
import type { SkipMask } from '../src/model/ir.js';
import { cifarInputs, loadModel } from './helpers/engine-fixtures.js';

const HAVE_CC = compilerVersion() !== null;

describe.skipIf(!HAVE_CC)('sparse networks on nucleo-f446re', () => {
  for (const model of ['lenet', 'resnet8'] as const) {
    it(`${model}: every conv layer sparse, the rest baseline; output = engine exact and at 30 % of the units skipped`, async () => {
      const graph = loadModel(model);
      const prepared = prepareGraph(graph);
      const convs = prepared.ops.filter((o): o is PreparedWeighted => o.kind === 'conv');
      const masks = new Map<number, SkipMask>(convs.map((op) => [op.opIndex, randomSparseMask(op, 0.3, op.opIndex + 1)]));
      const [input] = cifarInputs(model, 1).inputs;
      const board = getBoard('nucleo-f446re');
      const exact = (await profileNetwork(graph, { style: 'sparse' }, board, input)).profile;
      const skipped = (await profileNetwork(graph, { style: 'sparse', masks }, board, input)).profile;
      for (const p of [exact, skipped]) {
        expect(p.matchesEngine).toBe(true);
        expect(p.fits).toBe(true);
        expect(p.layers.filter((l) => l.style === 'sparse').map((l) => l.opIndex)).toEqual(convs.map((c) => c.opIndex));
        expect(p.layers.filter((l) => l.style !== 'sparse').every((l) => l.style === 'baseline')).toBe(true);
      }
      const sparseCycles = (p: typeof exact): number[] => p.layers.filter((l) => l.style === 'sparse').map((l) => l.cycles);
      // every conv layer is cheaper with its units skipped
      sparseCycles(skipped).forEach((c, k) => expect(c).toBeLessThan(sparseCycles(exact)[k]));
      expect({ exact: sparseCycles(exact), skipped: sparseCycles(skipped), total: [exact.cycles, skipped.cycles] }).toEqual(ANCHORS[model]);
    }, 900_000);
  }
});

/**
 * Cycles of the sparse layers and of the whole inference (the latter includes baseline layers). Moved by
 * the FC in assembly (branch h13f): the FC layers faster, the sparse layers by tens of cycles (code layout).
 * Moved by the faster sparse pass (branch h12s: widened weights in the SRAM copy, blocks of 8 entered in
 * the middle, requantization written out, 1x1 strided patches sampled): every sparse layer 9 to 51 % faster.
 * Moved by the packed units in the unit's assembly (the C the same for every mask): -90 to +1,073 cycles a
 * layer (the tables' addresses loaded apart, and code layout on the flash lines).
 */
const ANCHORS: Record<'lenet' | 'resnet8', unknown> = {
  lenet: { exact: [1724719, 4092970, 829399], skipped: [1339684, 2930096, 589628], total: [6863291, 5075611] },
  resnet8: {
    exact: [982778, 3172295, 3172283, 1629878, 3044729, 286153, 1574846, 3041892, 230964],
    skipped: [764830, 2318209, 2318129, 1201141, 2179901, 244049, 1134476, 2157118, 186202],
    total: [17556649, 12919759],
  },
};
