/**
 * Turns dataset images into model input tensors: CIFAR-10's CHW planes
 * become NHWC (RGB) values, scaled as the model's {@link Preprocess} says,
 * written as the input tensor's little-endian bytes.
 */
import { DatasetError, ModelError } from '../errors.js';
import type { Graph } from '../ir.js';
import type { Preprocess } from '../registry.js';
import type { Cifar10 } from './cifar10.js';

/** Images ready to feed a model: input tensor bytes and the true label of each. */
export interface LabelledInputs {
  readonly count: number;
  readonly labels: Uint8Array;
  /** Input tensor bytes of image `i` (fresh or cached; callers must not modify). */
  input(i: number): Uint8Array;
}

/** Checks that the graph takes one [1,32,32,3] image whose dtype fits the preprocessing. */
export function checkImageInput(graph: Graph, pre: Preprocess): void {
  const t = graph.tensors[graph.inputs[0]];
  const s = t.shape;
  if (graph.inputs.length !== 1 || s.length !== 4 || s[0] !== 1 || s[1] !== 32 || s[2] !== 32 || s[3] !== 3) {
    throw new DatasetError(`${graph.name}: input ${t.name} has shape [${s.join(',')}]; CIFAR-10 needs one [1,32,32,3] input`);
  }
  const want = pre.kind === 'float' ? 'float32' : 'int8';
  if (t.dtype !== want) {
    throw new ModelError(`${graph.name}: input ${t.name} is ${t.dtype}, but the preprocessing (${pre.kind}) produces ${want}`);
  }
}

/**
 * Input tensor bytes of one 32x32 RGB image given as CHW planes (3072 bytes).
 * float: float32 LE of Math.fround(pixel * scale + offset); int8: clamp(pixel + offset).
 */
export function preprocessImage(chw: Uint8Array, pre: Preprocess): Uint8Array {
  const hw = 1024;
  if (pre.kind === 'int8') {
    const out = new Uint8Array(3 * hw);
    for (let p = 0; p < hw; p++) {
      for (let c = 0; c < 3; c++) {
        const v = Math.max(-128, Math.min(127, chw[c * hw + p] + pre.offset));
        out[p * 3 + c] = v & 0xff;
      }
    }
    return out;
  }
  const f = new Float32Array(3 * hw);
  for (let p = 0; p < hw; p++) {
    for (let c = 0; c < 3; c++) f[p * 3 + c] = chw[c * hw + p] * pre.scale + pre.offset;
  }
  return new Uint8Array(f.buffer);
}

/** The first `count` images of a dataset (default all) as inputs of `graph`, computed on demand. */
export function modelInputs(ds: Cifar10, graph: Graph, pre: Preprocess, count: number = ds.count): LabelledInputs {
  checkImageInput(graph, pre);
  if (!Number.isInteger(count) || count < 1 || count > ds.count) {
    throw new DatasetError(`${ds.source}: cannot take ${count} images (it has ${ds.count})`);
  }
  return {
    count,
    labels: ds.labels.subarray(0, count),
    input: (i: number) => preprocessImage(ds.image(i), pre),
  };
}
