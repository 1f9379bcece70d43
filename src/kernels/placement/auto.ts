/**
 * `--place auto`: measure what each placement option saves, then choose
 * under the board's SRAM budget. The savings are measured, not guessed: the
 * image is built (objects from the cache; only the links differ) and run
 * once per uniform placement (every layer's constants in SRAM; every
 * layer's code in SRAM or the SRAM window, with and without its constants;
 * the library's code in SRAM or the window) on the board with room for all
 * of it, and each layer's saving is its DWT cycles in flash minus its cycles
 * so placed (the library's: the sum over layers). Layers are assumed
 * independent (a layer's placement does not change another's cycles beyond
 * the flash caches they share) by the knapsack; since moving code does shift
 * the flash layout of what stays, the knapsack's choice over every option and
 * its choice over constants alone are both measured whole, and the faster
 * one stands (if faster than everything in flash).
 */
import type { BoardProfile } from '../../emulator/board.js';
import { memoryOf } from '../../emulator/memory-map.js';
import type { PreparedGraph } from '../../model/engine/prepare.js';
import type { CompiledObject } from '../compile/compile.js';
import { stackBound } from '../compile/image-size.js';
import type { LayerEmitters, NetworkSpec } from '../network/assemble.js';
import { buildNetwork, inferenceBuffers, type BuildOptions } from '../network/build.js';
import { NetworkRunner } from '../network/emulate.js';
import { choosePlacement, type ChosenPlacement, type UnitChoices, type UnitOption } from './choose.js';
import { OVERLAY_ALIGN, objectFootprint, overlayRegionBytes, placedCodeBytes, placementCapacity, placementNeeds, unitOfObject, withRoomToPlace, type ObjectFootprint } from './fit.js';
import { LIBRARY_UNIT, formatPlacement, type CodeHome, type DataHome, type Placement, type PlaceRequest, type UnitPlacement } from './placement.js';

/** The uniform placement of every layer (and separately the library) at (code, data). */
function uniform(layerUnits: readonly string[], code: CodeHome, data: DataHome): Placement {
  return new Map(layerUnits.map((u) => [u, { code, data }]));
}

/** Per-layer cycles of one inference of the image under `placement`. */
async function layerCycles(
  prepared: PreparedGraph,
  spec: NetworkSpec,
  board: BoardProfile,
  emitters: LayerEmitters,
  options: BuildOptions,
  placement: Placement,
): Promise<{ cycles: readonly number[]; objects: readonly CompiledObject[]; fns: readonly string[]; buffers: number }> {
  const image = await buildNetwork(prepared, spec, withRoomToPlace(board), emitters, { ...options, placement });
  const runner = new NetworkRunner(image);
  try {
    const run = runner.infer(new Uint8Array(image.source.plan.inputBytes));
    return { cycles: run.layerCycles, objects: image.objects, fns: image.source.layers.map((l) => l.fn), buffers: inferenceBuffers(image.source.plan) };
  } finally {
    runner.close();
  }
}

/** What auto placement measured and chose. */
export interface AutoPlacement extends ChosenPlacement {
  /** Every unit's options with their measured savings. */
  readonly units: readonly UnitChoices[];
  /** The SRAM left for placement (after .data, .bss, the stack and the inference buffers) and the window's size. */
  readonly budget: { readonly sram: number; readonly alias: number };
}

/** Measures the placement options of a network variant on `board` and chooses under its SRAM budget. */
export async function autoPlacement(
  prepared: PreparedGraph,
  spec: NetworkSpec,
  board: BoardProfile,
  emitters: LayerEmitters,
  options: BuildOptions = {},
): Promise<AutoPlacement> {
  const hasAlias = memoryOf(board).codeSram !== null;
  const flash = await layerCycles(prepared, spec, board, emitters, options, new Map());
  const footprints = footprintsByUnit(flash.objects);
  const layerUnits = [...footprints.keys()].filter((u) => u !== LIBRARY_UNIT);
  const total = (c: readonly number[]): number => c.reduce((s, x) => s + x, 0);
  const layerIndex = new Map(flash.fns.map((fn, k) => [fn, k]));

  const homes: UnitPlacement[] = [
    { code: 'flash', data: 'sram' },
    { code: 'sram', data: 'flash' },
    { code: 'sram', data: 'sram' },
    ...(hasAlias
      ? ([
          { code: 'alias', data: 'flash' },
          { code: 'alias', data: 'sram' },
          { code: 'overlay', data: 'flash' },
          { code: 'overlay', data: 'sram' },
        ] as const)
      : []),
  ];
  const options_: Map<string, UnitOption[]> = new Map(layerUnits.map((u) => [u, []]));
  for (const h of homes) {
    const run = await layerCycles(prepared, spec, board, emitters, options, uniform(layerUnits, h.code, h.data));
    // as overlays, unpacked layers are built cut into pages: their region need is that build's
    const placedPrints = h.code === 'overlay' ? footprintsByUnit(run.objects) : footprints;
    for (const u of layerUnits) {
      const k = layerIndex.get(u)!;
      options_.get(u)!.push(optionOf(h, placedPrints.get(u) ?? footprints.get(u)!, flash.cycles[k] - run.cycles[k]));
    }
  }
  // an option that moves nothing (constants of a layer without any) is measurement noise, not a choice
  const units: UnitChoices[] = layerUnits.map((u) => ({ unit: u, options: options_.get(u)!.filter((o) => movesBytes(o)) }));
  if (footprints.has(LIBRARY_UNIT)) {
    const lib: UnitOption[] = [];
    for (const code of (hasAlias ? ['sram', 'alias'] : ['sram']) as CodeHome[]) {
      const run = await layerCycles(prepared, spec, board, emitters, options, new Map([[LIBRARY_UNIT, { code, data: 'flash' as DataHome }]]));
      lib.push(optionOf({ code, data: 'flash' }, footprints.get(LIBRARY_UNIT)!, total(flash.cycles) - total(run.cycles)));
    }
    units.push({ unit: LIBRARY_UNIT, options: lib });
  }
  const needs = placementNeeds(flash.objects, new Map(), stackBound(flash.objects.map((o) => o.stackUsage), 'sim_infer', 'layer_'), flash.buffers);
  const fixed = needs.dataBss + needs.stack + needs.buffers;
  const without = placementCapacity(board, false);
  const withAlias = placementCapacity(board, true);
  const budgets = [{ sram: without.sram - fixed, alias: 0 }];
  if (hasAlias) budgets.push({ sram: withAlias.sram - fixed, alias: withAlias.alias });
  // Candidates: the knapsack's choice over every option, and over the options that keep code in flash
  // (moving a layer's few bytes of call wrapper shifts the library's layout, which the per-option
  // measurements cannot see), under each budget; the whole inference, measured, decides.
  const dataOnly = units.map((u) => ({ ...u, options: u.options.filter((o) => o.homes.code === 'flash') }));
  const candidates: AutoPlacement[] = [];
  const add = (chosen: ChosenPlacement, budget: AutoPlacement['budget']): void => {
    if (chosen.placement.size > 0 && !candidates.some((c) => formatPlacement(c.placement) === formatPlacement(chosen.placement))) candidates.push({ ...chosen, units, budget });
  };
  for (const budget of budgets) {
    for (const set of [units, dataOnly]) add(choosePlacement(set, { sram: Math.max(0, budget.sram), alias: budget.alias }), budget);
  }
  // Overlays share one region after the code that stays: for each region size an overlay option needs, the
  // knapsack over the window left; the OVERLAY_CANDIDATES choices it rates best are measured whole.
  if (hasAlias) {
    const budget = budgets[budgets.length - 1];
    const regions = [...new Set(units.flatMap((u) => u.options.map((o) => o.overlayBytes)).filter((b) => b > 0))];
    const byRegion = regions
      .filter((r) => r + OVERLAY_ALIGN <= budget.alias)
      .map((r) => choosePlacement(units, { sram: Math.max(0, budget.sram), alias: budget.alias - r - OVERLAY_ALIGN, overlay: r }))
      .sort((a, b) => b.saving - a.saving || formatPlacement(a.placement).localeCompare(formatPlacement(b.placement)));
    for (const chosen of byRegion.slice(0, OVERLAY_CANDIDATES)) add(chosen, budget);
  }
  // Savings measured one option at a time need not add up (moving code shifts the alignment of what
  // stays): a choice stands only when the whole inference, measured, is faster than all in flash.
  let best: AutoPlacement = { placement: new Map(), saving: 0, units, budget: budgets[budgets.length - 1] };
  for (const c of candidates) {
    const saving = total(flash.cycles) - total((await layerCycles(prepared, spec, board, emitters, options, c.placement)).cycles);
    if (saving > best.saving) best = { ...c, saving };
  }
  return best;
}

/** The footprints of each unit's objects. */
function footprintsByUnit(objects: readonly CompiledObject[]): Map<string, ObjectFootprint[]> {
  const byUnit = new Map<string, ObjectFootprint[]>();
  for (const o of objects) {
    const unit = unitOfObject(o.name);
    if (unit !== null) byUnit.set(unit, [...(byUnit.get(unit) ?? []), objectFootprint(o)]);
  }
  return byUnit;
}

/** Overlay region sizes whose knapsack choices `autoPlacement` measures whole (the best rated). */
const OVERLAY_CANDIDATES = 3;

/** Whether an option moves bytes out of flash for each home it changes. */
function movesBytes(o: UnitOption): boolean {
  return o.sramBytes + o.aliasBytes + o.overlayBytes > 0 && !(o.homes.data === 'sram' && o.homes.code === 'flash' && o.sramBytes === 0);
}

/** The option of placing a unit at `homes`, with its bytes and measured saving. */
function optionOf(homes: UnitPlacement, footprints: readonly ObjectFootprint[], saving: number): UnitOption {
  const code = placedCodeBytes(footprints);
  const data = footprints.reduce((s, f) => s + f.rodata, 0);
  return {
    homes,
    sramBytes: (homes.code === 'sram' ? code : 0) + (homes.data === 'sram' ? data : 0),
    aliasBytes: homes.code === 'alias' ? code : 0,
    overlayBytes: homes.code === 'overlay' ? overlayRegionBytes(footprints) : 0,
    saving,
  };
}

/**
 * The placement `request` names for a network variant on `board`: the fixed
 * one as given, or the automatic choice (measured; nothing placed on a board
 * where nothing saves cycles).
 */
export async function resolvePlacement(
  request: PlaceRequest,
  prepared: PreparedGraph,
  spec: NetworkSpec,
  board: BoardProfile,
  emitters: LayerEmitters,
  options: BuildOptions = {},
): Promise<Placement> {
  if (request.kind === 'fixed') return request.placement;
  return (await autoPlacement(prepared, spec, board, emitters, options)).placement;
}
