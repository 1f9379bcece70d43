/**
 * Top-1 accuracy of a model (optionally with skip masks) on labelled inputs.
 */
import type { LabelledInputs } from './dataset/preprocess.js';
import { ModelError } from './errors.js';
import type { DType, Graph, SkipMasks } from './ir.js';

/** What {@link evaluateTop1} needs of an engine; the reference engine's `Engine` satisfies it. */
export interface InferenceRunner {
  readonly graph: Graph;
  run(input: Uint8Array, masks?: SkipMasks): Uint8Array;
}

/** Options of {@link evaluateTop1}. */
export interface EvaluateOptions {
  /** Evaluate the first `images` inputs (default: all). */
  readonly images?: number;
  /** Skip masks applied to every inference. */
  readonly masks?: SkipMasks;
  /** Called after each image with (done, total); keep it cheap. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Result of {@link evaluateTop1}. */
export interface Top1Result {
  readonly correct: number;
  readonly total: number;
  /** correct / total, in [0, 1]. */
  readonly top1: number;
  /** Predicted class of each image. */
  readonly predictions: Uint8Array;
}

/**
 * Decodes an output tensor's bytes to numbers (int8, uint8, int16, int32 or float32).
 */
export function decodeTensor(bytes: Uint8Array, dtype: DType): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  const size = { int8: 1, uint8: 1, int16: 2, int32: 4, float32: 4, int64: 8 }[dtype];
  if (bytes.length % size !== 0) throw new ModelError(`output of ${bytes.length} bytes is not a whole number of ${dtype} values`);
  for (let o = 0; o < bytes.length; o += size) {
    switch (dtype) {
      case 'int8': out.push(view.getInt8(o)); break;
      case 'uint8': out.push(view.getUint8(o)); break;
      case 'int16': out.push(view.getInt16(o, true)); break;
      case 'int32': out.push(view.getInt32(o, true)); break;
      case 'float32': out.push(view.getFloat32(o, true)); break;
      case 'int64': out.push(Number(view.getBigInt64(o, true))); break;
    }
  }
  return out;
}

/** Index of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Runs the engine on the first `images` inputs and counts how often the
 * argmax of the output equals the label.
 */
export function evaluateTop1(engine: InferenceRunner, data: LabelledInputs, opts: EvaluateOptions = {}): Top1Result {
  const total = opts.images ?? data.count;
  if (!Number.isInteger(total) || total < 1 || total > data.count) {
    throw new ModelError(`${engine.graph.name}: cannot evaluate ${total} images (the dataset has ${data.count})`);
  }
  const out = engine.graph.tensors[engine.graph.outputs[0]];
  const predictions = new Uint8Array(total);
  let correct = 0;
  for (let i = 0; i < total; i++) {
    const y = engine.run(data.input(i), opts.masks);
    const p = argmax(decodeTensor(y, out.dtype));
    predictions[i] = p;
    if (p === data.labels[i]) correct++;
    opts.onProgress?.(i + 1, total);
  }
  return { correct, total, top1: correct / total, predictions };
}
