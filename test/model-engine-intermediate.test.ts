import { describe, expect, test } from 'vitest';
import { createEngine } from '../src/model/engine/index.js';
import { logitsTensor, truncateAt } from '../src/model/engine/intermediate.js';
import { ModelError } from '../src/model/errors.js';
import type { Graph } from '../src/model/ir.js';
import { cifarInputs, loadModel } from './helpers/engine-fixtures.js';

describe('reading an intermediate tensor (truncateAt, logitsTensor)', () => {
  test('LeNet: the logits are the int8 input of the final DEQUANTIZE; dequantized, they are the model output', () => {
    const g = loadModel('lenet');
    const logits = logitsTensor(g);
    expect(logits).toBe(20);
    const cut = truncateAt(g, logits);
    expect(cut.ops.map((o) => o.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(cut.outputs).toEqual([20]);
    const { scale, zeroPoint } = g.tensors[20].quant!;
    const { inputs } = cifarInputs('lenet', 4);
    const full = createEngine(g);
    const part = createEngine(cut);
    for (const x of inputs) {
      const q = new Int8Array(part.run(x).buffer);
      expect(q.length).toBe(10);
      const dequantized = Float32Array.from(q, (v) => scale[0] * (v - zeroPoint[0]));
      expect(Array.from(dequantized)).toEqual(Array.from(new Float32Array(full.run(x).buffer)));
    }
  });

  test('ResNet-8: the logits are the input of the final SOFTMAX; SOFTMAX of them is the model output', () => {
    const g = loadModel('resnet8');
    const logits = logitsTensor(g);
    expect(logits).toBe(36);
    const cut = truncateAt(g, logits);
    expect(cut.ops.length).toBe(15);
    expect(cut.ops[14].kind).toBe('FULLY_CONNECTED');
    expect(logitsTensor(cut)).toBe(36); // no SOFTMAX or DEQUANTIZE left: the output itself
    const softmaxOp = g.ops[15];
    const softmaxOnly: Graph = { ...g, ops: [softmaxOp], inputs: [36], outputs: [softmaxOp.outputs[0]] };
    const { inputs } = cifarInputs('resnet8', 4);
    const full = createEngine(g);
    const part = createEngine(cut);
    const softmax = createEngine(softmaxOnly);
    for (const x of inputs) {
      const q = part.run(x);
      expect(q.length).toBe(10);
      expect(Array.from(softmax.run(q))).toEqual(Array.from(full.run(x)));
    }
  });

  test('a tensor no operator produces (the graph input) is a ModelError naming it', () => {
    const g = loadModel('resnet8');
    expect(() => truncateAt(g, g.inputs[0])).toThrow(ModelError);
    expect(() => truncateAt(g, g.inputs[0])).toThrow('graph resnet8: no operator produces tensor 0');
  });
});
