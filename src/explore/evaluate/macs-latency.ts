/**
 * An analytic latency provider: cycles and flash from the count of kept
 * multiply-accumulates, with no compiler and no emulator. It is a proxy, not
 * a measurement (the report says so): unpacked layers cost
 * `positions * (2 * kept + 8 * outChannels)` cycles and
 * `4 * kept + 20 * outChannels` flash bytes; the baseline costs
 * `macs + positions * 8 * outChannels` cycles and `weights + 4 * outChannels
 * + 1024` flash bytes per layer. It is deterministic and fast, which makes it
 * the provider of tests and of `--latency macs`.
 */
import type { BoardProfile } from '../../emulator/board.js';
import { isWeightedOp, prepareGraph } from '../../model/engine/prepare.js';
import { skippedCount } from '../../model/skip-config.js';
import type { Graph, SkipMask, SkipMasks } from '../../model/ir.js';
import { flashCapacity } from './board-flash.js';
import type { Cost, LatencyProvider, PointLatency, ReferenceLatency } from './latency-types.js';

/** Geometry of one maskable layer that the analytic model needs. */
interface LayerShape {
  readonly opIndex: number;
  /** Output positions (1 for fully connected). */
  readonly positions: number;
  readonly outChannels: number;
  readonly weights: number;
  readonly macs: number;
}

function layerShapes(graph: Graph): LayerShape[] {
  const out: LayerShape[] = [];
  for (const op of prepareGraph(graph).ops) {
    if (!isWeightedOp(op)) continue;
    const g = op.geometry;
    out.push({ opIndex: op.opIndex, positions: g.oh * g.ow, outChannels: g.oc, weights: op.weights.length, macs: op.macs });
  }
  return out;
}

function keptWeights(mask: SkipMask | undefined, weights: number): number {
  return weights - skippedCount(mask);
}

/** Pure analytic cost of one configuration (see the module comment). */
export function analyticPoint(shapes: readonly LayerShape[], masks: SkipMasks, flashLimit: number): PointLatency {
  let cycles = 0;
  let flashBytes = 0;
  const perLayer = shapes.map((s) => {
    const kept = keptWeights(masks.get(s.opIndex), s.weights);
    const c = s.positions * (2 * kept + 8 * s.outChannels);
    cycles += c;
    flashBytes += 4 * kept + 20 * s.outChannels;
    return { opIndex: s.opIndex, cycles: c };
  });
  return { cycles, flashBytes, perLayer, fits: flashBytes <= flashLimit };
}

/** Creates the analytic provider for `graph` on `board`. */
export function createMacsLatency(graph: Graph, board: BoardProfile): LatencyProvider {
  const shapes = layerShapes(graph);
  const limit = flashCapacity(board);
  const baseline: Cost = shapes.reduce(
    (acc, s) => ({
      cycles: acc.cycles + s.macs + s.positions * 8 * s.outChannels,
      flashBytes: acc.flashBytes + s.weights + 4 * s.outChannels + 1024,
    }),
    { cycles: 0, flashBytes: 0 },
  );
  const exact = analyticPoint(shapes, new Map(), limit);
  const reference: ReferenceLatency = { baseline, unpackedExact: { cycles: exact.cycles, flashBytes: exact.flashBytes } };
  return {
    description: 'analytic estimate from kept MACs (not emulated)',
    reference: async () => reference,
    point: async (masks) => analyticPoint(shapes, masks, limit),
  };
}
