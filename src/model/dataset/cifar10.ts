/**
 * CIFAR-10 in its standard binary format (the "CIFAR-10 binary version",
 * folder cifar-10-batches-bin): records of 3073 bytes, one label byte (0..9)
 * then 1024 red, 1024 green and 1024 blue bytes of a 32x32 image, row-major.
 *
 * The data folder is `--data DIR`, else the env SIM_DSE_DATA, else
 * `../shared/datasets/cifar10` beside the checkout when present. A folder
 * that holds a `cifar-10-batches-bin` subfolder is accepted too.
 */
import { existsSync, statSync } from 'node:fs';
import { readInputFile } from '../../util/read-file.js';
import { basename, join, resolve } from 'node:path';
import { sharedDir } from '../../util/paths.js';
import { DatasetError } from '../errors.js';

/** Bytes per record: 1 label + 3 * 32 * 32 pixels. */
export const CIFAR10_RECORD_BYTES = 3073;
/** Bytes of one image (3 planes of 32x32). */
export const CIFAR10_IMAGE_BYTES = 3072;
/** Class names in label order. */
export const CIFAR10_CLASSES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];
/** Where the dataset can be downloaded (mentioned in errors). */
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';

/** Which file(s) to read: the test batch, or the training batches present (data_batch_1..5). */
export type Cifar10Split = 'test' | 'train';

/** A loaded CIFAR-10 file (or files), images kept in their CHW record layout. */
export interface Cifar10 {
  /** File name(s) it was read from. */
  readonly source: string;
  readonly count: number;
  /** Label of each image (0..9). */
  readonly labels: Uint8Array;
  /** The 3072 pixel bytes of image `i` (R plane, G plane, B plane); a view, do not modify. */
  image(i: number): Uint8Array;
}

/** Parses the bytes of one or more concatenated CIFAR-10 binary batches. */
export function parseCifar10(bytes: Uint8Array, source: string): Cifar10 {
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DatasetError(
      `${source}: size ${bytes.length} is not a positive multiple of ${CIFAR10_RECORD_BYTES} (not a CIFAR-10 binary batch)`,
    );
  }
  const count = bytes.length / CIFAR10_RECORD_BYTES;
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const l = bytes[i * CIFAR10_RECORD_BYTES];
    if (l > 9) throw new DatasetError(`${source}: record ${i} has label ${l} (expected 0..9)`);
    labels[i] = l;
  }
  return {
    source,
    count,
    labels,
    image(i: number): Uint8Array {
      if (!Number.isInteger(i) || i < 0 || i >= count) throw new DatasetError(`${source}: image ${i} out of range 0..${count - 1}`);
      const start = i * CIFAR10_RECORD_BYTES + 1;
      return bytes.subarray(start, start + CIFAR10_IMAGE_BYTES);
    },
  };
}

/** The CIFAR-10 folder: `option`, else SIM_DSE_DATA, else ../shared/datasets/cifar10; throws with a download hint. */
export function cifar10Dir(option?: string): string {
  const env = process.env.SIM_DSE_DATA;
  const shared = sharedDir();
  const dir = option ? resolve(option) : env ? resolve(env) : shared ? join(shared, 'datasets', 'cifar10') : undefined;
  if (!dir || !existsSync(dir)) {
    throw new DatasetError(
      `CIFAR-10 not found${dir ? ` at ${dir}` : ''}: download ${CIFAR10_URL}, unpack it and pass --data <folder cifar-10-batches-bin> (or set SIM_DSE_DATA)`,
    );
  }
  const nested = join(dir, 'cifar-10-batches-bin');
  return existsSync(join(nested, 'test_batch.bin')) ? nested : dir;
}

/** Batches loaded by this thread, by their paths, sizes and times of change (a run asks for the test batch several times). */
const loaded = new Map<string, Cifar10>();

/**
 * Loads the test batch or the training batches of the folder (see {@link cifar10Dir}); read once per
 * thread while the files stay as they were.
 */
export function loadCifar10(opts: { dir?: string; split?: Cifar10Split } = {}): Cifar10 {
  const dir = cifar10Dir(opts.dir);
  const names =
    (opts.split ?? 'test') === 'test'
      ? ['test_batch.bin']
      : [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`).filter((n) => existsSync(join(dir, n)));
  const paths = names.map((n) => join(dir, n));
  if (paths.length === 0 || !existsSync(paths[0])) {
    throw new DatasetError(
      `CIFAR-10 ${opts.split ?? 'test'} batch not found in ${dir} (expected ${names[0] ?? 'data_batch_1.bin'}): download ${CIFAR10_URL} and pass --data <folder cifar-10-batches-bin>`,
    );
  }
  const key = paths
    .map((p) => {
      const st = statSync(p);
      return `${p}:${st.size}:${st.mtimeMs}`;
    })
    .join('\n');
  const known = loaded.get(key);
  if (known !== undefined) return known;
  const parts = paths.map((p) => {
    const b = readInputFile(p, 'CIFAR-10 batch');
    if (b.length % CIFAR10_RECORD_BYTES !== 0) {
      throw new DatasetError(`${p}: size ${b.length} is not a multiple of ${CIFAR10_RECORD_BYTES} (not a CIFAR-10 binary batch)`);
    }
    return b;
  });
  const all = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  const ds = parseCifar10(new Uint8Array(all.buffer, all.byteOffset, all.byteLength), paths.map((p) => basename(p)).join('+'));
  loaded.set(key, ds);
  return ds;
}
