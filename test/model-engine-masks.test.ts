import { describe, expect, test } from 'vitest';
import { createEngine, type Backend } from '../src/model/engine/index.js';
import type { Graph, SkipMask } from '../src/model/ir.js';
import { cifarInputs, GraphBuilder, i8, loadModel, randomMasks, vals } from './helpers/engine-fixtures.js';

/** The graph with every masked weight byte of the file set to 0. */
function zeroed(graph: Graph, masks: Map<number, SkipMask>): Graph {
  const tensors = graph.tensors.map((t) => t);
  for (const [opIndex, mask] of masks) {
    const op = graph.ops.find((o) => o.index === opIndex)!;
    const t = graph.tensors[op.inputs[1]];
    const data = t.data!.slice();
    mask.forEach((m, i) => {
      if (m !== 0) data[i] = 0;
    });
    tensors[t.index] = { ...t, data };
  }
  return { ...graph, tensors };
}

const backends: Backend[] = ['native', 'wasm', 'scalar'];

describe('masked weights equal zeroed weights', () => {
  test.each(backends)('hand-built conv with input zero point and bias (%s)', (backend) => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 3, 3, 2], 'int8', 0.5, 7);
    const f = b.tensor([2, 2, 2, 2], 'int8', [0.5, 0.25], [0, 0], [1, -2, 3, 4, -5, 6, 7, 8, 9, 10, -11, 12, 13, 14, 15, -16], 0);
    const bias = b.tensor([2], 'int32', null, 0, [100, -50]);
    const y = b.tensor([1, 2, 2, 2], 'int8', 0.25, -3);
    b.op({ kind: 'CONV_2D', inputs: [x, f, bias], outputs: [y], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 'NONE' });
    const g = b.graph(x, y);
    const input = i8([1, -2, 3, 4, -5, 6, 7, 8, 9, 10, 11, -12, 13, 14, 15, 16, 17, 18]);
    const mask = Uint8Array.from([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0]);
    const masks = new Map([[0, mask]]);
    const masked = vals(createEngine(g, { backend }).run(input, masks));
    const reference = vals(createEngine(zeroed(g, masks), { backend }).run(input));
    expect(masked).toEqual(reference);
    // by hand: accumulators 114, -278, -50, 202, 288, -70, 250, -302 (+ bias); channel 1 halved; zero point -3
    expect(masked).toEqual([111, -128, -53, 98, 127, -38, 127, -128]);
    // all-ones mask: only bias survives: 100 * 1 + (-3) = 97; -50 * 0.5 = -25 + (-3) = -28
    const all = vals(createEngine(g, { backend }).run(input, new Map([[0, new Uint8Array(16).fill(1)]])));
    expect(all).toEqual([97, -28, 97, -28, 97, -28, 97, -28]);
  });

  test.each(backends)('depthwise and fully connected (%s)', (backend) => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 2, 2, 2], 'int8', 0.5, -1);
    const f = b.tensor([1, 2, 2, 2], 'int8', 0.5, 0, [1, 2, 3, 4, 5, 6, 7, 8], 3);
    const d = b.tensor([1, 1, 1, 2], 'int8', 0.25, 0);
    const w = b.tensor([2, 2], 'int8', 0.25, 0, [3, -4, 5, 6]);
    const y = b.tensor([1, 2], 'int8', 0.125, 2);
    b.op({ kind: 'DEPTHWISE_CONV_2D', inputs: [x, f, -1], outputs: [d], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, depthMultiplier: 1, activation: 'NONE' });
    b.op({ kind: 'FULLY_CONNECTED', inputs: [d, w, -1], outputs: [y], activation: 'NONE', keepNumDims: false });
    const g = b.graph(x, y);
    const input = i8([0, 1, 2, 3, -1, -2, 4, 4]);
    const masks = new Map([
      [0, Uint8Array.from([0, 1, 1, 0, 0, 0, 0, 1])],
      [1, Uint8Array.from([1, 0, 0, 0])],
    ]);
    const e = createEngine(g, { backend });
    expect(vals(e.run(input, masks))).toEqual(vals(createEngine(zeroed(g, masks), { backend }).run(input)));
    // by hand: depthwise gives [36, 10] masked ([45, 54] exact); FC halves and adds 2
    expect(vals(e.run(input, masks))).toEqual([-18, 122]);
    expect(vals(e.run(input))).toEqual([-38, 127]);
  });

  test.each(backends)('vector depthwise (8 channels, SAME stride 2) (%s)', (backend) => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 5, 5, 8], 'int8', 0.5, 3);
    const fw: number[] = [];
    for (let i = 0; i < 72; i++) fw.push(((i * 29) % 31) - 15);
    const f = b.tensor([1, 3, 3, 8], 'int8', [0.5, 0.25, 0.125, 0.5, 0.75, 0.5, 0.25, 0.5], new Array<number>(8).fill(0), fw, 3);
    const bias = b.tensor([8], 'int32', null, 0, [1, -2, 3, -4, 5, -6, 7, -8]);
    const y = b.tensor([1, 3, 3, 8], 'int8', 1.5, -7);
    b.op({ kind: 'DEPTHWISE_CONV_2D', inputs: [x, f, bias], outputs: [y], padding: 'SAME', strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, depthMultiplier: 1, activation: 'RELU6' });
    const g = b.graph(x, y);
    const inp: number[] = [];
    for (let i = 0; i < 200; i++) inp.push(((i * 37) % 256) - 128);
    const input = i8(inp);
    const mask = new Uint8Array(72);
    for (let i = 0; i < 72; i += 3) mask[i] = 1;
    const masks = new Map([[0, mask]]);
    const got = vals(createEngine(g, { backend }).run(input, masks));
    expect(got).toEqual(vals(createEngine(zeroed(g, masks), { backend: 'scalar' }).run(input)));
    expect(got).not.toEqual(vals(createEngine(g, { backend: 'scalar' }).run(input)));
  });

  test.each(backends)('real models, a quarter of every layer skipped, 4 images (%s)', (backend) => {
    for (const name of ['lenet', 'resnet8'] as const) {
      const g = loadModel(name);
      const masks = randomMasks(g, 0.25, 99);
      const { inputs } = cifarInputs(name, 4);
      const e = createEngine(g, { backend });
      const z = createEngine(zeroed(g, masks), { backend });
      for (const x of inputs) expect(Array.from(e.run(x, masks))).toEqual(Array.from(z.run(x)));
    }
  });

  test('switching masks repacks; an all-zero mask equals no mask', () => {
    const g = loadModel('resnet8');
    const { inputs } = cifarInputs('resnet8', 2);
    const m1 = randomMasks(g, 0.5, 1);
    const m2 = randomMasks(g, 0.1, 2);
    const e = createEngine(g);
    const fresh = (m?: Map<number, SkipMask>): number[] => Array.from(createEngine(g).run(inputs[1], m));
    const exact = Array.from(e.run(inputs[1]));
    expect(Array.from(e.run(inputs[1], m1))).toEqual(fresh(m1));
    // mutate a mask object in place: the engine compares content, not identity
    const mutated = new Map(m1);
    const first = [...m1.keys()][0];
    mutated.set(first, m1.get(first)!);
    m1.get(first)!.fill(0);
    expect(Array.from(e.run(inputs[1], mutated))).toEqual(fresh(mutated));
    expect(Array.from(e.run(inputs[1], m2))).toEqual(fresh(m2));
    const zeros = new Map([...m2].map(([k, v]) => [k, new Uint8Array(v.length)]));
    expect(Array.from(e.run(inputs[1], zeros))).toEqual(exact);
    expect(Array.from(e.run(inputs[1]))).toEqual(exact);
    expect(Array.from(e.run(inputs[1], m2))).not.toEqual(exact);
  });
});
