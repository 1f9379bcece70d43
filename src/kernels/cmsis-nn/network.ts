/**
 * A whole network on CMSIS-NN: the same runtime (net.c, memory plan, DWT
 * marks) as sim-dse's own images, each layer a glue unit calling Arm's
 * library (glue.ts), linked against the compiled CMSIS-NN archive
 * (library.ts). After linking, every layer's scratch need as the library
 * itself states it (`<fn>_buffer_bytes`, run in the emulator) is checked
 * against the scratch the image reserves.
 */
import type { BoardProfile } from '../../emulator/board.js';
import { Machine } from '../../emulator/machine.js';
import type { PreparedGraph } from '../../model/engine/prepare.js';
import { SimDseError } from '../../util/errors.js';
import { baselineLibrarySources } from '../baseline/library.js';
import type { LayerEmitters } from '../network/assemble.js';
import { buildNetwork, withLargeFlash, type BuildOptions, type NetworkImage } from '../network/build.js';
import { emitCmsisNnLayer } from './glue.js';
import { cmsisNnLibrary, type CmsisNnLibrary } from './library.js';
import { locateCmsisNn } from './locate.js';

/** Layer emitters whose every layer is CMSIS-NN glue (the baseline library serves the operators CMSIS-NN lacks). */
export function cmsisNnEmitters(): LayerEmitters {
  return {
    baseline: emitCmsisNnLayer,
    unpacked: () => {
      throw new SimDseError('kernels', 'CMSIS-NN images have no unpacked layers');
    },
    sparse: () => {
      throw new SimDseError('kernels', 'CMSIS-NN images have no sparse layers');
    },
    librarySources: baselineLibrarySources,
  };
}

/** Build options that compile glue against the library's headers and link its archive. */
export function cmsisNnBuildOptions(library: CmsisNnLibrary, options: BuildOptions = {}): BuildOptions {
  return {
    ...options,
    // The -D puts the library's content hash into every glue object's cache key (its headers are outside the build).
    extraCflags: [...(options.extraCflags ?? []), `-I${library.dir.include}`, `-DSIM_CMSIS_NN_KEY=0x${library.hash.slice(0, 8)}`],
    archives: [...(options.archives ?? []), library],
    archiveStackUsage: [...(options.archiveStackUsage ?? []), library.stackUsage],
  };
}

/** Options of {@link buildCmsisNnNetwork}. */
export interface CmsisNnBuildOptions extends BuildOptions {
  /** CMSIS-NN folder (default: $SIM_DSE_CMSIS_NN or ../shared/third-party/CMSIS-NN). */
  readonly dir?: string;
}

/** Checks every layer's scratch need, as the library states it, against the image's scratch. */
function checkBuffers(image: NetworkImage): void {
  const board = image.fit.fits ? image.board : withLargeFlash(image.board);
  const machine = new Machine(image.image, board, image.image.fileName);
  try {
    for (const l of image.source.layers) {
      const symbol = `${l.fn}_buffer_bytes`;
      if (!image.image.symbols.has(symbol)) continue;
      const r = machine.call({ symbol, args: [] });
      if (r.kind === 'fault') throw new SimDseError('fault', `${symbol}: ${r.message}`, { unit: symbol, pc: r.pc });
      const want = r.returnValue | 0;
      if (want > image.source.scratchBytes) {
        throw new SimDseError('kernels', `CMSIS-NN asks for ${want} scratch bytes for ${l.name}; the image reserves ${image.source.scratchBytes}`);
      }
    }
  } finally {
    machine.close();
  }
}

/** Builds a network image on CMSIS-NN (library compiled once and cached). Throws SimDseError('cmsis-nn') when it is missing or does not compile. */
export async function buildCmsisNnNetwork(prepared: PreparedGraph, board: BoardProfile, options: CmsisNnBuildOptions = {}): Promise<NetworkImage> {
  const library = await cmsisNnLibrary(locateCmsisNn(options.dir));
  const image = await buildNetwork(prepared, { style: 'baseline' }, board, cmsisNnEmitters(), cmsisNnBuildOptions(library, options));
  checkBuffers(image);
  return image;
}
