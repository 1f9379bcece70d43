/**
 * Builds a network variant into an emulator image: assemble the C sources,
 * compile the layers in parallel through the object cache, link, and measure
 * flash/RAM against the board.
 */
import type { BoardProfile } from '../../emulator/board.js';
import { parseElf, type ElfImage } from '../../emulator/elf.js';
import type { PreparedGraph } from '../../model/engine/prepare.js';
import { compileAndLink, type CompiledObject, type LinkArchive } from '../compile/compile.js';
import { fitsBoard, imageSizes, stackBound, type ImageSizes } from '../compile/image-size.js';
import { assembleNetwork, type AssembleOptions, type LayerEmitters, type NetworkSource, type NetworkSpec } from './assemble.js';

/** A built network image. */
export interface NetworkImage {
  readonly board: BoardProfile;
  readonly source: NetworkSource;
  readonly elf: Uint8Array;
  readonly image: ElfImage;
  readonly objects: readonly CompiledObject[];
  readonly sizes: ImageSizes;
  /** Whether the image fits the board; the reason when it does not. */
  readonly fit: { readonly fits: true } | { readonly fits: false; readonly reason: string };
}

/** Options of {@link buildNetwork}. */
export interface BuildOptions extends AssembleOptions {
  /** Parallel compiler processes (default: available cores). */
  readonly jobs?: number;
  /** Use the content-hash cache (default true). */
  readonly cache?: boolean;
  /** Linker script (default: the emulator script of the board). */
  readonly linkScript?: string;
  /** Flags appended to the kernel flags of every unit (e.g. an include folder of an external library). */
  readonly extraCflags?: readonly string[];
  /** Static libraries linked after the objects. */
  readonly archives?: readonly LinkArchive[];
  /** -fstack-usage lines of the archives' functions (for the stack bound). */
  readonly archiveStackUsage?: readonly string[];
}

/**
 * The board with 64 MB of flash and otherwise the same timing: links and
 * emulates images that do not fit the real part (their cycles are still
 * meaningful for exploration; {@link NetworkImage.fit} says they do not fit).
 */
export function withLargeFlash(board: BoardProfile): BoardProfile {
  return { ...board, regions: board.regions.map((r) => (r.kind === 'flash' ? { ...r, size: 64 * 1024 * 1024 } : r)) };
}

/** Assembles, compiles and links a network variant for a board. */
export async function buildNetwork(
  prepared: PreparedGraph,
  spec: NetworkSpec,
  board: BoardProfile,
  emitters: LayerEmitters,
  options: BuildOptions = {},
): Promise<NetworkImage> {
  const source = assembleNetwork(prepared, spec, emitters, options);
  // Link against a large flash so an image that does not fit still links and can be sized and reported.
  const { elf, objects } = await compileAndLink({
    sources: source.sources,
    board: withLargeFlash(board),
    jobs: options.jobs,
    cache: options.cache,
    linkScript: options.linkScript,
    extraCflags: options.extraCflags,
    archives: options.archives,
  });
  const image = parseElf(elf, `${prepared.graph.name}-${spec.style}.elf`);
  const sizes = imageSizes(image, stackBound([...objects.map((o) => o.stackUsage), ...(options.archiveStackUsage ?? [])], 'sim_infer', 'layer_'));
  return { board, source, elf, image, objects, sizes, fit: fitsBoard(sizes, board) };
}
