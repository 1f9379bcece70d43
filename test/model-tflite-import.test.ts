import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTflite } from '../src/model/tflite/import.js';
import { sharedDir } from '../src/util/paths.js';

const dir = join(sharedDir() ?? '/nonexistent', 'models');
const have = existsSync(join(dir, 'lenet-cifar10-int8.tflite'));
const load = (file: string, name: string) => importTflite(readFileSync(join(dir, file)), name);
const sha16 = (b: Uint8Array | null) => createHash('sha256').update(b ?? new Uint8Array()).digest('hex').slice(0, 16);
const int8Sum = (b: Uint8Array | null) => new Int8Array(b!.buffer, b!.byteOffset, b!.length).reduce((a, x) => a + x, 0);

describe.skipIf(!have)('importTflite on the real models', () => {
  it('reads LeNet: operators, options, shapes and quantization', () => {
    const g = load('lenet-cifar10-int8.tflite', 'lenet');
    expect(g.name).toBe('lenet');
    expect(g.ops.map((o) => o.kind)).toEqual([
      'QUANTIZE', 'CONV_2D', 'MAX_POOL_2D', 'CONV_2D', 'MAX_POOL_2D', 'CONV_2D', 'RESHAPE',
      'FULLY_CONNECTED', 'FULLY_CONNECTED', 'DEQUANTIZE',
    ]);
    expect(g.tensors.length).toBe(22);
    expect(g.inputs).toEqual([0]);
    expect(g.outputs).toEqual([21]);
    const input = g.tensors[0];
    expect([input.dtype, input.shape, input.quant]).toEqual(['float32', [1, 32, 32, 3], null]);
    expect(g.ops[1]).toEqual({
      index: 1, kind: 'CONV_2D', inputs: [12, 11, 10], outputs: [13], padding: 'VALID',
      strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, activation: 'RELU',
    });
    expect(g.ops[2]).toEqual({
      index: 2, kind: 'MAX_POOL_2D', inputs: [13], outputs: [14], padding: 'VALID',
      strideW: 2, strideH: 2, filterW: 2, filterH: 2, activation: 'NONE',
    });
    expect(g.ops[8]).toEqual({ index: 8, kind: 'FULLY_CONNECTED', inputs: [19, 3, 2], outputs: [20], activation: 'NONE', keepNumDims: false });
    // quantized input of the first conv: scale 1/255 (as float32), zero point -128
    const q = g.tensors[12].quant!;
    expect([q.scale[0], q.zeroPoint[0], q.scale.length]).toEqual([Math.fround(1 / 255), -128, 1]);
    // per-channel conv weights: 32 scales along axis 0
    const w = g.tensors[11];
    expect([w.dtype, w.shape, w.quant!.scale.length, w.quant!.axis]).toEqual(['int8', [32, 3, 3, 3], 32, 0]);
    expect(w.quant!.scale[0]).toBe(Math.fround(0.0021389469038695097));
    expect(g.tensors[20].quant!.zeroPoint[0]).toBe(-8);
    expect(g.tensors[21].dtype).toBe('float32');
  });

  it('reads LeNet weights byte-exactly (checksums)', () => {
    const g = load('lenet-cifar10-int8.tflite', 'lenet');
    const sums = [11, 9, 7, 5, 3].map((i) => [g.tensors[i].shape, sha16(g.tensors[i].data), int8Sum(g.tensors[i].data)]);
    expect(sums).toEqual([
      [[32, 3, 3, 3], 'bd8838ddf4848c9a', -5277],
      [[64, 3, 3, 32], '556b748c745185ab', -160248],
      [[64, 3, 3, 64], 'bf5d634dba2f351c', -252029],
      [[64, 1024], '99ea10e8d384e27d', -60000],
      [[10, 64], '409f84916d70a9e2', -3078],
    ]);
    const bias = g.tensors[10].data!;
    expect(new Int32Array(bias.slice().buffer).reduce((a, x) => a + x, 0)).toBe(-107956);
    expect(g.tensors.filter((t) => t.data).reduce((a, t) => a + t.data!.length, 0)).toBe(123280);
    // conv weights = one multiply-accumulate site each when unpacked (README: 56,160)
    expect([11, 9, 7].reduce((a, i) => a + g.tensors[i].data!.length, 0)).toBe(56160);
  });

  it('reads ResNet-8: operators, ADD/SOFTMAX/AVERAGE_POOL options, int8 input and output', () => {
    const g = load('resnet8-cifar10-int8.tflite', 'resnet8');
    expect(g.ops.map((o) => o.kind)).toEqual([
      'CONV_2D', 'CONV_2D', 'CONV_2D', 'ADD', 'CONV_2D', 'CONV_2D', 'CONV_2D', 'ADD', 'CONV_2D', 'CONV_2D',
      'CONV_2D', 'ADD', 'AVERAGE_POOL_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX',
    ]);
    expect(g.tensors.length).toBe(38);
    const input = g.tensors[g.inputs[0]];
    expect([input.dtype, input.shape, input.quant!.scale[0], input.quant!.zeroPoint[0]]).toEqual(['int8', [1, 32, 32, 3], 1, -128]);
    const out = g.tensors[g.outputs[0]];
    expect([out.dtype, out.shape, out.quant!.scale[0], out.quant!.zeroPoint[0]]).toEqual(['int8', [1, 10], 1 / 256, -128]);
    expect(g.ops[3]).toEqual({ index: 3, kind: 'ADD', inputs: [22, 24], outputs: [25], activation: 'RELU' });
    expect(g.ops[4]).toMatchObject({ kind: 'CONV_2D', padding: 'SAME', strideW: 2, strideH: 2, activation: 'RELU' });
    expect(g.ops[12]).toMatchObject({ kind: 'AVERAGE_POOL_2D', padding: 'VALID', strideW: 8, filterH: 8, filterW: 8 });
    expect(g.ops[15]).toEqual({ index: 15, kind: 'SOFTMAX', inputs: [36], outputs: [37], beta: 1 });
    expect(g.tensors[28].quant!.zeroPoint[0]).toBe(-17);
    const convs = g.ops.filter((o) => o.kind === 'CONV_2D').map((o) => o.inputs[1]);
    expect(convs.map((i) => sha16(g.tensors[i].data))).toEqual([
      '7ee025cc54d18358', '66e9e3a1d366183b', 'dbdaaea829a2d239', 'e5f2e73a9ee5dbab', '5e64f5f71c3998ac',
      '6f7de45e3f2419f0', '5bce2109b29ecae1', 'f7e581eb8f97fde2', '58f26f702e23435e',
    ]);
    expect(convs.reduce((a, i) => a + g.tensors[i].data!.length, 0)).toBe(76720);
    expect(int8Sum(g.tensors[7].data)).toBe(-3395);
  });
});
