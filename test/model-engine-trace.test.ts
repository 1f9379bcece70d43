import { describe, expect, test } from 'vitest';
import { createEngine } from '../src/model/engine/index.js';
import { cifarInputs, loadModel } from './helpers/engine-fixtures.js';

describe('engine trace', () => {
  test('LeNet: keeps every activation; the input and output equal run()', () => {
    const g = loadModel('lenet');
    const { inputs } = cifarInputs('lenet', 1);
    const engine = createEngine(g);
    const t = engine.trace(inputs[0]);
    // Every non-constant tensor is kept: 1 graph input + one output per operator.
    expect(t.size).toBe(1 + g.ops.length);
    expect(Array.from(t.get(g.inputs[0])!)).toEqual(Array.from(inputs[0]));
    expect(Array.from(t.get(g.outputs[0])!)).toEqual(Array.from(engine.run(inputs[0])));
    // QUANTIZE turns the 32x32x3 float input into 3072 int8 values.
    expect(t.get(g.ops[0].outputs[0])!.byteLength).toBe(3072);
  });
});
