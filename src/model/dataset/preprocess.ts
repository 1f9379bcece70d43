/**
 * Turns dataset images into model input tensors: CIFAR-10's CHW planes
 * become NHWC (RGB) values, resized to the model's input size when its
 * {@link Preprocess} names a resize method (see ./resize.ts), scaled as it
 * says, written as the input tensor's little-endian bytes.
 */
import { DatasetError, ModelError } from '../errors.js';
import type { Graph } from '../ir.js';
import type { Preprocess } from '../registry.js';
import { loadCifar10, type Cifar10 } from './cifar10.js';
import { resizeBilinear } from './resize.js';

/** Height and width of the dataset's images (CIFAR-10). */
export const DATASET_SIZE = 32;

/** The input size of an image model: [height, width] of its [1,H,W,3] input, or null for another shape. */
export function imageInputSize(graph: Graph): [number, number] | null {
  const s = graph.tensors[graph.inputs[0]].shape;
  if (graph.inputs.length !== 1 || s.length !== 4 || s[0] !== 1 || s[3] !== 3 || s[1] < 1 || s[2] < 1) return null;
  return [s[1], s[2]];
}

/** Images ready to feed a model: input tensor bytes and the true label of each. */
export interface LabelledInputs {
  readonly count: number;
  readonly labels: Uint8Array;
  /** Input tensor bytes of image `i` (fresh or cached; callers must not modify). */
  input(i: number): Uint8Array;
}

/**
 * Checks that the graph takes one [1,H,W,3] image whose dtype fits the
 * preprocessing: 32x32, or any size when the preprocessing resizes.
 */
export function checkImageInput(graph: Graph, pre: Preprocess): void {
  const t = graph.tensors[graph.inputs[0]];
  const s = t.shape;
  const size = imageInputSize(graph);
  if (size === null) throw new DatasetError(`${graph.name}: input ${t.name} has shape [${s.join(',')}]; CIFAR-10 needs one [1,H,W,3] input`);
  if ((size[0] !== DATASET_SIZE || size[1] !== DATASET_SIZE) && pre.resize === undefined) {
    throw new DatasetError(`${graph.name}: input ${t.name} is ${size[0]}x${size[1]}x3, CIFAR-10 images are 32x32x3: pass --resize bilinear`);
  }
  const want = pre.kind === 'float' ? 'float32' : 'int8';
  if (t.dtype !== want) {
    throw new ModelError(`${graph.name}: input ${t.name} is ${t.dtype}, but the preprocessing (${pre.kind}) produces ${want}`);
  }
}

/**
 * Input tensor bytes of one 32x32 RGB image given as CHW planes (3072 bytes),
 * for a model input of `size` [height, width] (default 32x32).
 * float: float32 LE of Math.fround(pixel * scale + offset); int8: clamp(pixel + offset).
 * Resized (another size): the pixel is the float32 value tf.image.resize gives;
 * int8 rounds it half away from zero before adding the offset.
 */
export function preprocessImage(chw: Uint8Array, pre: Preprocess, size: readonly [number, number] = [DATASET_SIZE, DATASET_SIZE]): Uint8Array {
  if (size[0] !== DATASET_SIZE || size[1] !== DATASET_SIZE) return preprocessResized(chw, pre, size);
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

/** {@link preprocessImage} of an image resized to `size` (the preprocessing names the method). */
function preprocessResized(chw: Uint8Array, pre: Preprocess, size: readonly [number, number]): Uint8Array {
  if (pre.resize === undefined) throw new DatasetError(`a ${size[0]}x${size[1]} input needs a resize method (--resize bilinear)`);
  const hw = DATASET_SIZE * DATASET_SIZE;
  const hwc = new Float32Array(3 * hw);
  for (let p = 0; p < hw; p++) for (let c = 0; c < 3; c++) hwc[p * 3 + c] = chw[c * hw + p];
  const r = resizeBilinear(hwc, DATASET_SIZE, DATASET_SIZE, 3, size[0], size[1]);
  if (pre.kind === 'int8') {
    const out = new Uint8Array(r.length);
    for (let i = 0; i < r.length; i++) out[i] = Math.max(-128, Math.min(127, Math.floor(r[i] + 0.5) + pre.offset)) & 0xff;
    return out;
  }
  const out = new Float32Array(r.length);
  for (let i = 0; i < r.length; i++) out[i] = r[i] * pre.scale + pre.offset;
  return new Uint8Array(out.buffer);
}

/** The first `count` images of a dataset (default all) as inputs of `graph`, computed on demand. */
export function modelInputs(ds: Cifar10, graph: Graph, pre: Preprocess, count: number = ds.count): LabelledInputs {
  checkImageInput(graph, pre);
  const size = imageInputSize(graph)!;
  if (!Number.isInteger(count) || count < 1 || count > ds.count) {
    throw new DatasetError(`${ds.source}: cannot take ${count} images (it has ${ds.count})`);
  }
  return {
    count,
    labels: ds.labels.subarray(0, count),
    input: (i: number) => preprocessImage(ds.image(i), pre, size),
  };
}

/**
 * Graph input bytes of CIFAR-10 test image `k` (default 0, the representative
 * image the layers and benchmark images are timed on), from the test batch in
 * `dataDir` (default: the usual data folder).
 */
export function testImageInput(graph: Graph, pre: Preprocess, k = 0, dataDir?: string): Uint8Array {
  return modelInputs(loadCifar10({ dir: dataDir, split: 'test' }), graph, pre, k + 1).input(k);
}
