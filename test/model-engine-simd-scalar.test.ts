import { describe, expect, test } from 'vitest';
import { createEngine } from '../src/model/engine/index.js';
import { cifarInputs, loadModel } from './helpers/engine-fixtures.js';

describe('WASM SIMD path == scalar oracle on the real models', () => {
  test.each(['lenet', 'resnet8'] as const)('%s: identical output bytes on 12 test images', (name) => {
    const g = loadModel(name);
    const { inputs } = cifarInputs(name, 12);
    const w = createEngine(g, { backend: 'wasm' });
    const s = createEngine(g, { backend: 'scalar' });
    expect(w.backend).toBe('wasm');
    for (const x of inputs) expect(Array.from(w.run(x))).toEqual(Array.from(s.run(x)));
  });

  test('multiply-accumulates per inference', () => {
    expect(createEngine(loadModel('lenet')).macs).toBe(4548608);
    expect(createEngine(loadModel('resnet8')).macs).toBe(12501632);
  });

  test('top-1 on the first 1,000 test images (ArmNN CpuRef, float-based: 71.3 % / 76.5 %)', () => {
    for (const [name, expected] of [['lenet', 715], ['resnet8', 765]] as const) {
      const { inputs, labels } = cifarInputs(name, 1000);
      const pred = createEngine(loadModel(name)).classify(inputs);
      let correct = 0;
      pred.forEach((p, i) => {
        if (p === labels[i]) correct++;
      });
      expect([name, correct]).toEqual([name, expected]);
    }
  });

  test('ResNet-8 int8 softmax is within one step of the float softmax of its own logits', () => {
    const g = loadModel('resnet8');
    const sm = g.ops[g.ops.length - 1];
    expect(sm.kind).toBe('SOFTMAX');
    // Truncate the graph before the softmax to read the int8 logits.
    const logitsGraph = { ...g, ops: g.ops.slice(0, -1), outputs: [sm.inputs[0]] };
    const logitScale = g.tensors[sm.inputs[0]].quant!.scale[0];
    const logitZp = g.tensors[sm.inputs[0]].quant!.zeroPoint[0];
    const full = createEngine(g);
    const logits = createEngine(logitsGraph);
    const { inputs } = cifarInputs('resnet8', 20);
    let exact = 0;
    let total = 0;
    for (const x of inputs) {
      const l = Array.from(new Int8Array(logits.run(x).buffer));
      const out = Array.from(new Int8Array(full.run(x).buffer));
      const m = Math.max(...l);
      const e = l.map((v) => Math.exp((v - m) * logitScale));
      const sum = e.reduce((a, b) => a + b, 0);
      e.forEach((v, i) => {
        const want = Math.min(127, Math.round((v / sum) * 256) - 128);
        expect(Math.abs(out[i] - want)).toBeLessThanOrEqual(1);
        if (out[i] === want) exact++;
        total++;
      });
      void logitZp;
    }
    expect(total).toBe(200);
    expect(exact).toBeGreaterThanOrEqual(190);
  });
});
