/**
 * Prefix reuse for design-space exploration. A session holds a fixed set of
 * input images; each {@link Session.evaluate} call runs them all under one set
 * of skip masks and returns per-image argmax (and optionally outputs).
 *
 * Activations computed before an operator depend only on the masks of the
 * maskable operators that come before it, so the session keeps checkpoints:
 * at the position of every maskable operator (and at the end of the graph) it
 * stores, for every image, the tensors still needed from there on, tagged
 * with the exact masks of the preceding layers. An evaluation resumes from
 * the deepest checkpoint whose preceding masks are all unchanged (compared by
 * content; a missing mask equals an all-zero mask), so changing only the last
 * layers recomputes only the last layers, and repeating an evaluated
 * configuration recomputes nothing. Checkpoint memory is bounded by
 * `maxCacheBytes`; the least recently used checkpoints are dropped first, and
 * a checkpoint that does not fit is simply not kept.
 */
import type { SkipMask, SkipMasks } from '../ir.js';
import { ModelError } from '../errors.js';
import { argmaxBytes } from './argmax.js';
import { sameMask, type Executor } from './executor.js';
import { isWeightedOp } from './prepare.js';

/** Options of {@link createSession}. */
export interface SessionOptions {
  /** Upper bound of the bytes held by checkpoints (default 256 MiB; 0 disables reuse). */
  readonly maxCacheBytes?: number;
  /** Also return every image's output tensor bytes (default false). */
  readonly keepOutputs?: boolean;
  /** True labels of the images; when given, results count the correct top-1 predictions. */
  readonly labels?: ArrayLike<number>;
}

/** What one evaluation returns. */
export interface SessionResult {
  /** Argmax of each image's output (ties: lowest index). */
  readonly predictions: Int32Array;
  /** Images whose prediction equals its label (null without `labels`). */
  readonly correct: number | null;
  /** Output tensor bytes per image when `keepOutputs` was set, else null. */
  readonly outputs: Uint8Array[] | null;
  /** Operator list position the evaluation resumed from (0: from the inputs; ops.length: fully cached). */
  readonly resumedAt: number;
  /** Multiply-accumulates actually computed, all images together. */
  readonly macsComputed: number;
}

/** A fixed image set evaluated under many mask configurations. */
export interface Session {
  /** Number of images. */
  readonly images: number;
  /** Runs every image under `masks` (layers not present are exact), reusing cached prefixes. */
  evaluate(masks?: SkipMasks): SessionResult;
  /** Bytes currently held by checkpoints. */
  cacheBytes(): number;
  /** Drops every checkpoint. */
  clear(): void;
}

interface Checkpoint {
  readonly position: number;
  /** Masks of the maskable operators before `position` (null = exact). */
  readonly prefix: readonly (SkipMask | null)[];
  readonly tensors: readonly number[];
  readonly recordBytes: number;
  readonly data: Uint8Array;
  lastUsed: number;
}

function isAllZero(m: SkipMask): boolean {
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) return false;
  return true;
}

/**
 * Creates a session over `inputs` (each the graph's input bytes) that runs
 * on `ex`, the executor of one engine (see ReferenceEngine.session).
 */
export function createExecutorSession(ex: Executor, inputs: readonly Uint8Array[], options: SessionOptions = {}): Session {
  const prepared = ex.prepared;
  const ops = prepared.ops;
  const n = ops.length;
  const inputIndex = prepared.input.index;
  const outIndex = prepared.output.index;
  const outDtype = prepared.output.dtype as 'int8' | 'float32';
  const inBytes = prepared.tensorBytes[inputIndex];
  inputs.forEach((x, i) => {
    if (x.byteLength !== inBytes) throw new ModelError(`createSession: image ${i} has ${x.byteLength} bytes, expected ${inBytes}`);
  });
  const maxBytes = options.maxCacheBytes ?? 256 * 1024 * 1024;
  const keepOutputs = options.keepOutputs ?? false;
  const labels = options.labels;
  if (labels !== undefined && labels.length !== inputs.length) {
    throw new ModelError(`createSession: ${labels.length} labels for ${inputs.length} images`);
  }
  /** List positions of maskable operators, in order. */
  const maskable: number[] = [];
  ops.forEach((p, j) => {
    if (isWeightedOp(p)) maskable.push(j);
  });
  /** Checkpoint positions: every maskable operator after the first op, and the end. */
  const positions = [...new Set([...maskable.filter((j) => j > 0), n])];
  const live = new Map<number, number[]>(positions.map((j) => [j, ex.liveBefore(j)]));
  const macsFrom = (j: number): number => {
    let s = 0;
    for (let i = j; i < n; i++) {
      const p = ops[i];
      if (isWeightedOp(p)) s += p.macs;
    }
    return s;
  };
  let checkpoints: Checkpoint[] = [];
  let clock = 0;
  const used = (): number => checkpoints.reduce((s, c) => s + c.data.byteLength, 0);

  const prefixMatches = (c: Checkpoint, current: readonly (SkipMask | null)[]): boolean => {
    for (let m = 0; m < c.prefix.length; m++) if (!sameMask(c.prefix[m], current[m])) return false;
    return true;
  };

  /**
   * Buffers of checkpoints dropped during the current evaluation, by size: a
   * new checkpoint of the same size takes one instead of a fresh allocation
   * (a fresh one is zeroed and page-faulted in as it is written: on 5,000
   * ResNet-8 images that made checkpointing cost half as much as the
   * layers it saved). Emptied at the end of each evaluation.
   */
  const spare = new Map<number, Uint8Array[]>();
  const allocate = (bytes: number): Uint8Array => spare.get(bytes)?.pop() ?? new Uint8Array(bytes);

  /** Makes room for `bytes` more by dropping least recently used checkpoints other than `keep`. */
  const reserve = (bytes: number, keep: Checkpoint | null): boolean => {
    const keepBytes = keep?.data.byteLength ?? 0;
    if (bytes + keepBytes > maxBytes) return false;
    checkpoints.sort((a, b) => a.lastUsed - b.lastUsed);
    let total = used();
    const kept: Checkpoint[] = [];
    for (const c of checkpoints) {
      if (c !== keep && total + bytes > maxBytes) {
        total -= c.data.byteLength;
        const list = spare.get(c.data.byteLength);
        if (list === undefined) spare.set(c.data.byteLength, [c.data]);
        else list.push(c.data);
      } else kept.push(c);
    }
    checkpoints = kept;
    return true;
  };

  return {
    images: inputs.length,
    cacheBytes: used,
    clear() {
      checkpoints = [];
    },
    evaluate(masks) {
      ex.validateMasks(masks);
      clock++;
      const current = maskable.map((j) => {
        const m = masks?.get(ops[j].opIndex);
        return m === undefined || isAllZero(m) ? null : m.slice();
      });
      const execMasks = new Map<number, SkipMask>();
      maskable.forEach((j, m) => {
        const mask = current[m];
        if (mask !== null) execMasks.set(ops[j].opIndex, mask);
      });
      let from: Checkpoint | null = null;
      for (const c of checkpoints) {
        if ((from === null || c.position > from.position) && prefixMatches(c, current)) from = c;
      }
      const start = from?.position ?? 0;
      if (from !== null) from.lastUsed = clock;
      // New checkpoints after the resume point, as the budget allows.
      const fresh: Checkpoint[] = [];
      for (const j of positions) {
        if (j <= start) continue;
        const tensors = live.get(j)!;
        const recordBytes = tensors.reduce((s, t) => s + prepared.tensorBytes[t], 0);
        const bytes = recordBytes * inputs.length;
        if (!reserve(bytes + fresh.reduce((s, c) => s + c.data.byteLength, 0), from)) continue;
        const prefix = current.slice(0, maskable.filter((q) => q < j).length);
        fresh.push({ position: j, prefix, tensors, recordBytes, data: allocate(bytes), lastUsed: clock });
      }
      spare.clear();
      ex.useMasks(execMasks);
      const predictions = new Int32Array(inputs.length);
      const outputs: Uint8Array[] | null = keepOutputs ? [] : null;
      for (let i = 0; i < inputs.length; i++) {
        if (from === null) ex.bytes(inputIndex).set(inputs[i]);
        else {
          let off = i * from.recordBytes;
          for (const t of from.tensors) {
            const b = prepared.tensorBytes[t];
            ex.bytes(t).set(from.data.subarray(off, off + b));
            off += b;
          }
        }
        let pos = start;
        for (const c of fresh) {
          ex.runRange(pos, c.position);
          pos = c.position;
          let off = i * c.recordBytes;
          for (const t of c.tensors) {
            const v = ex.bytes(t);
            c.data.set(v, off);
            off += v.byteLength;
          }
        }
        ex.runRange(pos, n);
        const out = ex.bytes(outIndex);
        predictions[i] = argmaxBytes(out, outDtype);
        if (outputs !== null) outputs.push(out.slice());
      }
      for (const c of fresh) checkpoints.push(c);
      let correct: number | null = null;
      if (labels !== undefined) {
        correct = 0;
        for (let i = 0; i < predictions.length; i++) if (predictions[i] === labels[i]) correct++;
      }
      return { predictions, correct, outputs, resumedAt: start, macsComputed: macsFrom(start) * inputs.length };
    },
  };
}
