/**
 * The latency side of a design point, as the DSE consumes it.
 * ./emulated-latency.ts implements {@link LatencyProvider} with compiled and emulated layer
 * variants (each variant built and emulated once and cached, so a point is a
 * cheap sum after warm-up); tests and quick looks use the analytic provider
 * in ./macs-latency.ts. The DSE never needs to know which one it has.
 */
import type { FirmwareTimingOutcome } from '../../firmware/image-timing.js';
import type { SkipMasks } from '../../model/ir.js';
import type { KernelStyle } from '../../kernels/network/assemble.js';
import type { Placement } from '../../kernels/placement/placement.js';

/** Cycles and flash of one whole-network configuration on the chosen board. */
export interface Cost {
  /** Cycles of one inference (all layers, warm caches). */
  readonly cycles: number;
  /** Flash bytes of the network's code and constants. */
  readonly flashBytes: number;
  /** False when an inference cannot fit the board's SRAM (its cycles were timed with room); absent: fits. */
  readonly sramFits?: false;
}

/**
 * An exact reference that was never built: even the smallest flash its size estimate allows
 * (../../kernels/network/size-estimate.ts) exceeds the board's, so it was not compiled.
 */
export interface UnbuiltReference {
  readonly built: false;
  /** Estimated flash bytes of its image. */
  readonly flashEstimate: number;
}

/** An exact reference: measured, or not built because it cannot fit. */
export type ReferenceCost = Cost | UnbuiltReference;

/** Whether a reference was built (and so has cycles and flash). */
export function isBuilt(c: ReferenceCost): c is Cost {
  return !('built' in c);
}

/** Cycles of one maskable layer inside a point. */
export interface LayerCycles {
  readonly opIndex: number;
  readonly cycles: number;
  /** Kernel the point uses for this layer, when the provider chooses per layer. */
  readonly kernels?: KernelStyle;
}

/** Latency of one configuration: its cost, per-layer cycles and whether it fits the board's flash. */
export interface PointLatency extends Cost {
  /** Cycles of each maskable layer, in operator order. */
  readonly perLayer: readonly LayerCycles[];
  /** False when the image does not fit the board's flash and SRAM (the point is infeasible). */
  readonly fits: boolean;
  /** Where the point's layers and library live, as `--place` writes it (absent: all in flash). */
  readonly placement?: string;
}

/** The two exact reference points every report compares against. */
export interface ReferenceLatency {
  /** The exact model with the baseline (im2col + SMLAD library) kernels. */
  readonly baseline: Cost;
  /** The exact model with unpacked kernels (no operand skipped); not built when it cannot fit the board's flash. */
  readonly unpackedExact: ReferenceCost;
  /**
   * The exact model with the provider's per-layer kernel style and placement
   * choice (its point with no mask): what skipping is measured beyond. Absent
   * when the provider does not choose per layer.
   */
  readonly exactChosen?: Cost & { readonly fits: boolean; readonly placement?: string };
}

/**
 * Latency and flash of configurations of one model on one board. Must be
 * deterministic: the same masks give the same numbers, in any order of calls.
 */
export interface LatencyProvider {
  /** Human-readable name of the source, stated in the report (e.g. "emulated nucleo-f446re"). */
  readonly description: string;
  /** Whole-network exact points. */
  reference(): Promise<ReferenceLatency>;
  /** Latency of the network under `masks` (layers not present are exact). */
  point(masks: SkipMasks): Promise<PointLatency>;
  /**
   * Times the point as a whole firmware (the image `sim-dse export` builds
   * for the provider's board, with its default test images), given the
   * kernels and placement {@link point} chose (with fewer images, or none, when
   * they do not fit the flash beside the network). Optional: only a provider that
   * compiles and emulates has it; the DSE times the points on its full-test-set front so.
   */
  firmware?(masks: SkipMasks, kernels: ReadonlyMap<number, KernelStyle>, placement?: Placement): Promise<FirmwareTimingOutcome>;
  /** Releases emulators, workers or caches (optional). */
  close?(): Promise<void>;
}
