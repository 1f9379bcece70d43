/**
 * An analytic latency provider: cycles from the count of kept
 * multiply-accumulates, flash and SRAM from the pre-compile size estimate
 * (kernels/network/size-estimate.ts), with no compiler and no emulator. It
 * is a proxy, not a measurement (the report says so); every layer it counts
 * is unpacked (it chooses no kernels).
 *
 * Cycles: unpacked layers cost `positions * (2 * kept + 8 * outChannels)`;
 * the baseline costs `macs + positions * 8 * outChannels` per layer.
 *
 * Size: the exact unpacked network's sources are emitted once per graph
 * (JS only, no compiler; about 2 s for LeNet or ResNet-8, cached in memory)
 * and estimated by {@link estimateNetworkSize}, the estimate `build`,
 * `profile`, `export` and the emulated provider check before compiling. A
 * point's flash is that estimate with each maskable layer's unit replaced by
 * a scaled plan: every unpacked structure the planner considers for the
 * layer (unpacked/choose.ts) is planned once, exact, and under a mask each
 * one's bytes are scaled by the layer's kept SMLAD words,
 * `round(exactBytes * keptWords(mask) / keptWords(exact))`, where a word is
 * an input-channel pair (2p, 2p + 1) of one tap with at least one kept
 * non-zero weight (the unit of the unpacked code, unpacked/pair-words.ts; a
 * depthwise weight is a word alone), so a mask that leaves one weight of a
 * pair saves nothing, as in the built code; the structure is then chosen as
 * the planner does (the fastest, by its exact cycles, whose scaled bytes fit
 * the code budget, else the smallest), so a mask that lets a faster, larger
 * structure fit the budget costs what that structure does. Measured
 * (bench/macs-proxy-flash.bench.mjs, bench/RESULTS.md "macs proxy flash"):
 * proxy / built flash 0.945 .. 0.994 on LeNet and ResNet-8 with 0, 30 and
 * 50 % of every maskable layer's weights skipped, inside
 * ESTIMATE_RATIO (size-estimate.ts); it undershoots the emitted estimate of the masked
 * network by up to 4 % (fixed per-output code does not shrink). SRAM (arena, scratch, input and
 * output buffers, stack; nothing placed) is the exact network's, which
 * bounds every mask's.
 * `fits` is {@link fitVerdict}'s (flash and SRAM): false only where it says
 * `no`, as the check before compiling refuses only that. Deterministic and
 * fast per point (one pass over the weights).
 */
import type { BoardProfile } from '../../emulator/board.js';
import { defaultEmitters } from '../../kernels/emitters.js';
import { assembleNetwork, type LayerEmitters } from '../../kernels/network/assemble.js';
import { estimateNetworkSize, fitVerdict, type SizeEstimate } from '../../kernels/network/size-estimate.js';
import { DEFAULT_CODE_BUDGET, asmCandidates } from '../../kernels/unpacked/choose.js';
import { emitUnpackedLayer } from '../../kernels/unpacked/emit.js';
import { isWeightedOp, prepareGraph, type PreparedGraph, type PreparedWeighted } from '../../model/engine/prepare.js';
import { skippedCount } from '../../model/skip-config.js';
import type { Graph, SkipMask, SkipMasks } from '../../model/ir.js';
import type { Cost, LatencyProvider, PointLatency, ReferenceLatency } from './latency-types.js';

/** Geometry of one maskable layer that the analytic model needs. */
interface LayerShape {
  readonly op: PreparedWeighted;
  readonly opIndex: number;
  /** Output positions (1 for fully connected). */
  readonly positions: number;
  readonly outChannels: number;
  readonly weights: number;
  readonly macs: number;
}

function layerShapes(prepared: PreparedGraph): LayerShape[] {
  const out: LayerShape[] = [];
  for (const op of prepared.ops) {
    if (!isWeightedOp(op)) continue;
    const g = op.geometry;
    out.push({ op, opIndex: op.opIndex, positions: g.oh * g.ow, outChannels: g.oc, weights: op.weights.length, macs: op.macs });
  }
  return out;
}

function keptWeights(mask: SkipMask | undefined, weights: number): number {
  return weights - skippedCount(mask);
}

/**
 * SMLAD words of an unpacked layer under `mask`: input-channel pairs (2p, 2p + 1) of one tap
 * (runs of `c` weights in storage order for CONV_2D and FULLY_CONNECTED) with at least one kept
 * non-zero weight; each kept non-zero weight of a depthwise layer alone.
 */
export function keptWords(op: PreparedWeighted, mask: SkipMask | undefined): number {
  const w = op.weights;
  const kept = (i: number): boolean => w[i] !== 0 && (mask === undefined || mask[i] === 0);
  if (op.kind === 'depthwise') {
    let n = 0;
    for (let i = 0; i < w.length; i++) if (kept(i)) n++;
    return n;
  }
  const c = op.geometry.c;
  let n = 0;
  for (let base = 0; base < w.length; base += c) {
    for (let i = 0; i < c; i += 2) if (kept(base + i) || (i + 1 < c && kept(base + i + 1))) n++;
  }
  return n;
}

/** One unpacked structure of a layer, planned exact: its estimated cycles and bytes. */
interface Candidate {
  readonly cycles: number;
  readonly bytes: number;
}

/** The exact unpacked network's size estimate, split into its maskable layers' units and the rest. */
interface SizeModel {
  readonly exact: SizeEstimate;
  /** Estimated flash of everything but the maskable layers' units. */
  readonly rest: number;
  /** Per maskable layer (in {@link LayerShape} order): its structures planned exact and its kept words, exact. */
  readonly layers: readonly { readonly candidates: readonly Candidate[]; readonly words: number }[];
  readonly baselineFlash: number;
}

/** Index of the structure the planner chooses when every candidate's bytes are scaled by `ratio` (choose.ts's rule), with those bytes. */
function choose(candidates: readonly Candidate[], ratio: number): { index: number; bytes: number } {
  const scaled = candidates.map((c, index) => ({ index, cycles: c.cycles, bytes: ratio === 1 ? c.bytes : Math.round(c.bytes * ratio) }));
  const fitting = scaled.filter((c) => c.bytes <= DEFAULT_CODE_BUDGET);
  const pool = fitting.length > 0 ? fitting : scaled;
  const cost = (c: Candidate): number => (fitting.length > 0 ? c.cycles : c.bytes);
  return pool.reduce((best, c) => (cost(c) < cost(best) ? c : best));
}

const sizeModels = new WeakMap<Graph, SizeModel>();

/**
 * Emits the exact unpacked network once, each maskable layer planned in every structure (the
 * planner's candidates, kept) and emitted in the one it chooses, as the default emitters do.
 */
function sizeModel(prepared: PreparedGraph, shapes: readonly LayerShape[]): SizeModel {
  const base = defaultEmitters();
  const planned = new Map<number, Candidate[]>();
  const emitters: LayerEmitters = {
    ...base,
    unpacked(op, fn, mask) {
      const all = asmCandidates(op, fn, mask);
      const candidates = all.map((c) => ({ cycles: c.plan.cycles, bytes: c.plan.bytes }));
      planned.set(op.opIndex, candidates);
      return emitUnpackedLayer(op, fn, mask, { structure: all[choose(candidates, 1).index].structure });
    },
  };
  const exact = estimateNetworkSize(assembleNetwork(prepared, { style: 'unpacked' }, emitters));
  const layers = shapes.map((s) => ({ candidates: planned.get(s.opIndex)!, words: keptWords(s.op, undefined) }));
  const layersBytes = layers.reduce((n, l) => n + choose(l.candidates, 1).bytes, 0);
  const baselineFlash = estimateNetworkSize(assembleNetwork(prepared, { style: 'baseline' }, base)).flash;
  return { exact, rest: exact.flash - layersBytes, layers, baselineFlash };
}

/** Pure analytic cost of one configuration (see the module comment). */
function analyticPoint(shapes: readonly LayerShape[], sizes: SizeModel, masks: SkipMasks, board: BoardProfile): PointLatency {
  let cycles = 0;
  let flash = sizes.rest;
  const perLayer = shapes.map((s, k) => {
    const mask = masks.get(s.opIndex);
    const kept = keptWeights(mask, s.weights);
    const c = s.positions * (2 * kept + 8 * s.outChannels);
    cycles += c;
    const { candidates, words } = sizes.layers[k];
    flash += choose(candidates, mask === undefined || words === 0 ? 1 : keptWords(s.op, mask) / words).bytes;
    return { opIndex: s.opIndex, cycles: c };
  });
  const fits = fitVerdict({ ...sizes.exact, flash }, board).fits !== 'no';
  return { cycles, flashBytes: flash, perLayer, fits };
}

/** Creates the analytic provider for `graph` on `board` (its sources are emitted on the first call). */
export function createMacsLatency(graph: Graph, board: BoardProfile): LatencyProvider {
  const prepared = prepareGraph(graph);
  const shapes = layerShapes(prepared);
  let sizes: SizeModel | undefined;
  const sized = (): SizeModel => {
    if (sizes === undefined) {
      sizes = sizeModels.get(graph) ?? sizeModel(prepared, shapes);
      sizeModels.set(graph, sizes);
    }
    return sizes;
  };
  const reference = (): ReferenceLatency => {
    const s = sized();
    const baseline: Cost = { cycles: shapes.reduce((n, l) => n + l.macs + l.positions * 8 * l.outChannels, 0), flashBytes: s.baselineFlash };
    const exact = analyticPoint(shapes, s, new Map(), board);
    return { baseline, unpackedExact: { cycles: exact.cycles, flashBytes: exact.flashBytes } };
  };
  return {
    description: 'analytic estimate, not a measurement: cycles from kept MACs, flash and SRAM from the pre-compile size estimate of unpacked code (nothing compiled or emulated)',
    reference: async () => reference(),
    point: async (masks) => analyticPoint(shapes, sized(), masks, board),
  };
}
