/**
 * Paged overlays: an unpacked layer placed `overlay` is cut into pages of
 * about 16 KiB, each a loop over every output position for some of its
 * channels, which the layer loads into the L4R5 SRAM2 window one after
 * another. So layers far larger than the 64 KiB window run from it at zero
 * wait states; on nucleo-l4r5zi the exact unpacked LeNet conv_2d#3 and
 * ResNet-8 conv_2d#5 and #9 then take fewer cycles than the baseline loop
 * kernel placed at its best (the library in the window, constants in SRAM),
 * copies included. Outputs equal the reference engine byte for byte; cycles
 * are exact anchors of the cycle model.
 */
import { describe, expect, test } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { defaultEmitters } from '../src/kernels/emitters.js';
import type { KernelStyle } from '../src/kernels/network/assemble.js';
import { buildNetwork } from '../src/kernels/network/build.js';
import { NetworkRunner } from '../src/kernels/network/emulate.js';
import { splitPages } from '../src/kernels/placement/pages.js';
import { parsePlace, type Placement } from '../src/kernels/placement/placement.js';
import { createEngine } from '../src/model/engine/index.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import { cifarInputs, loadModel, randomMasks } from './helpers/engine-fixtures.js';

const fixed = (text: string): Placement => {
  const r = parsePlace(text);
  if (r.kind !== 'fixed') throw new Error('not a fixed placement');
  return r.placement;
};

describe('splitPages', () => {
  test('consecutive items up to the limit per page; an item over the limit alone', () => {
    expect(splitPages([5, 5, 5], 10)).toEqual([[0, 1], [2]]);
    expect(splitPages([12, 3, 4, 9], 10)).toEqual([[0], [1, 2], [3]]);
    expect(splitPages([], 10)).toEqual([]);
  });
});

interface Placed {
  /** Warm cycles of image 0, per layer by operator index. */
  readonly layer: ReadonlyMap<number, number>;
  /** Images whose output equals the engine's. */
  readonly same: number;
  /** Overlay pages by layer unit, and the overlay region's bytes. */
  readonly pages: ReadonlyMap<string, number>;
  readonly region: number;
}

/**
 * Builds `model` on nucleo-l4r5zi with `unpacked` layers unpacked (the rest baseline) and `place`, under
 * random per-weight masks of `skipped` (seed 5) when given; runs `images` test images.
 */
async function runPlaced(model: 'lenet' | 'resnet8', unpacked: readonly number[], place: string, images: number, skipped?: number): Promise<Placed> {
  const graph = loadModel(model);
  const prepared = prepareGraph(graph);
  const engine = createEngine(graph);
  const layerStyles = new Map<number, KernelStyle>(unpacked.map((i) => [i, 'unpacked']));
  const masks = skipped === undefined ? undefined : randomMasks(graph, skipped, 5);
  const image = await buildNetwork(prepared, { style: 'baseline', layerStyles, ...(masks ? { masks } : {}) }, getBoard('nucleo-l4r5zi'), defaultEmitters(), {
    placement: fixed(place),
  });
  const runner = new NetworkRunner(image);
  try {
    let same = 0;
    let first: readonly number[] | null = null;
    for (const [k, input] of cifarInputs(model, images).inputs.entries()) {
      const trace = engine.trace(input, masks);
      const run = runner.infer(trace.get(image.source.plan.inputTensor)!, k === 0);
      first ??= run.layerCycles;
      if (Buffer.from(run.output).equals(Buffer.from(trace.get(image.source.plan.outputTensor)!))) same++;
    }
    const lo = image.image.symbols.get('sim_overlay_lo')?.value ?? 0;
    const hi = image.image.symbols.get('sim_overlay_hi')?.value ?? 0;
    const layer = new Map(image.source.layers.map((l, k) => [l.opIndex, first![k]]));
    const pages = new Map(image.source.layers.filter((l) => l.pages !== undefined).map((l) => [l.fn, l.pages!]));
    return { layer, same, pages, region: hi - lo };
  } finally {
    runner.close();
  }
}

describe.skipIf(compilerVersion() === null)('paged overlays on nucleo-l4r5zi', () => {
  test('LeNet conv_2d#3 unpacked in 32 pages: output = engine, fewer cycles than the baseline at its best placement', async () => {
    const paged = await runPlaced('lenet', [3], '3:overlay/sram', 5);
    expect(paged.same).toBe(5);
    expect(paged.pages).toEqual(new Map([['layer_3', 32]]));
    expect(paged.region).toBe(8960);
    const baseline = await runPlaced('lenet', [], 'lib:alias,3:flash/sram', 1);
    expect([paged.layer.get(3), baseline.layer.get(3)]).toEqual([3597752, 4440287]);
    expect(paged.layer.get(3)!).toBeLessThan(baseline.layer.get(3)!);
  }, 900_000);

  test('ResNet-8 conv_2d#5 and #9 unpacked as paged overlays: output = engine, fewer cycles than the baseline at its best placement', async () => {
    const paged = await runPlaced('resnet8', [5, 9], '5:overlay/sram,9:overlay/sram', 3);
    expect(paged.same).toBe(3);
    expect(paged.pages).toEqual(new Map([['layer_5', 16], ['layer_9', 22]]));
    const baseline = await runPlaced('resnet8', [], 'lib:alias,5:flash/sram,9:flash/sram', 1);
    const pair = (op: number): number[] => [paged.layer.get(op)!, baseline.layer.get(op)!];
    expect([pair(5), pair(9)]).toEqual([
      [2628715, 3145967],
      [2718945, 3029306],
    ]);
    for (const op of [5, 9]) expect(paged.layer.get(op)!).toBeLessThan(baseline.layer.get(op)!);
  }, 900_000);

  test('LeNet conv_2d#3 paged under a 30 % per-weight mask: output = engine under the same masks, fewer pages and cycles than exact', async () => {
    const masked = await runPlaced('lenet', [3], '3:overlay/sram', 5, 0.3);
    expect(masked.same).toBe(5);
    // a pair is left out only when both its weights are skipped: about 9 % of them here
    expect([masked.pages.get('layer_3'), masked.layer.get(3)]).toEqual([23, 3370062]);
  }, 900_000);
});
