/**
 * What every job names so that a worker evaluates it on the coordinator's
 * own model and data: the model (name, file, sha256), its input
 * preprocessing and a hash of the CIFAR-10 test set. A worker reads its own
 * copies and refuses a job whose hashes differ from them.
 */
import { createHash } from 'node:crypto';
import { loadCifar10 } from '../../model/dataset/cifar10.js';
import type { Preprocess, ResolvedModel } from '../../model/registry.js';

/** The model and data a job is evaluated on. */
export interface ClusterIdentity {
  readonly model: { readonly name: string; readonly file: string; readonly sha256: string };
  readonly preprocess: Preprocess;
  /** sha256 of the test set's labels and images. */
  readonly dataset: string;
}

const datasetMemo = new Map<string, string>();

/** sha256 of the CIFAR-10 test set in `dir` (default lookup when undefined): its labels, then every image. */
export function datasetHash(dir: string | undefined): string {
  const key = dir ?? '';
  let hash = datasetMemo.get(key);
  if (hash === undefined) {
    const ds = loadCifar10({ dir, split: 'test' });
    const h = createHash('sha256').update(`cifar10 test ${ds.count}\0`).update(ds.labels);
    for (let i = 0; i < ds.count; i++) h.update(ds.image(i));
    hash = h.digest('hex');
    datasetMemo.set(key, hash);
  }
  return hash;
}

/** The identity of a run's model and data. */
export function clusterIdentity(model: ResolvedModel, dataDir: string | undefined): ClusterIdentity {
  const file = model.path.split(/[\\/]/).pop()!;
  return { model: { name: model.name, file, sha256: model.sha256 }, preprocess: model.preprocess, dataset: datasetHash(dataDir) };
}

/** Short form of a hash for messages. */
export const shortHash = (h: string): string => h.slice(0, 12);
