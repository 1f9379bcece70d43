/**
 * The emulated latency provider: real compiled kernels, real cycles. Every
 * layer variant (unpacked and baseline kernels of a maskable layer under one
 * mask; the baseline kernel of each fixed layer) is compiled alone and
 * emulated once on the board (cached by content hash); a point's latency is
 * the sum of its layers plus the runtime's own overhead, measured once as the
 * exact unpacked network's cycles minus the sum of its layers. Flash likewise:
 * the exact unpacked image's flash with each layer's code replaced. (An exact
 * unpacked network estimated too large for the board's flash is never
 * compiled: the exact baseline network serves instead, and the references
 * say the unpacked one was not built.)
 *
 * Kernel style and placement per layer: skipping operands makes unpacked
 * code shorter and the sparse loop kernel's list of weight units shorter;
 * the baseline takes the mask as zeroed weights. All three compute the same
 * bytes for any mask (bit-exact with the engine, which is what accuracy was
 * evaluated on), so the choice needs no accuracy: every maskable layer of a
 * point runs the fastest feasible combination of style and placement (code
 * and constants in flash, SRAM or the SRAM window; the library's code
 * likewise), each variant timed alone as placed, under the board's flash
 * and SRAM budgets (./style-choice.ts).
 */
import type { BoardProfile } from '../../emulator/board.js';
import { isWeightedOp, prepareGraph, type PreparedOp } from '../../model/engine/prepare.js';
import { compensatedGraph, compensationRefit, type Compensation } from '../../model/compensation/index.js';
import type { Graph, SkipMask, SkipMasks } from '../../model/ir.js';
import { defaultEmitters } from '../../kernels/emitters.js';
import { buildNetwork, inferenceBuffers } from '../../kernels/network/build.js';
import { estimateNetworkSize, fitVerdict, flashVerdict, type SizeEstimate } from '../../kernels/network/size-estimate.js';
import { NetworkRunner } from '../../kernels/network/emulate.js';
import { libraryFlashBytes, variantPlacementKey, type VariantCost, type VariantPlacement, type VariantRequest } from '../../kernels/variant-cost.js';
import { indexedCostVariant } from './variant-index.js';
import { flashCapacity } from './board-flash.js';
import { chooseStyles, scratchWords, type LibraryCase, type StyleOption } from './style-choice.js';
import { assembleNetwork, type KernelStyle } from '../../kernels/network/assemble.js';
import { hasSparsePath } from '../../kernels/sparse/emit.js';
import { memoryOf } from '../../emulator/memory-map.js';
import { OVERLAY_ALIGN, placementCapacity, placementNeeds } from '../../kernels/placement/fit.js';
import { ALL_FLASH, LIBRARY_UNIT, formatPlacement, layerUnit, type CodeHome, type Placement, type UnitPlacement } from '../../kernels/placement/placement.js';
import type { Cost, LatencyProvider, PointLatency, ReferenceLatency } from './latency-types.js';
import { firmwareIndexKey, imagesHash, indexedFirmware, storeFirmware } from './firmware-index.js';
import { indexedReferences, referencesKey, storeReferences, type ExactReferences } from './references-index.js';
import { createFirmwareTimer, type FirmwareTimer } from '../../firmware/timing-pool.js';
import type { EmbeddedImages } from '../../firmware/images-source.js';
import { unpackedNetwork } from '../../firmware/network.js';
import { createVariantRequests } from './variant-requests.js';
import { maskDigest } from '../space/mask-digest.js';
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
  /** `--compensate`: each masked layer variant, and each point's firmware, is built with the refitted weights and biases. */
  readonly compensation?: Compensation;
}

const maskKey = (m: SkipMask | undefined): string => (m === undefined ? 'exact' : maskDigest(m));

/** Creates the emulated provider (nothing is compiled until asked). */
export function createEmulatedLatency(options: EmulatedLatencyOptions): LatencyProvider {
  const { graph, board, input, firmwareImages, firmwareBoard } = options;
  let images: EmbeddedImages | undefined;
  let imagesKey: string | undefined;
  let timer: FirmwareTimer | undefined;
  const compensation = options.compensation ?? null;
  const requests = createVariantRequests(graph, board, input, compensation === null ? null : compensationRefit(compensation));
  const { prepared, plan, netInput } = requests;
  const emitters = defaultEmitters();
  const costOf = options.variantCost ?? ((request: VariantRequest) => indexedCostVariant(request, emitters));
  const variants = new Map<string, Promise<VariantCost>>();
  /**
   * One layer variant, compiled and emulated once per key; with `flashLimit`, an unpacked variant
   * estimated too large for it is not compiled (its cost says tooLarge).
   */
  const variant = (op: PreparedOp, style: KernelStyle, mask: SkipMask | undefined, placement?: VariantPlacement, flashLimit?: number): Promise<VariantCost> => {
    const key = `${op.opIndex}/${style}/${maskKey(mask)}/${variantPlacementKey(placement)}/${flashLimit ?? 'any'}`;
    let p = variants.get(key);
    if (!p) {
      p = costOf(requests.request(op, style, mask, { placement, flashLimit }));
      variants.set(key, p);
    }
    return p;
  };
  const weighted = plan.layers.map((l) => l.op).filter(isWeightedOp);
  const fixed = plan.layers.map((l) => l.op).filter((op) => !isWeightedOp(op));
  const flashLimit = flashCapacity(board);
  const hasWindow = memoryOf(board).codeSram !== null;
  const libraryHomes: readonly CodeHome[] = hasWindow ? ['flash', 'sram', 'alias'] : ['flash', 'sram'];
  let refs: Promise<ExactReferences> | undefined;

  /**
   * A whole network's cost and the SRAM it needs besides its scratch buffer and anything placed;
   * one whose inference cannot fit the board's SRAM (an unpacked stem's patch copy of a large input)
   * is linked and timed with room in SRAM and says `sramFits: false`.
   */
  const wholeNetwork = async (style: KernelStyle, estimate: SizeEstimate): Promise<Cost & { fixedSram: number; sramFits?: false }> => {
    const sram = fitVerdict(estimate, board);
    const roomInSram = sram.fits === 'no' && sram.region === 'sram';
    const image = await buildNetwork(prepared, { style }, board, emitters, { roomInSram });
    const runner = new NetworkRunner(image);
    try {
      const needs = placementNeeds(image.objects, ALL_FLASH, image.sizes.stack, inferenceBuffers(image.source.plan));
      const fixedSram = needs.dataBss - scratchWords(image.source.scratchBytes) + needs.stack + needs.buffers;
      return { cycles: runner.infer(netInput).cycles, flashBytes: image.sizes.flash, fixedSram, ...(roomInSram ? { sramFits: false as const } : {}) };
    } finally {
      runner.close();
    }
  };
  const estimateOf = (style: KernelStyle): SizeEstimate => estimateNetworkSize(assembleNetwork(prepared, { style }, emitters));
  const sumOf = (costs: readonly VariantCost[], f: (c: VariantCost) => number): number => costs.reduce((s, c) => s + f(c), 0);
  /**
   * The exact references, and what a point's sum adds to its layers: the runtime's cycles and the image's
   * flash besides the maskable layers, measured as a whole network minus its layers timed alone. That
   * network is the exact unpacked one; when its estimate cannot fit the board's flash it is never compiled
   * (nor are its layers as exact references: each is offered to a point only where its own estimate fits),
   * and the exact baseline network serves instead. Indexed by what they are computed from (./references-index.ts).
   */
  const references = (): Promise<ExactReferences> => {
    refs ??= (async () => {
      const key = referencesKey(prepared, netInput, board);
      const indexed = indexedReferences(key);
      if (indexed !== null) return indexed;
      const computed = await computeReferences();
      storeReferences(key, computed);
      return computed;
    })();
    return refs;
  };
  const computeReferences = async (): Promise<ExactReferences> => {
    const unpackedEstimate = estimateOf('unpacked');
    const buildUnpacked = flashVerdict(unpackedEstimate.flash, board).fits !== 'no';
    const layerStyle: KernelStyle = buildUnpacked ? 'unpacked' : 'baseline';
    const [baseline, unpackedExact, sparseExact, exact, libraryFlash] = await Promise.all([
      wholeNetwork('baseline', estimateOf('baseline')),
      buildUnpacked ? wholeNetwork('unpacked', unpackedEstimate) : null,
      wholeNetwork('sparse', estimateOf('sparse')),
      Promise.all([...weighted.map((op) => variant(op, layerStyle, undefined)), ...fixed.map((op) => variant(op, 'baseline', undefined))]),
      libraryFlashBytes(emitters, board),
    ]);
    const whole = unpackedExact ?? baseline;
    // a baseline layer's image holds the library too; the whole image holds it once
    const layerFlash = sumOf(exact.slice(0, weighted.length), (c) => c.flashBytes - (buildUnpacked ? 0 : libraryFlash));
    // the stack and .data/.bss differ a little between styles: the largest of those built bounds any mix
    const fixedSram = Math.max(baseline.fixedSram, unpackedExact?.fixedSram ?? 0, sparseExact.fixedSram);
    const cost = (c: Cost): Cost => ({ cycles: c.cycles, flashBytes: c.flashBytes, ...(c.sramFits === false ? { sramFits: false as const } : {}) });
    return {
      baseline: cost(baseline),
      unpackedExact: unpackedExact ? cost(unpackedExact) : { built: false, flashEstimate: unpackedEstimate.flash },
      overhead: whole.cycles - sumOf(exact, (c) => c.cycles),
      baseFlash: whole.flashBytes - layerFlash,
      libraryFlash,
      fixedSram,
    };
  };
  const codeHomes: readonly CodeHome[] = hasWindow ? ['flash', 'sram', 'alias', 'overlay'] : ['flash', 'sram'];

  /**
   * One option of a layer. A placed option of a masked layer starts as an
   * estimate (its flash cycles under the mask times what the same placement
   * does to the exact layer) with `measure` to replace it by its own timing.
   */
  interface Entry {
    option: StyleOption;
    measure: (() => Promise<StyleOption>) | null;
  }

  /**
   * The options of one maskable layer under `mask` with the library at `library`: each style
   * (sparse only where it has a path), each home its bytes can fit at all; a baseline layer's own
   * object is a small wrapper, so only its constants move (its loops are the library's).
   */
  const layerOptions = async (op: PreparedOp, mask: SkipMask | undefined, library: CodeHome, budget: { flash: number; sram: number; alias: number }): Promise<Entry[]> => {
    const styles: KernelStyle[] = ['baseline', 'unpacked', ...(hasSparsePath(op) ? (['sparse'] as const) : [])];
    const libraryFlash = (await references()).libraryFlash;
    const options = await Promise.all(
      styles.map(async (style) => {
        // an unpacked layer that cannot fit beside the rest of the image even alone is never compiled (size-estimate.ts)
        const flash = await variant(op, style, mask, undefined, style === 'unpacked' ? Math.max(0, budget.flash) : undefined);
        if (flash.tooLarge === true) return [];
        const flashBytes = style === 'baseline' ? flash.flashBytes - libraryFlash : flash.flashBytes;
        const homes: UnitPlacement[] = (style === 'baseline' ? (['flash'] as CodeHome[]) : codeHomes).flatMap((code) =>
          (['flash', 'sram'] as const).map((data) => ({ code, data })),
        );
        const fitting = homes.filter((h) => {
          if (h.data === 'sram' && flash.constBytes === 0) return false; // moves nothing
          const sram = (h.code === 'sram' ? flash.codeBytes : 0) + (h.data === 'sram' ? flash.constBytes : 0);
          // an unpacked overlay is paged (its region need is known once built: see `regionOf`)
          const window = h.code === 'alias' || (h.code === 'overlay' && style !== 'unpacked') ? flash.codeBytes : 0;
          return sram <= budget.sram && window <= budget.alias;
        });
        return Promise.all(
          fitting.map(async (homes): Promise<Entry> => {
            const lib = style === 'baseline' ? library : 'flash';
            const moved = homes.code !== 'flash' || homes.data !== 'flash' || lib !== 'flash';
            const place: VariantPlacement = { layer: homes, library: lib };
            // the overlay region an option needs: measured on its placed variant (older cache entries lack it: all its code)
            const regionOf = (c: VariantCost): number =>
              homes.code === 'overlay' ? (c.overlayBytes ?? Math.ceil(flash.codeBytes / OVERLAY_ALIGN) * OVERLAY_ALIGN) : 0;
            const option = (cycles: number, overlayBytes: number): StyleOption => ({
              style,
              homes,
              cycles,
              flashBytes,
              sramBytes: (homes.code === 'sram' ? flash.codeBytes : 0) + (homes.data === 'sram' ? flash.constBytes : 0),
              aliasBytes: homes.code === 'alias' ? flash.codeBytes : 0,
              overlayBytes,
              scratchBytes: flash.scratchBytes,
            });
            if (!moved) return { option: option(flash.cycles, 0), measure: null };
            if (mask === undefined) {
              const placed = await variant(op, style, undefined, place);
              return { option: option(placed.cycles, regionOf(placed)), measure: null };
            }
            const [exactFlash, exactPlaced] = await Promise.all([variant(op, style, undefined), variant(op, style, undefined, place)]);
            return {
              option: option(Math.round((flash.cycles * exactPlaced.cycles) / exactFlash.cycles), regionOf(exactPlaced)),
              measure: async () => {
                const placed = await variant(op, style, mask, place);
                return option(placed.cycles, regionOf(placed));
              },
            };
          }),
        );
      }),
    );
    return options.flat();
  };

  /**
   * The fastest feasible combination for `masks`: chosen on the table, the
   * chosen options that are estimates measured, and chosen again, until
   * every chosen option is measured (each round measures at least one, so
   * it ends; the rounds depend on the masks alone, so the result does not
   * depend on which points were evaluated before).
   */
  const point = async (masks: SkipMasks): Promise<PointLatency> => {
    const r = await references();
    const withWindow = placementCapacity(board, true);
    const budget = {
      flash: flashLimit - r.baseFlash,
      sram: placementCapacity(board, false).sram - r.fixedSram,
      sramWithAlias: withWindow.sram - r.fixedSram,
      alias: hasWindow ? withWindow.alias : 0,
    };
    const libraryCode = Math.max(0, ...(await Promise.all(fixed.map((op) => variant(op, 'baseline', undefined)))).map((c) => c.libraryCodeBytes));
    // all variants at once: on a cold cache their compiles overlap (the compiler limit still holds)
    const tables = await Promise.all(
      libraryHomes.map(async (library) => {
        const libPlace: VariantPlacement | undefined = library === 'flash' ? undefined : { layer: { code: 'flash', data: 'flash' }, library };
        const [layers, f] = await Promise.all([
          Promise.all(weighted.map((op) => layerOptions(op, masks.get(op.opIndex), library, budget))),
          Promise.all(fixed.map((op) => variant(op, 'baseline', undefined, libPlace))),
        ]);
        return { library, fixedCycles: r.overhead + f.reduce((s, c) => s + c.cycles, 0), layers };
      }),
    );
    const casesOf = (): LibraryCase[] =>
      tables.map((t) => ({
        library: t.library,
        sramBytes: t.library === 'sram' ? libraryCode : 0,
        aliasBytes: t.library === 'alias' ? libraryCode : 0,
        fixedCycles: t.fixedCycles,
        layers: t.layers.map((entries) => entries.map((e) => e.option)),
      }));
    let choice = chooseStyles(casesOf(), budget);
    for (;;) {
      const t = tables.find((x) => x.library === choice.library)!;
      const pending = choice.picks.flatMap((o, i) => t.layers[i].filter((e) => e.option === o && e.measure !== null));
      if (pending.length === 0) break;
      await Promise.all(
        pending.map(async (e) => {
          e.option = await e.measure!();
          e.measure = null;
        }),
      );
      choice = chooseStyles(casesOf(), budget);
    }
    const placement = new Map<string, UnitPlacement>();
    choice.picks.forEach((o, i) => {
      if (o.homes.code !== 'flash' || o.homes.data !== 'flash') placement.set(layerUnit(weighted[i].opIndex), o.homes);
    });
    if (choice.library !== 'flash') placement.set(LIBRARY_UNIT, { code: choice.library, data: 'flash' });
    return {
      cycles: choice.cycles,
      flashBytes: r.baseFlash + choice.flashBytes,
      perLayer: weighted.map((op, i) => ({ opIndex: op.opIndex, cycles: choice.picks[i].cycles, kernels: choice.picks[i].style })),
      fits: choice.fits,
      ...(placement.size > 0 ? { placement: formatPlacement(placement) } : {}),
    };
  };

  return {
    description: `emulated ${board.id} (compiled layer variants, per-layer style and placement, cycle model)`,
    async reference(): Promise<ReferenceLatency> {
      const r = await references();
      const exact = await point(new Map());
      return {
        baseline: r.baseline,
        unpackedExact: r.unpackedExact,
        exactChosen: { cycles: exact.cycles, flashBytes: exact.flashBytes, fits: exact.fits, ...(exact.placement ? { placement: exact.placement } : {}) },
      };
    },
    point,
    ...(firmwareImages && firmwareBoard && {
      async firmware(masks, kernels, placement?: Placement) {
        images ??= firmwareImages();
        imagesKey ??= imagesHash(images);
        // compensated, the point's firmware bakes its refitted weights: its key hashes them
        const pointGraph = compensation === null ? graph : compensatedGraph(graph, masks, compensation.inverses);
        const pointPrepared = compensation === null ? prepared : prepareGraph(pointGraph);
        const key = firmwareIndexKey({ prepared: pointPrepared, masks, kernels, placement, images: imagesKey, board: firmwareBoard });
        const indexed = indexedFirmware(key);
        if (indexed !== null) return indexed;
        timer ??= options.firmwareTimer?.() ?? createFirmwareTimer(options.firmwareThreads ?? 1);
        const outcome = await timer.time({ network: unpackedNetwork(pointGraph, masks, kernels, placement), images, board: firmwareBoard, ...(placement && placement.size > 0 ? { placement } : {}) });
        storeFirmware(key, outcome);
        return outcome;
      },
    }),
    async close() {
      await timer?.close();
    },
  };
}
