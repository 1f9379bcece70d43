/**
 * Where each part of a network image lives: per layer, its code (the
 * layer's object `layer_N.o`: straight-line unpacked code, or the baseline
 * wrapper) in flash, SRAM (fetched over the System bus) or the SRAM window
 * in the code region (L4R5 SRAM2 at 0x1000_0000, fetched over I-Code), or
 * overlaid there (copied into the window just before the layer runs, so
 * that layers whose code together exceeds the window each run from it), and
 * its constants (weights, bias, per-channel requantization: the object's
 * .rodata) in flash or SRAM; plus the same choice for the code of the
 * baseline kernel library (`snn_*.o`), which every baseline layer runs.
 * Independent of kernel internals: a unit is an object file.
 */
import { UsageError } from '../../util/errors.js';

/** Where a unit's code runs from ('overlay': the window, loaded before each call of the layer). */
export type CodeHome = 'flash' | 'sram' | 'alias' | 'overlay';
/** Where a unit's constants are read from. */
export type DataHome = 'flash' | 'sram';

/** The homes of one unit. */
export interface UnitPlacement {
  readonly code: CodeHome;
  readonly data: DataHome;
}

/** The unit name of the kernel library (every `snn_*.o`). */
export const LIBRARY_UNIT = 'library';

/** The unit name of a layer: its function and object stem, `layer_<opIndex>`. */
export function layerUnit(opIndex: number): string {
  return `layer_${opIndex}`;
}

/** Placement of an image: units not listed stay in flash. */
export type Placement = ReadonlyMap<string, UnitPlacement>;

/** Everything in flash (as images were before placement). */
export const ALL_FLASH: Placement = new Map();

const FLASH_HOMES: UnitPlacement = { code: 'flash', data: 'flash' };

/** The homes of `unit` under `placement`. */
export function homesOf(placement: Placement, unit: string): UnitPlacement {
  return placement.get(unit) ?? FLASH_HOMES;
}

/** What `--place` asks for: the automatic choice, or a fixed placement. */
export type PlaceRequest = { readonly kind: 'auto' } | { readonly kind: 'fixed'; readonly placement: Placement };

const CODE_HOMES: readonly CodeHome[] = ['flash', 'sram', 'alias', 'overlay'];
const DATA_HOMES: readonly DataHome[] = ['flash', 'sram'];

/**
 * Parses `--place`: `auto`, `flash`, or comma-separated `OP:CODE[/DATA]` where
 * OP is an operator index or `lib` (the kernel library), CODE is
 * flash|sram|alias|overlay (not overlay for lib) and DATA flash|sram (default flash).
 * @throws UsageError on anything else (one line naming the bad item).
 */
export function parsePlace(text: string): PlaceRequest {
  const t = text.trim();
  if (t === 'auto') return { kind: 'auto' };
  if (t === 'flash') return { kind: 'fixed', placement: ALL_FLASH };
  const placement = new Map<string, UnitPlacement>();
  for (const item of t.split(',').map((s) => s.trim())) {
    const m = /^(lib|\d+):([a-z]+)(?:\/([a-z]+))?$/.exec(item);
    const code = m?.[2] as CodeHome | undefined;
    const data = (m?.[3] ?? 'flash') as DataHome;
    if (!m || !CODE_HOMES.includes(code!) || !DATA_HOMES.includes(data)) {
      throw new UsageError(`--place: '${item}' is not OP:CODE[/DATA] (OP an operator index or lib, CODE flash|sram|alias|overlay, DATA flash|sram), auto or flash`);
    }
    if (m[1] === 'lib' && code === 'overlay') throw new UsageError(`--place: '${item}': the kernel library cannot be an overlay (every baseline layer calls it)`);
    const unit = m[1] === 'lib' ? LIBRARY_UNIT : layerUnit(Number(m[1]));
    if (placement.has(unit)) throw new UsageError(`--place: '${m[1]}' is placed twice`);
    placement.set(unit, { code: code!, data });
  }
  return { kind: 'fixed', placement };
}

/** `--place` text of a placement (units in flash left out; `flash` when all are). */
export function formatPlacement(placement: Placement): string {
  const items = [...placement]
    .filter(([, h]) => h.code !== 'flash' || h.data !== 'flash')
    .map(([unit, h]) => `${unit === LIBRARY_UNIT ? 'lib' : unit.slice('layer_'.length)}:${h.code}/${h.data}`)
    .sort();
  return items.length ? items.join(',') : 'flash';
}
