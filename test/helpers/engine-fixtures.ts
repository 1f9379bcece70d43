/**
 * Shared fixtures of the engine tests: the two real models (imported with
 * importTflite) and the first CIFAR-10 test images as model inputs, read with
 * a tiny local reader (3073-byte records: label, 1024 R, 1024 G, 1024 B).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importTflite } from '../../src/model/tflite/import.js';
import type { Graph } from '../../src/model/ir.js';
import { nativeKernels } from '../../src/model/engine/index.js';

/** The native engine's GEMM levels this CPU runs (portable C, and each vector level it supports), none when the library does not load. */
export function nativeLevels(): number[] {
  const k = nativeKernels();
  return k === null ? [] : [...k.supported];
}

/** The shared data folder. */
export const SHARED = process.env.SIM_DSE_SHARED ?? '/work/shared';

/** A real model by name ('lenet' | 'resnet8'). */
export function loadModel(name: 'lenet' | 'resnet8'): Graph {
  const file = name === 'lenet' ? 'lenet-cifar10-int8.tflite' : 'resnet8-cifar10-int8.tflite';
  return importTflite(new Uint8Array(readFileSync(join(SHARED, 'models', file))), name);
}

/** The first `count` test images as input bytes of `model`, with their labels. */
export function cifarInputs(model: 'lenet' | 'resnet8', count: number): { inputs: Uint8Array[]; labels: number[] } {
  const raw = readFileSync(join(SHARED, 'datasets', 'cifar10', 'test_batch.bin'));
  const inputs: Uint8Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const rec = raw.subarray(i * 3073, (i + 1) * 3073);
    labels.push(rec[0]);
    if (model === 'resnet8') {
      const out = new Int8Array(3072);
      for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[p * 3 + c] = rec[1 + c * 1024 + p] - 128;
      inputs.push(new Uint8Array(out.buffer));
    } else {
      const out = new Float32Array(3072);
      for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[p * 3 + c] = rec[1 + c * 1024 + p] / 255;
      inputs.push(new Uint8Array(out.buffer));
    }
  }
  return { inputs, labels };
}

import { isMaskable, type DType, type Op, type SkipMask, type Tensor } from '../../src/model/ir.js';

/** Deterministic masks skipping about `fraction` of every maskable layer's weights. */
export function randomMasks(graph: Graph, fraction: number, seed: number): Map<number, SkipMask> {
  let s = seed;
  const masks = new Map<number, SkipMask>();
  for (const op of graph.ops) {
    if (!isMaskable(op)) continue;
    const t = graph.tensors[op.inputs[1]];
    const m = new Uint8Array(t.data!.byteLength);
    for (let i = 0; i < m.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      m[i] = s / 2 ** 32 < fraction ? 1 : 0;
    }
    masks.set(op.index, m);
  }
  return masks;
}


/** Builds small graphs by hand for the engine's unit tests. */
export class GraphBuilder {
  readonly tensors: Tensor[] = [];
  readonly ops: Op[] = [];

  /** Adds a tensor; `data` (int8/int32/float32 values) makes it a constant. */
  tensor(shape: number[], dtype: DType, scale: number | number[] | null, zp: number | number[] = 0, data?: number[], axis = 0): number {
    const index = this.tensors.length;
    let bytes: Uint8Array | null = null;
    if (data !== undefined) {
      if (dtype === 'int8') bytes = new Uint8Array(Int8Array.from(data).buffer);
      else if (dtype === 'int32') bytes = new Uint8Array(Int32Array.from(data).buffer);
      else bytes = new Uint8Array(Float32Array.from(data).buffer);
    }
    const scales = scale === null ? null : Array.isArray(scale) ? scale : [scale];
    const zps = Array.isArray(zp) ? zp : new Array<number>(scales?.length ?? 1).fill(zp);
    this.tensors.push({
      index,
      name: `t${index}`,
      shape,
      dtype,
      quant: scales === null ? null : { scale: Float64Array.from(scales.map((s) => Math.fround(s))), zeroPoint: Int32Array.from(zps), axis },
      data: bytes,
    });
    return index;
  }

  /** Adds an operator (index assigned in order). */
  op(op: Record<string, unknown> & { kind: string; inputs: number[]; outputs: number[] }): this {
    this.ops.push({ ...op, index: this.ops.length } as unknown as Op);
    return this;
  }

  /** The graph with one input and one output. */
  graph(input: number, output: number): import('../../src/model/ir.js').Graph {
    return { name: 'test', tensors: this.tensors, ops: this.ops, inputs: [input], outputs: [output] };
  }
}

/** int8 values as bytes. */
export function i8(values: number[]): Uint8Array {
  return new Uint8Array(Int8Array.from(values).buffer);
}

/** Bytes as int8 values. */
export function vals(bytes: Uint8Array): number[] {
  return Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** Bytes as float32 values. */
export function floats(bytes: Uint8Array): number[] {
  return Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
}
