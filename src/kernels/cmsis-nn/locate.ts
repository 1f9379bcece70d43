/**
 * Where Arm's CMSIS-NN library is: `--cmsis-nn DIR`, else $SIM_DSE_CMSIS_NN,
 * else `third-party/CMSIS-NN` in the shared folder beside the checkout
 * (../shared). sim-dse compiles and links it from there as an external exact
 * reference and never copies it into its own repository.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sharedDir } from '../../util/paths.js';
import { SimDseError, isErrorKind } from '../../util/errors.js';

/** A CMSIS-NN checkout that has the files sim-dse compiles. */
export interface CmsisNnDir {
  /** Absolute root (holds Include/ and Source/). */
  readonly root: string;
  readonly include: string;
  readonly source: string;
}

/** The folder sim-dse would use without an explicit one (may not exist), or undefined when there is no shared folder. */
export function defaultCmsisNnDir(): string | undefined {
  const env = process.env.SIM_DSE_CMSIS_NN;
  if (env) return resolve(env);
  const shared = sharedDir();
  return shared === undefined ? undefined : join(shared, 'third-party', 'CMSIS-NN');
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/**
 * The CMSIS-NN folder (`dir`, else $SIM_DSE_CMSIS_NN, else the shared copy).
 * Throws SimDseError('cmsis-nn') with one line naming the folder and what is
 * missing.
 */
export function locateCmsisNn(dir?: string): CmsisNnDir {
  const root = dir !== undefined ? resolve(dir) : defaultCmsisNnDir();
  if (root === undefined) {
    throw new SimDseError('cmsis-nn', 'CMSIS-NN not found: no ../shared/third-party/CMSIS-NN beside the checkout; give --cmsis-nn DIR or set SIM_DSE_CMSIS_NN');
  }
  if (!isDir(root)) throw new SimDseError('cmsis-nn', `CMSIS-NN not found: ${root} is not a folder (give --cmsis-nn DIR or set SIM_DSE_CMSIS_NN)`);
  const include = join(root, 'Include');
  const source = join(root, 'Source');
  if (!existsSync(join(include, 'arm_nnfunctions.h')) || !isDir(source)) {
    throw new SimDseError('cmsis-nn', `CMSIS-NN not found: ${root} has no Include/arm_nnfunctions.h and Source/ (not a CMSIS-NN checkout)`);
  }
  return { root, include, source };
}

/** The CMSIS-NN folder, or null when there is none (the DSE report then says so). */
export function findCmsisNn(dir?: string): CmsisNnDir | null {
  try {
    return locateCmsisNn(dir);
  } catch (err) {
    if (isErrorKind(err, 'cmsis-nn')) return null;
    throw err;
  }
}
