/**
 * The baseline emitter without a compiler: the C it writes for each kind
 * (data, parameters, library call), masks, scratch sizes, determinism, and
 * its errors for operators without a baseline kernel and bad masks.
 */
import { describe, expect, test } from 'vitest';
import { baselineLibrarySources, c16Weights, conv3x3c16Bytes, emitBaselineLayer } from '../src/kernels/baseline/emit.js';
import { cArray, cInt32 } from '../src/kernels/baseline/c-data.js';
import { prepareGraph, type PreparedOp } from '../src/model/engine/prepare.js';
import { SimDseError } from '../src/util/errors.js';
import { GraphBuilder, loadModel } from './helpers/engine-fixtures.js';

const lenet = prepareGraph(loadModel('lenet'));
const resnet = prepareGraph(loadModel('resnet8'));
const op = (ops: readonly PreparedOp[], index: number): PreparedOp => ops.find((o) => o.opIndex === index)!;

function thrown(f: () => unknown): SimDseError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(SimDseError);
    return err as SimDseError;
  }
  throw new Error('expected a throw');
}

describe('emitted C', () => {
  test('CONV_2D: weights, bias, per-channel multipliers and shifts as flash data; the library call; im2col scratch', () => {
    // LeNet's conv_2d#3 (15 x 15 x 32 -> 13 x 13 x 64, VALID): an odd output width, so not the plane path
    const conv = op(lenet.ops, 3);
    const layer = emitBaselineLayer(conv, 'layer_3');
    expect(layer.fn).toBe('layer_3');
    expect(layer.source.name).toBe('layer_3.c');
    // two int16 columns of 3 * 3 * 32
    expect(layer.scratchBytes).toBe(2 * 2 * 3 * 3 * 32);
    const code = layer.source.code;
    expect(code).toContain('static const int8_t layer_3_weights[18432] __attribute__((aligned(4)))');
    expect(code).toContain('static const int32_t layer_3_bias[64]');
    expect(code).toContain('static const int32_t layer_3_multiplier[64]');
    expect(code).toContain('.pad_top = 0, .pad_left = 0');
    expect(code).toContain('snn_conv_s8(&layer_3_params, in0, out, (int16_t *)scratch);');
    expect(code).toContain('void layer_3(const int8_t *in0, const int8_t *in1, int8_t *out, void *scratch) {');
    expect(code).not.toContain('snn_conv_3x3c16.h');
    if (conv.kind !== 'conv') throw new Error('not a conv');
    // K = 288: rows 0 and 1 interleaved by word (row 0's word 0, row 1's word 0, row 0's word 1, ...)
    const row = (o: number, from: number): number[] => Array.from(conv.weights.slice(o * 288 + from, o * 288 + from + 4));
    const first24 = [...row(0, 0), ...row(1, 0), ...row(0, 4), ...row(1, 4), ...row(0, 8), ...row(1, 8)];
    expect(code).toContain(`  ${first24.join(', ')},\n`);
  });

  test('CONV_2D 3x3 over 3, 16, 32 or 64 channels: the plane path, its unit-local code, band scratch and weights', () => {
    const conv = op(resnet.ops, 1);
    if (conv.kind !== 'conv') throw new Error('not a conv');
    const layer = emitBaselineLayer(conv, 'layer_1');
    // 32 x 32 SAME, stride 1: plane rows of 34 pixels x 32 bytes; 7 rows (a band of 5 output rows) fit 8 KB
    expect(conv3x3c16Bytes(conv.geometry, true)).toBe(7 * 34 * 32);
    expect(layer.scratchBytes).toBe(7616);
    const code = layer.source.code;
    expect(code).toContain('#define SNN_C16_CH 16\n#define SNN_C16_STRIDE 1\n#define SNN_C16_FULL 1\n#include "snn_conv_3x3c16.h"\n');
    expect(code).toContain('snn_conv_3x3c16_s8(&layer_1_params, in0, out, scratch);');
    expect(code).toContain('.in_offset = 128,');
    // 16 x 144 weights doubled, as int16: 4,608 bytes, per pair and group [a0, a2], [a1, a3], [b0, b2], [b1, b3]
    expect(code).toContain('static const int8_t layer_1_weights[4608] __attribute__((aligned(4)))');
    const w = (o: number, k: number): number => 2 * conv.weights[o * 144 + k];
    const half = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff].map((b) => (b << 24) >> 24);
    const first16 = [w(0, 0), w(0, 2), w(0, 1), w(0, 3), w(1, 0), w(1, 2), w(1, 1), w(1, 3)].flatMap(half);
    expect(code).toContain(`  ${first16.join(', ')},`);
    const v = (i: number): number => 2 * ((i % 7) - 3);
    const word = (lo: number, hi: number): number => ((lo & 0xffff) | (hi << 16)) | 0;
    expect(Array.from(c16Weights(Int8Array.from([...Array(288).keys()].map((i) => (i % 7) - 3)), 2).slice(0, 4))).toEqual([
      word(v(0), v(2)),
      word(v(1), v(3)),
      word(v(144), v(146)),
      word(v(145), v(147)),
    ]);
    // the biases doubled too
    expect(code).toContain(cArray('int32_t', 'layer_1_bias', conv.bias.map((b) => 2 * b)));
    // stride 2 (conv_2d#4, 32 x 32 -> 16 x 16): 33 pixels per plane row, 7 rows (3 output rows)
    const s2 = op(resnet.ops, 4);
    if (s2.kind !== 'conv') throw new Error('not a conv');
    expect(emitBaselineLayer(s2, 'layer_4').scratchBytes).toBe(7 * 33 * 32);
    expect(emitBaselineLayer(s2, 'layer_4').source.code).toContain('#define SNN_C16_STRIDE 2\n');
    // 3 channels (conv_2d#0, the RGB layer): plane rows of 34 pixels x 8 bytes, 30 rows (28 output rows) fit 8 KB;
    // per pair nine groups, one per tap: channels 0, 2 | 1 and a zero
    const rgb = op(resnet.ops, 0);
    if (rgb.kind !== 'conv') throw new Error('not a conv');
    expect(conv3x3c16Bytes(rgb.geometry, true)).toBe(30 * 34 * 8);
    const rgbCode = emitBaselineLayer(rgb, 'layer_0').source.code;
    expect(rgbCode).toContain('#define SNN_C16_CH 3\n#define SNN_C16_STRIDE 1\n');
    expect(rgbCode).toContain('#define SNN_C16_PITCH 272\n#include "snn_conv_3x3c16.h"\n');
    expect(rgbCode).toContain('static const int8_t layer_0_weights[1152] __attribute__((aligned(4)))');
    const t = Int8Array.from([...Array(54).keys()].map((i) => i - 20));
    expect(Array.from(c16Weights(t, 2, 3).slice(0, 8))).toEqual([
      word(-40, -36), word(-38, 0), word(14, 18), word(16, 0),
      word(-34, -30), word(-32, 0), word(20, 24), word(22, 0),
    ]);
    // 32 channels (conv_2d#5, 16 x 16): plane rows of 18 pixels x 64 bytes, 7 rows; int8 weights in snn_conv_s8's
    // layout, biases as they are (the accumulators are doubled in the requantization)
    const c32 = op(resnet.ops, 5);
    if (c32.kind !== 'conv') throw new Error('not a conv');
    expect(conv3x3c16Bytes(c32.geometry, true)).toBe(7 * 18 * 64);
    const c32Code = emitBaselineLayer(c32, 'layer_5').source.code;
    expect(c32Code).toContain('#define SNN_C16_CH 32\n#define SNN_C16_STRIDE 1\n');
    expect(c32Code).toContain('static const int8_t layer_5_weights[9216] __attribute__((aligned(4)))');
    expect(c32Code).toContain(cArray('int32_t', 'layer_5_bias', c32.bias));
    const r32 = (o: number, from: number): number[] => Array.from(c32.weights.slice(o * 288 + from, o * 288 + from + 4));
    expect(c32Code).toContain(`  ${[...r32(0, 0), ...r32(1, 0), ...r32(0, 4), ...r32(1, 4)].join(', ')},`);
    // not taken: another channel count, the slow requantization, an odd output width, a plane row of more than 8 KB / 3
    expect(conv3x3c16Bytes({ ...conv.geometry, c: 8 }, true)).toBe(0);
    expect(conv3x3c16Bytes({ ...rgb.geometry, ow: 254 }, true)).toBe(0);
    expect(conv3x3c16Bytes({ ...rgb.geometry, ow: 252, oh: 1 }, true)).toBe(3 * 254 * 8); // 3 channels: two plane rows beyond the immediate offsets
    expect(conv3x3c16Bytes(conv.geometry, false)).toBe(0);
    expect(conv3x3c16Bytes({ ...conv.geometry, ow: 31 }, true)).toBe(0);
    expect(conv3x3c16Bytes({ ...conv.geometry, ow: 86 }, true)).toBe(0);
    expect(conv3x3c16Bytes({ ...conv.geometry, ow: 82, oh: 1 }, true)).toBe(3 * 84 * 32);
  });

  test('a mask zeroes exactly the skipped weights in the data', () => {
    const fc = op(lenet.ops, 8);
    if (fc.kind !== 'fc') throw new Error('not an FC');
    const mask = new Uint8Array(fc.weights.length);
    mask[0] = 1;
    mask[5] = 1;
    const code = emitBaselineLayer(fc, 'fc8', mask).source.code;
    const expected = Array.from(fc.weights);
    expected[0] = 0;
    expected[5] = 0;
    // 64 inputs, 10 rows (snn_fc_fast_s8's stream): per block of four rows its four biases, then word i of rows
    // 0..3 for every i; the same for rows 4..7; then rows 8 and 9's biases and their words interleaved
    const word = (r: number, i: number): number => new DataView(Int8Array.from(expected.slice(r * 64 + 4 * i, r * 64 + 4 * i + 4)).buffer).getInt32(0, true);
    // the biases with -inZp * row sum folded in, over the masked rows
    const streamBias = Array.from({ length: 10 }, (_, r) => (fc.bias[r] - fc.inZp * expected.slice(r * 64, r * 64 + 64).reduce((a, b) => a + b, 0)) | 0);
    const stream: number[] = [];
    for (const [first, rows] of [[0, 4], [4, 4], [8, 2]]) {
      for (let r = 0; r < rows; r++) stream.push(streamBias[first + r]);
      for (let i = 0; i < 16; i++) for (let r = 0; r < rows; r++) stream.push(word(first + r, i));
    }
    expect(code).toContain(cArray('int32_t', 'fc8_stream', stream));
    expect(code).toContain('snn_fc_fast_s8(&fc8_params, in0, out);');
  });

  test('FULLY_CONNECTED folds -inZp * row sum into the bias (int32), per tensor requantization in the parameters', () => {
    const fc = op(lenet.ops, 8);
    if (fc.kind !== 'fc') throw new Error('not an FC');
    const code = emitBaselineLayer(fc, 'fc8').source.code;
    let sum = 0;
    for (let i = 0; i < 64; i++) sum += fc.weights[i];
    // inZp is -128: bias + 128 * sum(row 0), the stream's first word
    expect(fc.inZp).toBe(-128);
    expect(code).toContain(`static const int32_t fc8_stream[170] __attribute__((aligned(4))) = {\n  ${(fc.bias[0] + 128 * sum) | 0},`);
    expect(code).toContain(`.multiplier = ${fc.requant.multiplier[0]}, .exp_m1 = ${-fc.requant.shift[0] - 1}, .zp2 = ${2 * fc.requant.outZp + 1},`);
    expect(code).toContain('.lo4 = 0x80808080u, .hi4 = 0x7f7f7f7fu,');
    expect(code).toContain('.in_words = 16, .blocks4 = 2, .rest = 2, .batches = 1, .stream = fc8_stream,');
    expect(emitBaselineLayer(fc, 'fc8').scratchBytes).toBe(0);
  });

  test('ADD, AVERAGE_POOL_2D and SOFTMAX parameters come from the prepared operator', () => {
    const add = emitBaselineLayer(op(resnet.ops, 3), 'add3').source.code;
    expect(add).toContain('.a_mult = 1623821475, .a_shift = -2, .b_mult = 1073741824, .b_shift = 0,');
    expect(add).toContain('.out_mult = 1098017566, .out_shift = -17, .left_shift = 20,');
    // Table form: e = 17, rounding 2^16 + outZp * 2^17 = 65536 - 128 * 131072; 2 KB of scratch for the tables.
    expect(add).toContain('.table = add3_table, .table_shift = 17, .table_rounding = -16711680,');
    expect(add).toContain('snn_add_s8(&add3_params, in0, in1, out, (int32_t *)scratch);');
    expect(emitBaselineLayer(op(resnet.ops, 3), 'add3').scratchBytes).toBe(2048);
    // ta[0] = 2 * MBQM((0 - (-128)) << 20, 1623821475, -2) = 2 * round(2^27 * 1623821475 / 2^31 / 4) = 2 * 25372211.
    expect(add).toContain('static const int32_t add3_table[512] __attribute__((aligned(4))) = {\n  50744422, 51140862,');
    expect(emitBaselineLayer(op(resnet.ops, 12), 'pool').source.code).toContain('snn_avg_pool_s8(&pool_params, in0, out);');
    expect(emitBaselineLayer(op(resnet.ops, 15), 'sm').source.code).toContain(
      '.input_multiplier = 1476210432, .input_left_shift = 24, .diff_min = -124,',
    );
  });

  test('the same operator and mask give the same text', () => {
    const conv = op(lenet.ops, 3);
    expect(emitBaselineLayer(conv, 'a').source.code).toBe(emitBaselineLayer(conv, 'a').source.code);
  });

  test('INT32_MIN is written as a constant expression', () => {
    expect(cInt32(-2147483648)).toBe('(-2147483647 - 1)');
    expect(cArray('int32_t', 'x', [])).toBe('static const int32_t x[1] __attribute__((aligned(4))) = {\n  0,\n};\n');
  });

  test('the library: every snn header and C file, sorted, the C files define the kernels', () => {
    const names = baselineLibrarySources().map((s) => s.name);
    expect(names).toEqual([...names].sort());
    for (const n of ['snn.h', 'snn_requant.h', 'snn_conv.c', 'snn_fc.c', 'snn_softmax.c', 'snn_pool.c', 'snn_add.c']) expect(names).toContain(n);
    expect(baselineLibrarySources().find((s) => s.name === 'snn_conv.c')!.code).toContain('void snn_conv_s8(');
  });
});

describe('errors', () => {
  test('float QUANTIZE, DEQUANTIZE and RESHAPE have no baseline kernel', () => {
    expect(thrown(() => emitBaselineLayer(op(lenet.ops, 0), 'q')).message).toBe('QUANTIZE (operator 0) has no baseline kernel');
    expect(thrown(() => emitBaselineLayer(op(lenet.ops, 6), 'r')).message).toBe('RESHAPE (operator 6) has no baseline kernel');
    const e = thrown(() => emitBaselineLayer(op(lenet.ops, 9), 'd'));
    expect(e.message).toBe('DEQUANTIZE (operator 9) has no baseline kernel');
    expect(e.kind).toBe('kernels');
  });

  test('a mask of the wrong size, a mask on a pool, a name that is not a C identifier', () => {
    expect(thrown(() => emitBaselineLayer(op(lenet.ops, 8), 'f', new Uint8Array(3))).message).toBe(
      'skip mask for FULLY_CONNECTED (operator 8) has 3 bytes, expected 640 (one per weight)',
    );
    expect(thrown(() => emitBaselineLayer(op(lenet.ops, 2), 'p', new Uint8Array(1))).message).toBe('MAX_POOL_2D (operator 2) takes no skip mask');
    expect(thrown(() => emitBaselineLayer(op(lenet.ops, 2), '2p')).message).toBe("'2p' is not a C identifier");
  });

  test('PAD above rank 6 is refused', () => {
    const b = new GraphBuilder();
    const shape = [1, 1, 1, 1, 1, 1, 2];
    const x = b.tensor(shape, 'int8', 0.5, 0);
    const pads = b.tensor([7, 2], 'int32', null, 0, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    const y = b.tensor([1, 1, 1, 1, 1, 1, 4], 'int8', 0.5, 0);
    b.op({ kind: 'PAD', inputs: [x, pads], outputs: [y] });
    const pad = prepareGraph(b.graph(x, y)).ops[0];
    expect(thrown(() => emitBaselineLayer(pad, 'pad')).message).toBe('PAD (operator 0) has rank 7; the baseline kernel takes ranks 1 to 6');
  });
});
