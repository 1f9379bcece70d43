/**
 * The emulated latency provider: real compiled kernels, real cycles. Every
 * layer variant (unpacked and baseline kernels of a maskable layer under one
 * mask; the baseline kernel of each fixed layer) is compiled alone and
 * emulated once on the board (cached by content hash); a point's latency is
 * the sum of its layers plus the runtime's own overhead, measured once as the
 * exact unpacked network's cycles minus the sum of its layers. Flash likewise:
 * the exact unpacked image's flash with each layer's code replaced.
 *
 * Kernel choice per layer: skipping operands makes unpacked code shorter and
 * faster, but on a board whose flash wait states the ART cannot hide, dense
 * unpacked code can be slower than the im2col + SMLAD baseline. Each maskable
 * layer of a point therefore runs the faster of its two kernels (both compute
 * the same bytes: a baseline layer takes the mask as zeroed weights); when
 * the result does not fit the board's flash, layers go back to baseline,
 * cheapest cycles per byte saved first, until it fits.
 */
import { createHash } from 'node:crypto';
import type { BoardProfile } from '../../emulator/board.js';
import { isWeightedOp, type PreparedOp } from '../../model/engine/prepare.js';
import type { Graph, SkipMask, SkipMasks } from '../../model/ir.js';
import { defaultEmitters } from '../../kernels/emitters.js';
import { buildNetwork } from '../../kernels/network/build.js';
import { NetworkRunner } from '../../kernels/network/emulate.js';
import { libraryFlashBytes, type VariantCost, type VariantRequest } from '../../kernels/variant-cost.js';
import { indexedCostVariant } from './variant-index.js';
import { flashCapacity } from './board-flash.js';
import { chooseKernels } from './kernel-choice.js';
import type { KernelStyle } from '../../kernels/network/assemble.js';
import type { Cost, LatencyProvider, PointLatency, ReferenceLatency } from './latency-types.js';
import { createFirmwareTimer, type FirmwareTimer } from '../../firmware/timing-pool.js';
import type { EmbeddedImages } from '../../firmware/images-source.js';
import { unpackedNetwork } from '../../firmware/network.js';
import { createVariantRequests } from './variant-requests.js';
import type { FirmwareBoard } from '../../firmware/firmware-boards.js';

/** What the emulated provider needs. */
export interface EmulatedLatencyOptions {
  readonly graph: Graph;
  readonly board: BoardProfile;
  /** Graph input bytes of the representative image every layer is timed on. */
  readonly input: Uint8Array;
  /** Test images a whole firmware embeds when a point is timed as one (see LatencyProvider.firmware). */
  readonly firmwareImages?: () => EmbeddedImages;
  /** The board's firmware support (with `firmwareImages`: points are timed as whole firmware). */
  readonly firmwareBoard?: FirmwareBoard;
  /** Worker threads that time whole firmware (default 1: the calling thread). */
  readonly firmwareThreads?: number;
  /** Compiles and emulates one layer variant (default: here, through the variant index); a cluster run sends it to its workers. */
  readonly variantCost?: (request: VariantRequest) => Promise<VariantCost>;
  /** Times whole firmware (default: {@link createFirmwareTimer} of `firmwareThreads`); a cluster run's times on its workers. */
  readonly firmwareTimer?: () => FirmwareTimer;
}

const maskKey = (m: SkipMask | undefined): string => (m ? createHash('sha256').update(m).digest('hex') : 'exact');

/** Creates the emulated provider (nothing is compiled until asked). */
export function createEmulatedLatency(options: EmulatedLatencyOptions): LatencyProvider {
  const { graph, board, input, firmwareImages, firmwareBoard } = options;
  let images: EmbeddedImages | undefined;
  let timer: FirmwareTimer | undefined;
  const requests = createVariantRequests(graph, board, input);
  const { prepared, plan, netInput } = requests;
  const emitters = defaultEmitters();
  const costOf = options.variantCost ?? ((request: VariantRequest) => indexedCostVariant(request, emitters));
  const variants = new Map<string, Promise<VariantCost>>();
  const variant = (op: PreparedOp, style: KernelStyle, mask: SkipMask | undefined, flashLimit?: number): Promise<VariantCost> => {
    const key = `${op.opIndex}/${style}/${maskKey(mask)}/${flashLimit ?? 'any'}`;
    let p = variants.get(key);
    if (!p) {
      p = costOf(requests.request(op, style, mask, flashLimit));
      variants.set(key, p);
    }
    return p;
  };
  const weighted = plan.layers.map((l) => l.op).filter(isWeightedOp);
  const fixed = plan.layers.map((l) => l.op).filter((op) => !isWeightedOp(op));
  const flashLimit = flashCapacity(board);
  let refs: Promise<ReferenceLatency & { overhead: number; baseFlash: number; libraryFlash: number }> | undefined;

  const wholeNetwork = async (style: KernelStyle): Promise<Cost> => {
    const image = await buildNetwork(prepared, { style }, board, emitters);
    const runner = new NetworkRunner(image);
    try {
      return { cycles: runner.infer(netInput).cycles, flashBytes: image.sizes.flash };
    } finally {
      runner.close();
    }
  };
  const references = (): Promise<ReferenceLatency & { overhead: number; baseFlash: number; libraryFlash: number }> => {
    refs ??= (async () => {
      const [baseline, unpackedExact, exact, libraryFlash] = await Promise.all([
        wholeNetwork('baseline'),
        wholeNetwork('unpacked'),
        Promise.all([...weighted.map((op) => variant(op, 'unpacked', undefined)), ...fixed.map((op) => variant(op, 'baseline', undefined))]),
        libraryFlashBytes(emitters, board),
      ]);
      const sumCycles = exact.reduce((s, c) => s + c.cycles, 0);
      const sumFlash = exact.slice(0, weighted.length).reduce((s, c) => s + c.flashBytes, 0);
      return { baseline, unpackedExact, overhead: unpackedExact.cycles - sumCycles, baseFlash: unpackedExact.flashBytes - sumFlash, libraryFlash };
    })();
    return refs;
  };

  return {
    description: `emulated ${board.id} (compiled unpacked layer variants, cycle model)`,
    async reference(): Promise<ReferenceLatency> {
      const r = await references();
      return { baseline: r.baseline, unpackedExact: r.unpackedExact };
    },
    async point(masks: SkipMasks): Promise<PointLatency> {
      const r = await references();
      // all variants at once: on a cold cache their compiles overlap (the compiler limit still holds)
      const [unpacked, base, f] = await Promise.all([
        // an unpacked layer that cannot fit beside the rest of the image even alone is never compiled (size-estimate.ts)
        Promise.all(weighted.map((op) => variant(op, 'unpacked', masks.get(op.opIndex), Math.max(0, flashLimit - r.baseFlash)))),
        Promise.all(weighted.map((op) => variant(op, 'baseline', masks.get(op.opIndex)))),
        Promise.all(fixed.map((op) => variant(op, 'baseline', undefined))),
      ]);
      // A baseline layer's own flash is its weights and parameters: the library is in baseFlash.
      const options = weighted.map((_, i) => ({
        unpacked: unpacked[i].tooLarge === true ? { cycles: Infinity, flashBytes: Infinity } : unpacked[i],
        baseline: { cycles: base[i].cycles, flashBytes: base[i].flashBytes - r.libraryFlash },
      }));
      const { kernels, flashBytes, fits } = chooseKernels(options, r.baseFlash, flashLimit);
      const layerCycles = kernels.map((k, i) => options[i][k].cycles);
      const cycles = r.overhead + layerCycles.reduce((s, c) => s + c, 0) + f.reduce((s, c) => s + c.cycles, 0);
      return {
        cycles,
        flashBytes,
        perLayer: weighted.map((op, i) => ({ opIndex: op.opIndex, cycles: layerCycles[i], kernels: kernels[i] })),
        fits,
      };
    },
    ...(firmwareImages && firmwareBoard && {
      async firmware(masks, kernels) {
        images ??= firmwareImages();
        timer ??= options.firmwareTimer?.() ?? createFirmwareTimer(options.firmwareThreads ?? 1);
        return timer.time({ network: unpackedNetwork(graph, masks, kernels), images, board: firmwareBoard });
      },
    }),
    async close() {
      await timer?.close();
    },
  };
}
