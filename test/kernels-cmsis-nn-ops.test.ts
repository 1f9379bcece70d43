/**
 * sim-dse's glue around Arm's CMSIS-NN on small synthetic graphs: every case
 * of the shared synthetic set (test/helpers/synthetic-graphs.ts) plus the
 * paths CMSIS-NN picks by shape (1x1 stride 1 and stride 2, 1xN, the 3x3
 * depthwise kernel, the optimized depthwise with its buffer), each built as a
 * CMSIS-NN network image and compared byte for byte with the reference engine
 * on several inputs; every layer's scratch as the library's own
 * get_buffer_size states it equals what the glue reserves; a skip mask is
 * refused.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { Machine } from '../src/emulator/machine.js';
import { emitCmsisNnLayer, hasCmsisNnKernel } from '../src/kernels/cmsis-nn/glue.js';
import { findCmsisNn } from '../src/kernels/cmsis-nn/locate.js';
import { buildCmsisNnNetwork } from '../src/kernels/cmsis-nn/network.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import type { NetworkImage } from '../src/kernels/network/build.js';
import { NetworkRunner } from '../src/kernels/network/emulate.js';
import { createEngine } from '../src/model/engine/index.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import { GraphBuilder, i8 } from './helpers/engine-fixtures.js';
import { convCase, randomInts, syntheticCases, type SyntheticCase } from './helpers/synthetic-graphs.js';

const ready = compilerVersion() !== null && findCmsisNn() !== null;
if (!ready) console.warn('kernels-cmsis-nn-ops: arm-none-eabi-gcc or ../shared/third-party/CMSIS-NN missing; skipped');

/** DEPTHWISE_CONV_2D, multiplier 1, k x k, stride 1 SAME. */
function depthwiseCase(name: string, k: number, c: number, seed: number): SyntheticCase {
  const b = new GraphBuilder();
  const x = b.tensor([1, 6, 5, c], 'int8', 0.5, -4);
  const scales = Array.from({ length: c }, (_, i) => 0.05 * (i + 1));
  const f = b.tensor([1, k, k, c], 'int8', scales, new Array<number>(c).fill(0), randomInts(k * k * c, seed), 3);
  const bias = b.tensor([c], 'int32', null, 0, randomInts(c, seed + 1, -300, 300));
  const y = b.tensor([1, 6, 5, c], 'int8', 1.5, 2);
  b.op({ kind: 'DEPTHWISE_CONV_2D', inputs: [x, f, bias], outputs: [y], padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, depthMultiplier: 1, activation: 'RELU6' });
  return { name, graph: b.graph(x, y), inputs: [1, 2].map((s) => i8(randomInts(30 * c, seed + 2 + s))) };
}

/** CONV_2D 1 x k on a one-row input (CMSIS-NN's 1xN path). */
function oneByNCase(): SyntheticCase {
  const b = new GraphBuilder();
  const x = b.tensor([1, 1, 9, 4], 'int8', 0.5, 1);
  const f = b.tensor([3, 1, 3, 4], 'int8', [0.2, 0.1, 0.3], [0, 0, 0], randomInts(36, 91), 0);
  const bias = b.tensor([3], 'int32', null, 0, randomInts(3, 92, -200, 200));
  const y = b.tensor([1, 1, 7, 3], 'int8', 2, -1);
  b.op({ kind: 'CONV_2D', inputs: [x, f, bias], outputs: [y], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 'NONE' });
  return { name: 'CONV_2D 1x3 on a one-row input (1xN path)', graph: b.graph(x, y), inputs: [1, 2].map((s) => i8(randomInts(36, 93 + s))) };
}

function cases(): SyntheticCase[] {
  return [
    ...syntheticCases(),
    convCase({ name: 'CONV_2D 1x1 stride 1 VALID, in_c 8 (1x1 fast path)', h: 4, w: 5, c: 8, oc: 6, k: 1, stride: 1, padding: 'VALID', seed: 81 }),
    convCase({ name: 'CONV_2D 1x1 stride 2 VALID, in_c 12 (1x1 path)', h: 7, w: 7, c: 12, oc: 5, k: 1, stride: 2, padding: 'VALID', seed: 82 }),
    oneByNCase(),
    depthwiseCase('DEPTHWISE_CONV_2D 3x3 multiplier 1, padding 1 (3x3 kernel)', 3, 8, 100),
    depthwiseCase('DEPTHWISE_CONV_2D 5x5 multiplier 1 (optimized kernel with its buffer)', 5, 6, 110),
  ];
}

describe.skipIf(!ready)('CMSIS-NN glue on synthetic graphs equals the engine byte for byte', () => {
  const board = getBoard('nucleo-f446re');
  const all = cases().map((c) => ({ ...c, prepared: prepareGraph(c.graph) }));
  const images: NetworkImage[] = [];
  beforeAll(async () => {
    for (const c of all) images.push(await buildCmsisNnNetwork(c.prepared, board));
  }, 600_000);

  all.forEach((c, i) => {
    test(c.name, () => {
      const image = images[i];
      const engine = createEngine(c.graph);
      const runner = new NetworkRunner(image);
      try {
        for (const input of c.inputs) {
          const trace = engine.trace(input);
          const run = runner.infer(trace.get(image.source.plan.inputTensor)!, false);
          expect(Buffer.from(run.output).toString('hex')).toBe(Buffer.from(trace.get(image.source.plan.outputTensor)!).toString('hex'));
        }
      } finally {
        runner.close();
      }
    });
  });

  test('every layer with a buffer: the library asks for exactly what the glue reserves', () => {
    const checked: string[] = [];
    all.forEach((c, i) => {
      const image = images[i];
      const machine = new Machine(image.image, board, image.image.fileName);
      try {
        for (const op of c.prepared.ops.filter(hasCmsisNnKernel)) {
          const symbol = `layer_${op.opIndex}_buffer_bytes`;
          if (!image.image.symbols.has(symbol)) continue;
          const r = machine.call({ symbol, args: [] });
          if (r.kind === 'fault') throw new Error(r.message);
          expect({ case: c.name, bytes: r.returnValue | 0 }).toEqual({ case: c.name, bytes: emitCmsisNnLayer(op, `layer_${op.opIndex}`).scratchBytes });
          checked.push(`${op.kind}:${r.returnValue | 0}`);
        }
      } finally {
        machine.close();
      }
    });
    // Conv im2col columns, the 1x1 paths (none), the 3x3 depthwise (none), the optimized depthwise, average pool (3 and 8 channels: 4 bytes per channel).
    expect(checked).toContain('depthwise:300');
    expect(checked).toContain('conv:0');
    expect(checked.filter((x) => x.startsWith('avgpool:'))).toEqual(['avgpool:12', 'avgpool:32']);
  });

  test('a skip mask is refused: CMSIS-NN is the exact reference', () => {
    const op = all[0].prepared.ops.find((o) => o.kind === 'conv')!;
    expect(() => emitCmsisNnLayer(op, 'layer_x', new Uint8Array(op.kind === 'conv' ? op.weights.length : 0))).toThrow(/exact reference/);
  });
});

