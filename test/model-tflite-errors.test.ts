import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../src/model/errors.js';
import type { Activation, Graph, Op } from '../src/model/ir.js';
import { FlatFile } from '../src/model/tflite/flat.js';
import { importTflite } from '../src/model/tflite/import.js';
import { F } from '../src/model/tflite/schema.js';
import { writeTflite } from '../src/model/tflite/write.js';
import { sharedDir } from '../src/util/paths.js';

const path = join(sharedDir() ?? '/nonexistent', 'models', 'lenet-cifar10-int8.tflite');
const have = existsSync(path);
const lenet = () => new Uint8Array(readFileSync(path));

/** Absolute byte positions inside a real model, found with the checked reader. */
function locate(bytes: Uint8Array) {
  const file = new FlatFile(bytes, 'x');
  const model = file.table(file.deref(0, 'root'), 'model');
  const sg = model.tables(F.Model.subgraphs, 'subgraphs')![0];
  const tensors = sg.tables(F.SubGraph.tensors, 'tensors')!;
  return {
    file,
    model,
    tensor: (i: number) => tensors[i],
    opcode: (i: number) => model.tables(F.Model.operatorCodes, 'operator_codes')![i],
    operator: (i: number) => sg.tables(F.SubGraph.operators, 'operators')![i],
  };
}

function expectModelError(fn: () => unknown, message: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ModelError);
  expect((caught as Error).message).toBe(message);
  expect((caught as Error).message.includes('\n')).toBe(false);
}

/** A minimal model built directly: `subgraphs` empty subgraphs and one buffer with offset/size fields. */
function minimalModel(subgraphs: number, externalBuffer: boolean): Uint8Array {
  const b = new Builder(256);
  b.startObject(3);
  if (externalBuffer) {
    b.addFieldInt64(F.Buffer.offset, 4096n, 0n);
    b.addFieldInt64(F.Buffer.size, 64n, 0n);
  }
  const buf = b.endObject();
  const sgs: number[] = [];
  for (let i = 0; i < subgraphs; i++) {
    b.startObject(5);
    sgs.push(b.endObject());
  }
  b.startVector(4, sgs.length, 4);
  for (let i = sgs.length - 1; i >= 0; i--) b.addOffset(sgs[i]);
  const sgVec = b.endVector();
  b.startVector(4, 1, 4);
  b.addOffset(buf);
  const bufVec = b.endVector();
  b.startObject(5);
  b.addFieldInt32(F.Model.version, 3, 0);
  b.addFieldOffset(F.Model.subgraphs, sgVec, 0);
  b.addFieldOffset(F.Model.buffers, bufVec, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array().slice();
}

describe('importTflite rejects bad files with one clear line', () => {
  it('a truncated header', () => {
    expectModelError(() => importTflite(new Uint8Array([1, 2, 3, 4]), 'm.tflite'),
      'm.tflite: truncated file (4 bytes; a .tflite file starts with an 8-byte header)');
  });

  it('a bad file identifier', () => {
    const bytes = new Uint8Array(64);
    bytes.set([0x10, 0, 0, 0, 0x41, 0x42, 0x43, 0x44]);
    expectModelError(() => importTflite(bytes, 'm.tflite'),
      'm.tflite: bad file identifier "ABCD" at byte 4 (expected "TFL3"; not a TFLite model)');
  });

  it('more than one subgraph', () => {
    expectModelError(() => importTflite(minimalModel(2, false), 'two'),
      'two: the model has 2 subgraphs; exactly one is supported (no control flow)');
  });

  it('buffers stored outside the flatbuffer (>2 GB format)', () => {
    expectModelError(() => importTflite(minimalModel(1, true), 'big'),
      'big: buffer 0 stores its data outside the flatbuffer (offset 4096, size 64: the >2 GB model format), which is not supported');
  });
});

describe.skipIf(!have)('importTflite rejects corrupted real models', () => {
  it('a file cut in half', () => {
    const bytes = lenet();
    expect(() => importTflite(bytes.subarray(0, 60000), 'cut')).toThrow(/^cut: .*outside the file \(60000 bytes/);
  });

  it('a vtable offset out of range', () => {
    const bytes = lenet();
    const root = new DataView(bytes.buffer).getUint32(0, true);
    new DataView(bytes.buffer).setInt32(root, -0x100000, true);
    expectModelError(() => importTflite(bytes, 'vt'), `vt: model: vtable offset out of range (vtable at byte ${root + 0x100000})`);
  });

  it('tensor data of the wrong length for its shape', () => {
    const bytes = lenet();
    const loc = locate(bytes);
    // tensor 11 is the first conv's weights [32,3,3,3]; make the last dimension 4
    const shapeField = loc.tensor(11).field(F.Tensor.shape, 4);
    const vec = loc.file.deref(shapeField, 'shape');
    new DataView(bytes.buffer).setInt32(vec + 4 + 12, 4, true);
    expectModelError(() => importTflite(bytes, 'len'),
      'len: tensor 11 (sequential/conv2d/Conv2D) has 864 data bytes, expected 1152 for shape [32,3,3,4] of int8');
  });

  it('an unsupported tensor type', () => {
    const bytes = lenet();
    const loc = locate(bytes);
    bytes[loc.tensor(13).field(F.Tensor.type, 1)] = 1; // FLOAT16
    expect(() => importTflite(bytes, 'ty')).toThrow(
      /^ty: tensor 13 \(sequential\/conv2d\/Relu;.*\) has type FLOAT16; supported: FLOAT32, INT32, UINT8, INT64, INT16, INT8$/,
    );
  });

  it('an unsupported operator, named', () => {
    const bytes = lenet();
    const loc = locate(bytes);
    // operator 2 is MAX_POOL_2D; turn its opcode into TANH (28)
    const code = loc.operator(2).u32(F.Operator.opcodeIndex, 0);
    const oc = loc.opcode(code);
    const dep = oc.field(F.OperatorCode.deprecatedBuiltinCode, 1);
    if (dep) bytes[dep] = 28;
    const ext = oc.field(F.OperatorCode.builtinCode, 4);
    if (ext) new DataView(bytes.buffer).setInt32(ext, 28, true);
    expectModelError(() => importTflite(bytes, 'op'),
      'op: operator 2 (TANH) is not supported; supported: ADD, AVERAGE_POOL_2D, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, ' +
        'FULLY_CONNECTED, MAX_POOL_2D, RESHAPE, SOFTMAX, PAD, MEAN, QUANTIZE');
  });

  it('a float-only model (conv with float32 weights)', () => {
    const g = importTflite(lenet(), 'lenet');
    const w = g.tensors[11];
    const floatW = { ...w, dtype: 'float32' as const, quant: null, data: new Uint8Array(w.data!.length * 4) };
    const bad: Graph = { ...g, tensors: g.tensors.map((t) => (t.index === 11 ? floatW : t)) };
    expectModelError(() => importTflite(writeTflite(bad), 'float'),
      'float: operator 1 (CONV_2D) has float32 weights (sequential/conv2d/Conv2D); only int8-quantized models are supported (float-only model?)');
  });

  it('an unsupported fused activation (TANH)', () => {
    const g = importTflite(lenet(), 'lenet');
    const ops = g.ops.map((o): Op => (o.index === 3 ? { ...o, activation: 'TANH' as Activation } as Op : o));
    expectModelError(() => importTflite(writeTflite({ ...g, ops }), 'act'),
      'act: operator 3 (CONV_2D): fused activation TANH is not supported; supported: NONE, RELU, RELU6, RELU_N1_TO_1');
  });

  it('an operator input index out of range', () => {
    const g = importTflite(lenet(), 'lenet');
    const ops = g.ops.map((o): Op => (o.index === 5 ? { ...o, inputs: [16, 99, 6] } : o));
    expectModelError(() => importTflite(writeTflite({ ...g, ops }), 'idx'),
      'idx: operator 5 (CONV_2D) input 1 refers to tensor 99, but the subgraph has 22 tensors');
  });
});
