import { describe, expect, test } from 'vitest';
import { planNetwork } from '../src/kernels/network/plan.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import { loadModel } from './helpers/engine-fixtures.js';

describe('network memory plan', () => {
  test('LeNet: float QUANTIZE/DEQUANTIZE stay on the host, RESHAPE is an alias, activations share a 36,000-byte arena', () => {
    const p = planNetwork(prepareGraph(loadModel('lenet')));
    expect(p.layers.map((l) => l.name)).toEqual([
      'conv_2d#1', 'max_pool_2d#2', 'conv_2d#3', 'max_pool_2d#4', 'conv_2d#5', 'fully_connected#7', 'fully_connected#8',
    ]);
    expect([p.inputTensor, p.outputTensor, p.inputBytes, p.outputBytes]).toEqual([12, 20, 3072, 10]);
    // conv#1's 30x30x32 output (28,800 bytes) is the largest; the pooled 15x15x32 goes after it.
    expect(p.layers[0].out).toEqual({ kind: 'arena', offset: 0 });
    expect(p.layers[1].out).toEqual({ kind: 'arena', offset: 28800 });
    expect(p.arenaBytes).toBe(28800 + 7200);
    expect(p.layers[6].out).toEqual({ kind: 'output' });
  });

  test('ResNet-8: the residual input stays live across its branch; 48 KB arena', () => {
    const p = planNetwork(prepareGraph(loadModel('resnet8')));
    expect(p.layers).toHaveLength(15);
    expect(p.layers[0].in0).toEqual({ kind: 'input' });
    const add3 = p.layers.find((l) => l.name === 'add#3')!;
    // conv#0's output (offset 0) is the shortcut added to conv#2's output.
    expect([add3.in0, add3.in1]).toEqual([{ kind: 'arena', offset: 0 }, { kind: 'arena', offset: 32768 }]);
    expect(p.arenaBytes).toBe(3 * 16384);
    expect(p.layers[14]).toMatchObject({ name: 'softmax#15', out: { kind: 'output' } });
  });
});
