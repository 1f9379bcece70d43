/**
 * Builds a network variant into an emulator image: assemble the C sources,
 * compile the layers in parallel through the object cache, link, and measure
 * flash/RAM against the board.
 */
import type { BoardProfile } from '../../emulator/board.js';
import { parseElf, type ElfImage } from '../../emulator/elf.js';
import type { PreparedGraph } from '../../model/engine/prepare.js';
import { compileAndLink, type CompiledObject, type LinkArchive } from '../compile/compile.js';
import { checkPlacementFits, placementNeeds, withRoomToPlace } from '../placement/fit.js';
import { placedLinkScript } from '../placement/link-script.js';
import { ALL_FLASH, homesOf, layerUnit, type Placement } from '../placement/placement.js';
import { fitsBoard, imageSizes, stackBound, type ImageSizes } from '../compile/image-size.js';
import { checkFitBeforeCompile } from './size-estimate.js';
import { assembleNetwork, networkPages, type AssembleOptions, type LayerEmitters, type NetworkSource, type NetworkSpec } from './assemble.js';

/** A built network image. */
export interface NetworkImage {
  readonly board: BoardProfile;
  readonly source: NetworkSource;
  readonly elf: Uint8Array;
  readonly image: ElfImage;
  readonly objects: readonly CompiledObject[];
  readonly sizes: ImageSizes;
  /** Where each unit's code and constants live. */
  readonly placement: Placement;
  /** Whether the image fits the board; the reason when it does not. */
  readonly fit: { readonly fits: true } | { readonly fits: false; readonly reason: string };
  /** Present when linked with room in SRAM ({@link BuildOptions.roomInSram}): it runs only on a board with that room. */
  readonly roomInSram?: true;
}

/** Options of {@link buildNetwork}. */
export interface BuildOptions extends AssembleOptions {
  /** Parallel compiler processes (default: available cores). */
  readonly jobs?: number;
  /** Use the content-hash cache (default true). */
  readonly cache?: boolean;
  /** Linker script (default: the emulator script of the board). */
  readonly linkScript?: string;
  /** Where each layer's code and constants live (default: all in flash); checked to fit before linking. */
  readonly placement?: Placement;
  /** Flags appended to the kernel flags of every unit (e.g. an include folder of an external library). */
  readonly extraCflags?: readonly string[];
  /** Static libraries linked after the objects. */
  readonly archives?: readonly LinkArchive[];
  /** -fstack-usage lines of the archives' functions (for the stack bound). */
  readonly archiveStackUsage?: readonly string[];
  /**
   * Choose each unpacked layer's structure for this board and the home of its code in `placement`
   * (unpacked/choose.ts) instead of the zero-wait choice. Off by default: the DSE's layer variants
   * and exported firmware use the zero-wait choice, so their code is the same on every board.
   */
  readonly boardAwareChoice?: boolean;
  /** Refuse, before compiling, an image whose estimated size cannot fit the board (see size-estimate.ts). */
  readonly fitCheck?: boolean;
  /**
   * Link (unplaced) with room in SRAM as well as flash, so an exact reference whose arena and scratch
   * exceed the board's SRAM still links and can be timed; its {@link NetworkImage.fit} says it does not fit.
   */
  readonly roomInSram?: boolean;
}

/**
 * The board with 64 MB of flash and otherwise the same timing: links and
 * emulates images that do not fit the real part (their cycles are still
 * meaningful for exploration; {@link NetworkImage.fit} says they do not fit).
 */
export function withLargeFlash(board: BoardProfile): BoardProfile {
  return { ...board, regions: board.regions.map((r) => (r.kind === 'flash' ? { ...r, size: 64 * 1024 * 1024 } : r)) };
}

/** Bytes of the input and output buffers of one inference, each 8-byte aligned as the call harness places them. */
export function inferenceBuffers(plan: { readonly inputBytes: number; readonly outputBytes: number }): number {
  const align8 = (n: number): number => (n + 7) & ~7;
  return align8(plan.inputBytes) + align8(plan.outputBytes);
}

/** Assembles, compiles and links a network variant for a board. */
export async function buildNetwork(
  prepared: PreparedGraph,
  spec: NetworkSpec,
  board: BoardProfile,
  emitters: LayerEmitters,
  options: BuildOptions = {},
): Promise<NetworkImage> {
  const placement = options.placement ?? ALL_FLASH;
  const codeTarget = options.boardAwareChoice ? (opIndex: number) => ({ board, code: homesOf(placement, layerUnit(opIndex)).code }) : undefined;
  const overlaid = new Set(prepared.ops.filter((op) => homesOf(placement, layerUnit(op.opIndex)).code === 'overlay').map((op) => op.opIndex));
  const source = assembleNetwork(prepared, spec, emitters, { ...options, codeTarget, overlaid });
  if (options.fitCheck === true) checkFitBeforeCompile(source, board, `${prepared.graph.name} (${spec.style} kernels)`);
  // Link against a large flash so an image that does not fit still links and can be sized and reported.
  const stackOf = (objects: readonly CompiledObject[]): number => stackBound([...objects.map((o) => o.stackUsage), ...(options.archiveStackUsage ?? [])], 'sim_infer', 'layer_');
  const placed = placement.size > 0;
  const { elf, objects } = await compileAndLink({
    sources: source.sources,
    board: options.roomInSram === true && !placed ? withRoomToPlace(withLargeFlash(board)) : withLargeFlash(board),
    jobs: options.jobs,
    cache: options.cache,
    linkScript: options.linkScript,
    linkScriptFor: placed
      ? (objects) => {
          checkPlacementFits(board, placementNeeds(objects, placement, stackOf(objects), inferenceBuffers(source.plan)));
          return placedLinkScript(withLargeFlash(board), placement, networkPages(source.layers));
        }
      : undefined,
    extraCflags: options.extraCflags,
    archives: options.archives,
  });
  const image = parseElf(elf, `${prepared.graph.name}-${spec.style}.elf`);
  const sizes = imageSizes(image, stackOf(objects));
  // An inference also needs its input and output buffers in SRAM (the call harness places them there).
  const fit = fitsBoard({ ...sizes, ram: sizes.ram + inferenceBuffers(source.plan) }, board);
  return { board, source, elf, image, objects, sizes, placement, fit, ...(options.roomInSram === true && !placed ? { roomInSram: true as const } : {}) };
}
