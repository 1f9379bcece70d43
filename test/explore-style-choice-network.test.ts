/**
 * A network image as the DSE's style and placement choice builds it: kernel
 * styles mixed per layer (sparse, unpacked, baseline) under a per-weight
 * skip mask, with layer code in the SRAM2 window, constants in SRAM and the
 * library's code in the window, on nucleo-l4r5zi. Every output equals the
 * reference engine under the same masks (what accuracy was evaluated on),
 * which is what lets the choice ignore accuracy; and the masks are not
 * unit-aligned, so this also shows the sparse kernel runs a weight-granularity
 * mask exactly (a unit is kept unless all four of its weights are skipped).
 */
import { describe, expect, test } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { defaultEmitters } from '../src/kernels/emitters.js';
import type { KernelStyle } from '../src/kernels/network/assemble.js';
import { buildNetwork } from '../src/kernels/network/build.js';
import { NetworkRunner } from '../src/kernels/network/emulate.js';
import { formatPlacement, parsePlace } from '../src/kernels/placement/placement.js';
import { createEngine } from '../src/model/engine/index.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import { cifarInputs, loadModel, randomMasks } from './helpers/engine-fixtures.js';

const IMAGES = 4;
const graph = loadModel('lenet');
const masks = randomMasks(graph, 0.15, 3);

describe.skipIf(compilerVersion() === null)('LeNet, styles mixed per layer, placed, masked per weight', () => {
  test('every output equals the engine under the same masks', async () => {
    const styles = new Map<number, KernelStyle>([
      [1, 'sparse'],
      [3, 'baseline'],
      [5, 'sparse'],
      [7, 'baseline'],
      [8, 'unpacked'],
    ]);
    const place = parsePlace('1:alias/flash,3:flash/sram,5:flash/sram,8:sram/flash,lib:alias');
    if (place.kind !== 'fixed') throw new Error('not fixed');
    const image = await buildNetwork(prepareGraph(graph), { style: 'baseline', masks, layerStyles: styles }, getBoard('nucleo-l4r5zi'), defaultEmitters(), {
      placement: place.placement,
    });
    expect(image.source.layers.filter((l) => styles.has(l.opIndex)).map((l) => `${l.opIndex}:${l.style}`)).toEqual(['1:sparse', '3:baseline', '5:sparse', '7:baseline', '8:unpacked']);
    expect(formatPlacement(image.placement)).toBe('1:alias/flash,3:flash/sram,5:flash/sram,8:sram/flash,lib:alias/flash');
    const engine = createEngine(graph);
    const runner = new NetworkRunner(image);
    try {
      const same: boolean[] = [];
      for (const input of cifarInputs('lenet', IMAGES).inputs) {
        const trace = engine.trace(input, masks);
        const run = runner.infer(trace.get(image.source.plan.inputTensor)!);
        same.push(Buffer.from(run.output).equals(Buffer.from(trace.get(image.source.plan.outputTensor)!)));
      }
      expect(same).toEqual(Array(IMAGES).fill(true));
      // the masks change the result: the exact engine's logits differ on at least one image
      const exact = cifarInputs('lenet', IMAGES).inputs.map((x) => Buffer.from(engine.trace(x).get(image.source.plan.outputTensor)!));
      const masked = cifarInputs('lenet', IMAGES).inputs.map((x) => Buffer.from(engine.trace(x, masks).get(image.source.plan.outputTensor)!));
      expect(exact.some((e, i) => !e.equals(masked[i]))).toBe(true);
    } finally {
      runner.close();
    }
  }, 900_000);
});
