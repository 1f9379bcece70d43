/**
 * The rows of a run store. `points.jsonl` holds one {@link PointRow} per
 * evaluated configuration, in evaluation order (row `id` = line number from
 * 0); `final.jsonl` holds one {@link FinalRow} per configuration re-evaluated
 * on the full test set; `firmware.jsonl` one {@link FirmwareRow} per such
 * configuration timed as a whole firmware. All are pure data, written as one
 * JSON line each.
 */
import type { FirmwareTiming } from '../../firmware/image-timing.js';
import type { KernelStyle } from '../../kernels/network/assemble.js';
import { parsePlace, type Placement } from '../../kernels/placement/placement.js';

/** Skipped weights and cycles of one maskable layer of a point. */
export interface LayerRow {
  readonly opIndex: number;
  /** Weights of the layer skipped by the configuration. */
  readonly skipped: number;
  /** Weights of the layer. */
  readonly weights: number;
  /** Cycles of the layer in this configuration. */
  readonly cycles: number;
  /** Kernel the layer runs (when the latency source chooses per layer). */
  readonly kernels?: KernelStyle;
}

/** Which part of a run first evaluated a point. */
export type Phase = 'search' | 'seed-grid';

/** One evaluated configuration. */
export interface PointRow {
  /** Row number (0-based): `sim-dse show <run> --point K`. */
  readonly id: number;
  /** Content hash of the configuration (the memo key). */
  readonly hash: string;
  /** Content hash of the configuration's masks (configurations with equal masks share results). */
  readonly masksHash: string;
  readonly phase: Phase;
  /** Level index per dimension of the configuration space. */
  readonly genome: readonly number[];
  /** The configuration itself (as the space module writes it). */
  readonly config: unknown;
  /** Weights skipped, all layers. */
  readonly skipped: number;
  /** Maskable weights, all layers. */
  readonly weights: number;
  /** Correct top-1 predictions on the search images. */
  readonly correct: number;
  readonly images: number;
  /** correct / images. */
  readonly top1: number;
  readonly cycles: number;
  readonly flashBytes: number;
  /** False when the image does not fit the board's flash. */
  readonly fits: boolean;
  readonly layers: readonly LayerRow[];
  /** Where the layers' code and constants and the library's code live, as `--place` writes it (absent: all in flash). */
  readonly placement?: string;
}

/** A configuration re-evaluated on the full test set. */
export interface FinalRow {
  /** Hash of the configuration (`exact` for the exact model). */
  readonly hash: string;
  readonly correct: number;
  readonly images: number;
  readonly top1: number;
}

/**
 * A point's whole-firmware timing: the board image of its exported project
 * (the same sources, layout and embedded test images `sim-dse export` writes
 * by default), emulated from reset; per layer and per image the cycles the
 * firmware's DWT measured. Export and validate predict with these.
 */
export type FirmwareRow =
  | (FirmwareTiming & { readonly hash: string; readonly kind: 'timed' })
  /** Not even one test image fits the board's flash beside the point's network. */
  | { readonly hash: string; readonly kind: 'too-large'; readonly board: string; readonly reason: string };

/** A firmware row that holds a timing. */
export type TimedFirmwareRow = Extract<FirmwareRow, { kind: 'timed' }>;

/** Mean of a list of cycle counts (a firmware timing's images). */
export function meanCycles(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** The kernel the point runs per maskable layer (operator index -> style), as its latency source chose. */
export function rowKernels(row: Pick<PointRow, 'layers'>): Map<number, KernelStyle> {
  return new Map(row.layers.flatMap((l) => (l.kernels === undefined ? [] : [[l.opIndex, l.kernels] as const])));
}

/** Where the point's units live, as its latency source chose (all in flash when it did not place). */
export function rowPlacement(row: Pick<PointRow, 'placement'>): Placement {
  if (row.placement === undefined) return new Map();
  const request = parsePlace(row.placement);
  return request.kind === 'fixed' ? request.placement : new Map();
}

/** The timed firmware row of configuration `hash` among `rows`, or null. */
export function timedFirmware(rows: readonly FirmwareRow[], hash: string): TimedFirmwareRow | null {
  return rows.find((f): f is TimedFirmwareRow => f.hash === hash && f.kind === 'timed') ?? null;
}

/** Hash under which the exact model's full-set accuracy is stored. */
export const EXACT_HASH = 'exact';
