/**
 * Calibration images for data-driven significance: the first N images of
 * CIFAR-10's data_batch_1.bin (training data; the test set is never used
 * here), preprocessed into the model's input bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cifar10Dir, parseCifar10, CIFAR10_URL } from '../../model/dataset/cifar10.js';
import { modelInputs } from '../../model/dataset/preprocess.js';
import { DatasetError } from '../../model/errors.js';
import type { Graph } from '../../model/ir.js';
import type { Preprocess } from '../../model/registry.js';
import { UsageError } from '../../util/errors.js';

/** The file calibration images come from. */
export const CALIBRATION_FILE = 'data_batch_1.bin';

/** Calibration images used when none is asked for. */
export const DEFAULT_CALIBRATION_IMAGES = 128;

/**
 * The first `count` images of data_batch_1.bin as input bytes of `graph`.
 * @param dataDir the CIFAR-10 folder (default: see cifar10Dir)
 */
export function calibrationInputs(graph: Graph, preprocess: Preprocess, count: number = DEFAULT_CALIBRATION_IMAGES, dataDir?: string): Uint8Array[] {
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`calibration image count must be a positive integer, got ${count}`);
  const dir = cifar10Dir(dataDir);
  const path = join(dir, CALIBRATION_FILE);
  if (!existsSync(path)) throw new DatasetError(`calibration file ${path} not found: download ${CIFAR10_URL} and pass --data <folder cifar-10-batches-bin>`);
  const buf = readFileSync(path);
  const ds = parseCifar10(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), CALIBRATION_FILE);
  const images = modelInputs(ds, graph, preprocess, count);
  return Array.from({ length: count }, (_, i) => images.input(i));
}
