/**
 * Latency and flash of one layer variant (one layer compiled alone, as
 * unpacked kernels with a given skip mask, or a fixed layer's baseline
 * kernel), the unit the DSE combines: a network's latency is the sum of its
 * layers' variant cycles plus the runtime's own overhead. Each variant is
 * compiled and emulated once and its cost cached by content hash (layer
 * source, kernel C library, board timing, input bytes, compiler).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BoardProfile } from '../emulator/board.js';
import { cycleModelHash } from '../emulator/cycle-model-hash.js';
import { parseElf } from '../emulator/elf.js';
import { Machine } from '../emulator/machine.js';
import { isWeightedOp, type PreparedOp } from '../model/engine/prepare.js';
import type { SkipMask } from '../model/ir.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { cacheDir } from '../util/cache-dir.js';
import { SimDseError } from '../util/errors.js';
import { compileAndLink, libraryHash } from './compile/compile.js';
import { imageSizes } from './compile/image-size.js';
import { CFLAGS, requireCompiler } from './compile/toolchain.js';
import { emitLayer, overlayCallSource, overlayLoaderSource, type KernelStyle, type LayerEmitters } from './network/assemble.js';
import { withLargeFlash } from './network/build.js';
import { ESTIMATE_RATIO, unitFlashEstimate } from './network/size-estimate.js';
import { objectFootprint, overlayRegionBytes, placedCodeBytes, unitOfObject, withRoomToPlace } from './placement/fit.js';
import { placedLinkScript } from './placement/link-script.js';
import { LIBRARY_UNIT, type CodeHome, type UnitPlacement } from './placement/placement.js';

/** Cycles and flash of one layer variant on one board. */
export interface VariantCost {
  /** Cycles of one call of the layer function (warm caches), on the board. */
  readonly cycles: number;
  /** Flash bytes of the layer's code and constants (text + rodata of its image). */
  readonly flashBytes: number;
  /** Instructions of the call. */
  readonly instructions: number;
  /**
   * Present (true) when the variant was not compiled because its estimated
   * flash cannot fit {@link VariantRequest.flashLimit}; cycles and
   * instructions are then 0, flashBytes and codeBytes the estimate.
   */
  readonly tooLarge?: true;
  /** Scratch bytes the layer needs (the network's scratch is the largest of its layers'). */
  readonly scratchBytes: number;
  /** Bytes the layer's code takes where it is placed (its object's text and one veneer per undefined symbol). */
  readonly codeBytes: number;
  /** Bytes of the layer's constants (its object's .rodata). */
  readonly constBytes: number;
  /** Bytes the kernel library's code takes where it is placed (0 when the variant calls none). */
  readonly libraryCodeBytes: number;
  /** Placed `overlay`: bytes of the overlay region it needs (its largest page when paged; fit.ts overlayRegionBytes). */
  readonly overlayBytes?: number;
}

/** Where a variant's layer object and (for baseline layers) the kernel library's code live while it is timed. */
export interface VariantPlacement {
  readonly layer: UnitPlacement;
  readonly library: CodeHome;
}

/** Text of a variant placement for cache keys (`flash` when nothing is placed). */
export function variantPlacementKey(p: VariantPlacement | undefined): string {
  if (!p || (p.layer.code === 'flash' && p.layer.data === 'flash' && p.library === 'flash')) return 'flash';
  return `${p.layer.code}/${p.layer.data},lib:${p.library}`;
}

/** Flash bytes (text + rodata) of the baseline kernel library on its own. */
export async function libraryFlashBytes(emitters: LayerEmitters, board: BoardProfile): Promise<number> {
  const { elf } = await compileAndLink({ sources: emitters.librarySources(), board });
  return imageSizes(parseElf(elf, 'library.elf'), 0).text;
}

/** What to cost: one layer of a prepared graph, its style (sparse falls back to baseline where it has no path) and mask, and its input activations. */
export interface VariantRequest {
  readonly op: PreparedOp;
  readonly style: KernelStyle;
  readonly mask: SkipMask | null;
  readonly board: BoardProfile;
  /** The layer's input activations (in0, and in1 for ADD) on a representative image. */
  readonly inputs: readonly Uint8Array[];
  /** Output bytes of the layer. */
  readonly outputBytes: number;
  /**
   * Flash bytes the layer may take at most: an unpacked variant whose
   * estimated flash cannot fit (size-estimate.ts) is not compiled (its cost
   * says {@link VariantCost.tooLarge}).
   */
  readonly flashLimit?: number;
  /** Where the layer's code and constants and the library's code live (default: all in flash). */
  readonly placement?: VariantPlacement;
}


/** Timing-relevant identity of a board (its id and every number the cycle model reads); part of every cycle cache key. */
export function boardKey(board: BoardProfile): string {
  return JSON.stringify([board.id, board.clockHz, board.flashWaitStates, board.flashLineBytes, board.accelerator]);
}

/** Whether a parsed cache entry has every field of a {@link VariantCost}. */
export function isVariantCost(x: VariantCost): boolean {
  return [x.cycles, x.flashBytes, x.instructions, x.scratchBytes, x.codeBytes, x.constBytes, x.libraryCodeBytes].every(Number.isInteger);
}

/** Compiles the variant alone and emulates one warm call (cached); with a placement, linked and run with its units so placed. */
export async function costVariant(request: VariantRequest, emitters: LayerEmitters): Promise<VariantCost> {
  const { op, style, mask, board } = request;
  const fn = `layer_${op.opIndex}`;
  if (style === 'unpacked' && !isWeightedOp(op)) throw new SimDseError('kernels', `operator ${op.opIndex} (${op.kind}) has no unpacked variant`);
  // an unpacked layer placed as an overlay is cut into pages it loads itself; other overlays are loaded whole by a wrapper
  const overlay = request.placement?.layer.code === 'overlay';
  const { style: built, emitted } = emitLayer(emitters, { op, fn }, style, mask ?? undefined, undefined, overlay);
  if (built === 'unpacked' && request.flashLimit !== undefined) {
    const estimate = unitFlashEstimate(emitted.source);
    if (Math.floor(estimate / ESTIMATE_RATIO.max) > request.flashLimit) return { cycles: 0, flashBytes: estimate, instructions: 0, tooLarge: true, scratchBytes: 0, codeBytes: estimate, constBytes: 0, libraryCodeBytes: 0 };
  }
  const library = built === 'baseline' ? emitters.librarySources() : [];
  const placeKey = variantPlacementKey(request.placement);
  const version = requireCompiler();
  const h = createHash('sha256');
  for (const part of [version, CFLAGS.join(' '), boardKey(board), emitted.source.code, libraryHash(), cycleModelHash()]) h.update(part).update('\0');
  if (emitted.source.assembly !== undefined) h.update('asm').update('\0').update(emitted.source.assembly).update('\0');
  if (placeKey !== 'flash') h.update(`placed ${placeKey}`).update('\0');
  if (overlay) h.update(emitted.pages !== undefined ? overlayLoaderSource().code : overlayCallSource([fn]).code).update('\0');
  for (const x of request.inputs) h.update(x).update('\0');
  const key = h.digest('hex');
  const path = join(cacheDir('variants', key.slice(0, 2)), `${key}.json`);
  if (existsSync(path)) {
    try {
      const cached = JSON.parse(readFileSync(path, 'utf8')) as VariantCost;
      if (isVariantCost(cached)) return cached;
    } catch {
      // unreadable entry: recompute and overwrite
    }
  }
  const largeFlash = withLargeFlash(board);
  const placed = placeKey !== 'flash';
  const runBoard = placed ? withRoomToPlace(largeFlash) : largeFlash;
  const placement = new Map<string, UnitPlacement>(
    placed ? [[fn, request.placement!.layer], ...(library.length ? [[LIBRARY_UNIT, { code: request.placement!.library, data: 'flash' }] as const] : [])] : [],
  );
  // an overlay is loaded by a wrapper before the call, as the network runtime does (its copy is part of the layer's cycles);
  // a paged layer loads its pages itself
  const paged = emitted.pages !== undefined;
  const wrapped = placed && overlay && !paged;
  const pages = new Map(paged ? [[fn, emitted.pages!]] : []);
  const { elf, objects } = await compileAndLink({
    sources: [emitted.source, ...library, ...(wrapped ? [overlayCallSource([fn])] : paged ? [overlayLoaderSource()] : [])],
    board: runBoard,
    jobs: 1,
    ...(placed ? { linkScriptFor: () => placedLinkScript(runBoard, placement, pages) } : {}),
  });
  const image = parseElf(elf, `${fn}.elf`);
  const footprints = objects.map((o) => ({ unit: unitOfObject(o.name), f: objectFootprint(o) }));
  const layerPrints = footprints.filter((x) => x.unit === fn).map((x) => x.f);
  const libraryPrints = footprints.filter((x) => x.unit === LIBRARY_UNIT).map((x) => x.f);
  const scratch = new Uint8Array(Math.max(4, emitted.scratchBytes));
  const args = [request.inputs[0], request.inputs[1] ?? 0, new Uint8Array(request.outputBytes), scratch];
  let machine = new Machine(image, runBoard, `${fn}.elf`);
  if (!machine.argumentsFit(args.filter((a) => typeof a !== 'number').map((a) => a.length))) {
    // Its buffers (a large scratch copy) exceed the board's SRAM: timed with room for them (SRAM size moves no cycle);
    // whether the variant fits the board is decided from its scratchBytes by the caller's fit check.
    machine.close();
    machine = new Machine(image, withRoomToPlace(runBoard), `${fn}.elf`);
  }
  try {
    const r = machine.call({ symbol: wrapped ? `${fn}_overlaid` : fn, args }, { warm: true });
    if (r.kind === 'fault') throw new SimDseError('fault', `${fn} (${style}): ${r.message}`, { unit: fn, pc: r.pc, address: r.address });
    const cost: VariantCost = {
      cycles: r.cycles,
      flashBytes: imageSizes(image, 0).text,
      instructions: r.instructions,
      scratchBytes: emitted.scratchBytes,
      codeBytes: placedCodeBytes(layerPrints),
      constBytes: layerPrints.reduce((s, f) => s + f.rodata, 0),
      libraryCodeBytes: placedCodeBytes(libraryPrints),
      ...(overlay ? { overlayBytes: overlayRegionBytes(layerPrints) } : {}),
    };
    writeFileAtomic(path, JSON.stringify(cost) + '\n');
    return cost;
  } finally {
    machine.close();
  }
}
