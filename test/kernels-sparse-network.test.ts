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

/** Cycles of the sparse layers and of the whole inference (the latter includes baseline layers). */
const ANCHORS: Record<'lenet' | 'resnet8', unknown> = {
  lenet: { exact: [2758863, 5010370, 957149], skipped: [2326112, 3694941, 689891], total: [8943522, 6928324] },
  resnet8: {
    exact: [1601932, 4030441, 4042873, 2073415, 3717290, 587435, 1898302, 3591350, 391266],
    skipped: [1345543, 3119924, 3130188, 1611630, 2732410, 570147, 1402453, 2589360, 351474],
    total: [22354560, 17268743],
  },
};
