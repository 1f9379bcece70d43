/**
 * Builds a network variant for a board and times one inference of it in the
 * emulator: total and per-layer cycles, flash, RAM, and the output checked
 * against the reference engine.
 */
import type { BoardProfile } from '../emulator/board.js';
import { createEngine } from '../model/engine/index.js';
import { prepareGraph } from '../model/engine/prepare.js';
import type { Graph, SkipMasks } from '../model/ir.js';
import type { ImageSizes } from './compile/image-size.js';
import { defaultEmitters } from './emitters.js';
import type { AssembledLayer, NetworkSpec } from './network/assemble.js';
import { buildNetwork, type BuildOptions, type NetworkImage } from './network/build.js';
import { NetworkRunner } from './network/emulate.js';

/** One layer's share of an inference. */
export interface LayerProfile {
  readonly opIndex: number;
  readonly name: string;
  readonly style: string;
  readonly cycles: number;
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
  /** Sum of the per-layer cycles (the rest is the runtime's own calls and marks). */
  readonly layerSum: number;
  readonly sizes: ImageSizes;
  readonly fits: boolean;
  /** Why it does not fit, when it does not. */
  readonly fitReason: string | null;
  /** Whether the emulated output equals the reference engine's, byte for byte. */
  readonly matchesEngine: boolean;
}

/** Builds (cached) and times a network variant on `input` (graph input bytes). */
export async function profileNetwork(
  graph: Graph,
  spec: NetworkSpec,
  board: BoardProfile,
  input: Uint8Array,
  options: BuildOptions = {},
): Promise<{ profile: NetworkProfile; image: NetworkImage }> {
  const image = await buildNetwork(prepareGraph(graph), spec, board, defaultEmitters(), options);
  return { image, profile: profileImage(graph, image, spec.style, input, spec.masks) };
}

/**
 * Times one inference of a built network image on `input` (graph input
 * bytes) and checks its output against the reference engine (with `masks`);
 * `style` labels the profile (e.g. `cmsis-nn`) and `layerStyle` each layer.
 */
export function profileImage(
  graph: Graph,
  image: NetworkImage,
  style: string,
  input: Uint8Array,
  masks?: SkipMasks,
  layerStyle: (layer: AssembledLayer) => string = (l) => l.style,
): NetworkProfile {
  const board = image.board;
  const trace = createEngine(graph).trace(input, masks);
  const { plan } = image.source;
  const runner = new NetworkRunner(image);
  try {
    const run = runner.infer(trace.get(plan.inputTensor)!);
    const expected = trace.get(plan.outputTensor)!;
    const matchesEngine = Buffer.from(run.output).equals(Buffer.from(expected));
    const layers = image.source.layers.map((l, k) => ({ opIndex: l.opIndex, name: l.name, style: layerStyle(l), cycles: run.layerCycles[k] }));
    return {
      model: graph.name,
      style,
      board: board.id,
      clockHz: board.clockHz,
      cycles: run.cycles,
      instructions: run.instructions,
      ms: (run.cycles / board.clockHz) * 1000,
      layers,
      layerSum: layers.reduce((s, l) => s + l.cycles, 0),
      sizes: image.sizes,
      fits: image.fit.fits,
      fitReason: image.fit.fits ? null : image.fit.reason,
      matchesEngine,
    };
  } finally {
    runner.close();
  }
}
