/**
 * Top-1 counts of many skip configurations on fixed image sets: the work a
 * pool worker does. A bench loads the model and the images once and keeps
 * one prefix-reusing session per image set (the search set: the first
 * `searchImages` test images; the full set: the first `fullImages`), so
 * consecutive configurations that share their first layers' masks
 * recompute only the later layers.
 */
import { compensationRefit, type Compensation } from '../../model/compensation/index.js';
import { loadCifar10 } from '../../model/dataset/cifar10.js';
import { modelInputs } from '../../model/dataset/preprocess.js';
import { createEngine, createSession, type Session } from '../../model/engine/index.js';
import type { SkipMask, SkipMasks } from '../../model/ir.js';
import type { Preprocess } from '../../model/registry.js';
import { importTflite } from '../../model/tflite/import.js';

/** Which images a configuration is evaluated on. */
export type ImageSet = 'search' | 'full';

/** Everything a bench needs; plain data, so it can be a worker's workerData. */
export interface AccuracySpec {
  readonly modelBytes: Uint8Array;
  readonly modelName: string;
  readonly preprocess: Preprocess;
  /** CIFAR-10 folder (undefined: the default lookup). */
  readonly dataDir?: string;
  /** Images of the search set (the first N of the test batch). */
  readonly searchImages: number;
  /** Images of the full set (the first N of the test batch, normally all 10,000). */
  readonly fullImages: number;
  /** Checkpoint bytes of each session (default {@link DEFAULT_CHECKPOINTS}; a part of a set gets its share). */
  readonly checkpoints?: CheckpointBudget;
  /** `--compensate`: masked layers run refitted weights and biases (absent: plain masks). */
  readonly compensation?: Compensation;
}

/** Masks as they travel to a worker: [operator index, mask] pairs. */
export type MaskList = readonly (readonly [number, SkipMask])[];

/** Part `index` of `of` near-equal contiguous parts of an image set. */
export interface ImagePart {
  readonly index: number;
  readonly of: number;
}

/** One unit of pool work: configurations evaluated in order on one image set (or one part of it). */
export interface AccuracyTask {
  readonly set: ImageSet;
  readonly points: readonly MaskList[];
  /** Only these images of the set (default: all); the parts' counts add up to the set's. */
  readonly part?: ImagePart;
}

/** The first and past-the-last image of `part` of a set of `count` images. */
export function partRange(count: number, part: ImagePart = { index: 0, of: 1 }): [number, number] {
  return [Math.floor((part.index * count) / part.of), Math.floor(((part.index + 1) * count) / part.of)];
}

/** Checkpoint bytes of a worker's session on each image set. */
export type CheckpointBudget = Readonly<Record<ImageSet, number>>;

const MIB = 1024 * 1024;

/** Checkpoint budget of each session when the worker's share of the machine is not given (inline evaluation). */
export const DEFAULT_CHECKPOINTS: CheckpointBudget = { search: 192 * MIB, full: 128 * MIB };

/**
 * Checkpoint bytes of each worker when `workers` share a machine of `totalBytes` of memory: an eighth of
 * the memory split between them, at least {@link DEFAULT_CHECKPOINTS} and at most 1 GiB for the search set
 * (the full set's sessions two thirds of that). Prefix reuse is most of a warm search's speed: LeNet's
 * search on one worker took 30.5 s with 192 MiB and 15.9 s with 1 GiB (bench/RESULTS.md). Pure.
 */
export function checkpointBudget(totalBytes: number, workers: number): CheckpointBudget {
  const share = Math.floor(totalBytes / 8 / Math.max(1, workers) / MIB) * MIB;
  const search = Math.min(1024 * MIB, Math.max(DEFAULT_CHECKPOINTS.search, share));
  return { search, full: Math.max(DEFAULT_CHECKPOINTS.full, Math.floor((search * 2) / 3 / MIB) * MIB) };
}

/** Evaluates tasks; holds the engine, the images and the sessions. */
export interface AccuracyBench {
  /** Correct top-1 predictions of each configuration of the task, in order. */
  run(task: AccuracyTask): number[];
}

/** Converts masks to the list form that crosses a worker boundary. */
export function toMaskList(masks: SkipMasks): MaskList {
  return [...masks.entries()].sort((a, b) => a[0] - b[0]);
}

/** Creates a bench (loads the model now, each image set on first use). */
export function createAccuracyBench(spec: AccuracySpec): AccuracyBench {
  const graph = importTflite(spec.modelBytes, spec.modelName);
  const engine = createEngine(graph, spec.compensation ? { refit: compensationRefit(spec.compensation) } : {});
  const ds = loadCifar10({ dir: spec.dataDir, split: 'test' });
  const sessions = new Map<string, Session>();
  const session = (set: ImageSet, part: ImagePart = { index: 0, of: 1 }): Session => {
    const key = `${set} ${part.index}/${part.of}`;
    let s = sessions.get(key);
    if (s === undefined) {
      const count = set === 'search' ? spec.searchImages : spec.fullImages;
      const [first, end] = partRange(count, part);
      const data = modelInputs(ds, graph, spec.preprocess, end);
      const inputs = Array.from({ length: end - first }, (_, i) => data.input(first + i));
      const labels = data.labels.slice(first, end);
      s = createSession(engine, inputs, { labels, maxCacheBytes: Math.floor((spec.checkpoints ?? DEFAULT_CHECKPOINTS)[set] / part.of) });
      sessions.set(key, s);
    }
    return s;
  };
  return {
    run(task) {
      const s = session(task.set, task.part);
      return task.points.map((list) => s.evaluate(new Map(list)).correct ?? 0);
    },
  };
}
