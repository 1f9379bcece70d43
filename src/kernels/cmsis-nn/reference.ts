/**
 * CMSIS-NN as an exact reference for a model on a board: the network built
 * on Arm's library, one inference timed in the emulator and checked against
 * the reference engine. The profile is cached by content (image bytes, board
 * timing, input), so a DSE report pays for it once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BoardProfile } from '../../emulator/board.js';
import { cycleModelHash } from '../../emulator/cycle-model-hash.js';
import { prepareGraph, type PreparedGraph } from '../../model/engine/prepare.js';
import type { NetworkImage } from '../network/build.js';
import type { Graph } from '../../model/ir.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { cacheDir } from '../../util/cache-dir.js';
import { profileImage, type NetworkProfile } from '../profile.js';
import { boardKey } from '../variant-cost.js';
import { hasCmsisNnKernel } from './glue.js';
import { buildCmsisNnNetwork, type CmsisNnBuildOptions } from './network.js';

/** Label of CMSIS-NN profiles and layers (`--kernels cmsis-nn`). */
export const CMSIS_NN_STYLE = 'cmsis-nn';

/** Times a CMSIS-NN image; layers CMSIS-NN has no kernel for are labelled baseline. */
function timeImage(prepared: PreparedGraph, image: NetworkImage, input: Uint8Array): NetworkProfile {
  const byOp = new Map(prepared.ops.map((op) => [op.opIndex, op]));
  return profileImage(prepared, image, CMSIS_NN_STYLE, input, undefined, (l) => (hasCmsisNnKernel(byOp.get(l.opIndex)!) ? CMSIS_NN_STYLE : 'baseline'));
}

/** Builds (cached) and times the model on CMSIS-NN (not cached: see {@link cmsisNnReference}). */
export async function profileCmsisNn(graph: Graph, board: BoardProfile, input: Uint8Array, options: CmsisNnBuildOptions = {}): Promise<NetworkProfile> {
  const prepared = prepareGraph(graph);
  return timeImage(prepared, await buildCmsisNnNetwork(prepared, board, options), input);
}

/**
 * The CMSIS-NN profile of `graph` on `board` for one input (graph input
 * bytes), cached on disk by image, board timing and input. Throws
 * SimDseError('cmsis-nn') when the library is missing or does not compile.
 */
export async function cmsisNnReference(graph: Graph, board: BoardProfile, input: Uint8Array, options: { readonly dir?: string } = {}): Promise<NetworkProfile> {
  const prepared = prepareGraph(graph);
  const image = await buildCmsisNnNetwork(prepared, board, { dir: options.dir });
  // the cycle model's hash too: a changed model never reads a count the old one computed
  const key = createHash('sha256').update(image.elf).update('\0').update(boardKey(board)).update('\0').update(input).update('\0').update(cycleModelHash()).digest('hex');
  const path = join(cacheDir('cmsis-nn-reference', key.slice(0, 2)), `${key}.json`);
  if (existsSync(path)) {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as NetworkProfile;
    } catch {
      // unreadable entry: recompute and overwrite
    }
  }
  const profile = timeImage(prepared, image, input);
  writeFileAtomic(path, JSON.stringify(profile) + '\n');
  return profile;
}
