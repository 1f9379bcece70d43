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
 */
const ANCHORS: Record<'lenet' | 'resnet8', unknown> = {
  lenet: { exact: [2758758, 5010380, 956829], skipped: [2325962, 3695006, 689721], total: [8942165, 6926897] },
  resnet8: {
    exact: [1601902, 4030511, 4042878, 2073460, 3717200, 587550, 1898217, 3591445, 391006],
    skipped: [1345488, 3119929, 3130118, 1611760, 2732395, 570162, 1402468, 2589465, 351249],
    total: [22354195, 17268281],
  },
};
