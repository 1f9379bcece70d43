/**
 * Builds a network variant for a board and times one inference of it in the
 * emulator: total and per-layer cycles, flash, RAM, and the output checked
 * against the reference engine.
 */
import { checkFitBeforeCompile } from './network/size-estimate.js';
import { assembleNetwork } from './network/assemble.js';
import type { BoardProfile } from '../emulator/board.js';
import { createEngine } from '../model/engine/index.js';
import { isWeightedOp, prepareGraph, type PreparedGraph } from '../model/engine/prepare.js';
import type { Graph, SkipMasks } from '../model/ir.js';
import type { ImageSizes } from './compile/image-size.js';
import { defaultEmitters } from './emitters.js';
import type { AssembledLayer, NetworkSpec } from './network/assemble.js';
import { buildNetwork, type BuildOptions, type NetworkImage } from './network/build.js';
import { NetworkRunner } from './network/emulate.js';
import { networkInputOf } from './network/plan.js';
import { resolvePlacement } from './placement/auto.js';
import { LIBRARY_UNIT, formatPlacement, homesOf, layerUnit, type CodeHome, type PlaceRequest, type UnitPlacement } from './placement/placement.js';

/** One layer's share of an inference. */
export interface LayerProfile {
  readonly opIndex: number;
  readonly name: string;
  readonly style: string;
  readonly cycles: number;
  /** Multiply-accumulates of the layer (0 for layers without weights). */
  readonly macs: number;
  /** cycles / macs, or null for a layer without multiply-accumulates. */
  readonly cyclesPerMac: number | null;
  /** Where its code and constants live. */
  readonly homes: UnitPlacement;
}

/** The profile of one network variant on one board. */
export interface NetworkProfile {
  readonly model: string;
  readonly style: string;
  readonly board: string;
  readonly clockHz: number;
  readonly cycles: number;
  readonly instructions: number;
  /** Milliseconds at the board's clock. */
  readonly ms: number;
  readonly layers: readonly LayerProfile[];
  /** The placement, as `--place` takes it (`flash` when nothing is placed); the library's code home. */
  readonly placement: string;
  readonly libraryCode: CodeHome;
  /** Sum of the per-layer cycles (the rest is the runtime's own calls and marks). */
  readonly layerSum: number;
  /** Multiply-accumulates of one inference (all weighted layers). */
  readonly macs: number;
  /** Inference cycles per multiply-accumulate. */
  readonly cyclesPerMac: number;
  /** The highest cycles/MAC of any weighted layer (0 when there is none). */
  readonly maxLayerCyclesPerMac: number;
  readonly sizes: ImageSizes;
  readonly fits: boolean;
  /** Why it does not fit, when it does not. */
  readonly fitReason: string | null;
  /** Whether the emulated output equals the reference engine's, byte for byte. */
  readonly matchesEngine: boolean;
}

/** Options of {@link profileNetwork}: the build's, and the placement to resolve when `placement` is not given. */
export interface ProfileOptions extends BuildOptions {
  readonly place?: PlaceRequest;
}

/**
 * Builds (cached) and times a network variant on `input` (graph input bytes), unpacked layers in
 * the structure chosen for the board and their code's home (`boardAwareChoice: false` for the
 * zero-wait choice the DSE and exported firmware use).
 */
export async function profileNetwork(
  graph: Graph,
  spec: NetworkSpec,
  board: BoardProfile,
  input: Uint8Array,
  options: ProfileOptions = {},
): Promise<{ profile: NetworkProfile; image: NetworkImage }> {
  const prepared = prepareGraph(graph);
  // the fit is checked before anything compiles: here when placement is resolved (it compiles), else by the build
  const resolves = options.placement === undefined && options.place !== undefined;
  if (options.fitCheck === true && resolves) checkFitBeforeCompile(assembleNetwork(prepared, spec, defaultEmitters()), board, `${graph.name} (${spec.style} kernels)`);
  // unpacked layers take the structure that is fastest on this board from where their code runs
  const build = { boardAwareChoice: true, ...options, fitCheck: options.fitCheck === true && !resolves };
  const placement = options.placement ?? (options.place ? await resolvePlacement(options.place, prepared, spec, board, defaultEmitters(), build) : undefined);
  const image = await buildNetwork(prepared, spec, board, defaultEmitters(), { ...build, placement });
  return { image, profile: profileImage(prepared, image, spec.style, input, spec.masks) };
}

/**
 * Times one inference of a built network image on `input` (graph input
 * bytes) and checks its output against the reference engine (with `masks`);
 * `style` labels the profile (e.g. `cmsis-nn`) and `layerStyle` each layer.
 */
export function profileImage(
  prepared: PreparedGraph,
  image: NetworkImage,
  style: string,
  input: Uint8Array,
  masks?: SkipMasks,
  layerStyle: (layer: AssembledLayer) => string = (l) => l.style,
): NetworkProfile {
  const board = image.board;
  const { graph } = prepared;
  const trace = createEngine(graph).trace(input, masks);
  const { plan } = image.source;
  const runner = new NetworkRunner(image);
  try {
    const run = runner.infer(networkInputOf(plan, trace));
    const expected = trace.get(plan.outputTensor)!;
    const matchesEngine = Buffer.from(run.output).equals(Buffer.from(expected));
    const macsOf = new Map(prepared.ops.filter(isWeightedOp).map((o) => [o.opIndex, o.macs]));
    const layers = image.source.layers.map((l, k) => {
      const macs = macsOf.get(l.opIndex) ?? 0;
      const cycles = run.layerCycles[k];
      return { opIndex: l.opIndex, name: l.name, style: layerStyle(l), cycles, macs, cyclesPerMac: macs > 0 ? cycles / macs : null, homes: homesOf(image.placement, layerUnit(l.opIndex)) };
    });
    return {
      model: graph.name,
      style,
      board: board.id,
      clockHz: board.clockHz,
      cycles: run.cycles,
      instructions: run.instructions,
      ms: (run.cycles / board.clockHz) * 1000,
      layers,
      placement: formatPlacement(image.placement),
      libraryCode: homesOf(image.placement, LIBRARY_UNIT).code,
      layerSum: layers.reduce((s, l) => s + l.cycles, 0),
      macs: prepared.macs,
      cyclesPerMac: prepared.macs > 0 ? run.cycles / prepared.macs : 0,
      maxLayerCyclesPerMac: Math.max(0, ...layers.map((l) => l.cyclesPerMac ?? 0)),
      sizes: image.sizes,
      fits: image.fit.fits,
      fitReason: image.fit.fits ? null : image.fit.reason,
      matchesEngine,
    };
  } finally {
    runner.close();
  }
}
