/**
 * The CMSIS-NN reference of a run: Arm's library built for the run's model
 * and board and timed on test image 0 (the image every layer variant is
 * timed on), or, when the library is not there, why not: a run without it
 * still completes and its report says CMSIS-NN was not found.
 */
import type { BoardProfile } from '../../emulator/board.js';
import { findCmsisNn } from '../../kernels/cmsis-nn/locate.js';
import { cmsisNnReference } from '../../kernels/cmsis-nn/reference.js';
import { compilerVersion } from '../../kernels/compile/toolchain.js';
import { testImageInput } from '../../model/dataset/preprocess.js';
import type { Graph } from '../../model/ir.js';
import type { Preprocess } from '../../model/registry.js';
import type { StoredCmsisNn } from '../store/run-store.js';

/** What the reference needs. */
export interface CmsisNnRunContext {
  readonly graph: Graph;
  readonly board: BoardProfile;
  readonly preprocess: Preprocess;
  readonly dataDir?: string;
  /** `--cmsis-nn DIR` (already checked to exist); default $SIM_DSE_CMSIS_NN or ../shared/third-party/CMSIS-NN. */
  readonly dir?: string;
}

/**
 * CMSIS-NN on the run's model and board, as `cmsis-nn.json` stores it.
 * A missing library or compiler gives `found: false` with the reason; a
 * library that is there but does not compile throws SimDseError('cmsis-nn').
 */
export async function measureCmsisNn(ctx: CmsisNnRunContext): Promise<StoredCmsisNn> {
  const dir = findCmsisNn(ctx.dir);
  if (dir === null) return { found: false, reason: 'CMSIS-NN not found (no ../shared/third-party/CMSIS-NN; give --cmsis-nn DIR or set SIM_DSE_CMSIS_NN)' };
  if (compilerVersion() === null) return { found: false, reason: 'arm-none-eabi-gcc is not installed, so CMSIS-NN could not be compiled' };
  const input = testImageInput(ctx.graph, ctx.preprocess, 0, ctx.dataDir);
  const p = await cmsisNnReference(ctx.graph, ctx.board, input, { dir: dir.root });
  return {
    found: true,
    dir: dir.root,
    cycles: p.cycles,
    flashBytes: p.sizes.flash,
    fits: p.fits,
    matchesEngine: p.matchesEngine,
    layers: p.layers.map((l) => ({ name: l.name, style: l.style, cycles: l.cycles })),
  };
}
