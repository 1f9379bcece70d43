/**
 * A design point of a DSE run, as export and validate need it: the store's
 * row and run configuration, the skip masks rebuilt from the configuration
 * (and checked against the row's per-layer skip counts), and the cycle
 * prediction laid out per firmware layer (explore -> firmware: the run store
 * is read here, the firmware module knows nothing of it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { significanceForModel } from '../significance/for-model.js';
import { calibrationInputs } from '../significance/calibration.js';
import { compensatedGraph } from '../../model/compensation/index.js';
import { loadCompensation } from '../significance/compensation-cache.js';
import type { Configuration } from '../space/config.js';
import { masksFor } from '../space/masks.js';
import { skippedCount } from '../../model/skip-config.js';
import { rowConfiguration } from '../store/point-config.js';
import { meanCycles, type PointRow, type TimedFirmwareRow, timedFirmware } from '../store/rows.js';
import type { RunConfig } from '../store/run-config.js';
import { boardStore } from '../store/board-stores.js';
import { reductionAtLoss } from '../front/analysis.js';
import type { Graph, SkipMasks } from '../../model/ir.js';
import type { Preprocess } from '../../model/registry.js';
import { SimDseError, UsageError } from '../../util/errors.js';
import type { Prediction } from '../../firmware/validate.js';
import { pointWord } from '../../firmware/export.js';
import { planNetwork } from '../../kernels/network/plan.js';
import { prepareGraph } from '../../model/engine/prepare.js';
import { describePreprocess, loadManifest, resolveModel, type ResizeOption, type ResolvedModel } from '../../model/registry.js';
import { readModelSource, readStore } from '../store/run-store.js';

/** One point of a run store. */
export interface DesignPoint {
  /** The run id (or path) as given. */
  readonly run: string;
  readonly dir: string;
  readonly config: RunConfig;
  readonly row: PointRow;
  /** The point's whole-firmware timing, when the DSE made one. */
  readonly firmware: TimedFirmwareRow | null;
}

/**
 * Which board's store of a multi-board run to read: `board` (`--board`);
 * with `firstByDefault`, the run's first board when none is named or the run
 * lacks it (export targets any board), else the board must be one of the run's.
 * A single-board run has one store, whatever the choice.
 */
export interface BoardChoice {
  readonly board?: string;
  readonly firstByDefault?: boolean;
}

/**
 * The store directory of `run`: a path when it names an existing folder or holds a separator, else `<runsDir>/<run>`;
 * for a multi-board run, the sub-store of the board `choice` names.
 * @throws UsageError when that folder does not exist, or the board is not one of a multi-board run's
 */
export function runDirectory(run: string, runsDir: string, choice: BoardChoice = {}): string {
  const dir = run.includes('/') || run.includes('\\') || (existsSync(run) && !existsSync(join(runsDir, run))) ? run : join(runsDir, run);
  if (!existsSync(dir)) throw new UsageError(`run ${run} not found (no folder ${dir}; see --runs)`);
  return boardStore(dir, choice.board, choice.firstByDefault);
}

/** Where to find a run's model: the manifest models' folder, or the .tflite itself for a model outside the manifest. */
export interface ModelSource {
  /** Folder of the manifest models (default: $SIM_DSE_MODELS or ../shared/models). */
  readonly modelsDir?: string;
  /** The model file (`--model FILE`); without it a model outside the manifest is read where the run found it (model.json). */
  readonly modelFile?: string;
  /** `--preprocess` and `--resize` as given: checked against the run's (the run's preprocessing is used). */
  readonly preprocess?: Preprocess;
  readonly resize?: ResizeOption;
}

/** The file of a point's model: `--model FILE`, the manifest model of the run's name, or the path the run stored. */
function pointModelSpec(point: DesignPoint, source: ModelSource): string {
  const want = point.config.model;
  if (source.modelFile !== undefined) return source.modelFile;
  if (loadManifest().some((m) => m.name === want.name)) return want.name;
  const stored = readModelSource(point.dir);
  if (stored !== null && existsSync(stored.path)) return stored.path;
  const where = stored === null ? '' : ` (it was at ${stored.path}, no longer there)`;
  throw new UsageError(`run ${point.run} was made for ${want.file} (sha256 ${want.sha256.slice(0, 12)}), which is not in the manifest${where}: give --model PATH to that .tflite`);
}

/**
 * The model a point's run was made for, with the run's preprocessing: `modelFile`
 * when given, else the manifest model of the run's name, else the file the run
 * was made on when it is still there.
 * @throws SimDseError when the model found has other bytes than the run's, or
 *   it cannot be found, or the preprocessing given differs from the run's
 */
export function pointModel(point: DesignPoint, source: ModelSource = {}): ResolvedModel {
  const want = point.config.model;
  const model = resolveModel(pointModelSpec(point, source), { modelsDir: source.modelsDir, resize: want.preprocess?.resize ?? 'none' });
  if (model.sha256 !== want.sha256) {
    throw new SimDseError('firmware', `run ${point.run} was made for model ${want.name} with sha256 ${want.sha256.slice(0, 12)}, but ${model.path} has ${model.sha256.slice(0, 12)}`);
  }
  const preprocess = want.preprocess ?? model.preprocess;
  const given = source.preprocess === undefined && source.resize === undefined ? null : { ...(source.preprocess ?? preprocess), ...(source.resize === undefined ? {} : { resize: source.resize === 'none' ? undefined : source.resize }) };
  if (given !== null && describePreprocess(given) !== describePreprocess(preprocess)) {
    throw new UsageError(`run ${point.run} fed its model ${describePreprocess(preprocess)}; --preprocess/--resize ask for ${describePreprocess(given)} (leave them out: the run's preprocessing is used)`);
  }
  return { ...model, preprocess };
}

/** The layer names of a point's firmware network (one per operator the kernels run), from its model. */
export function pointLayerNames(point: DesignPoint, source: ModelSource = {}): string[] {
  return planNetwork(prepareGraph(pointModel(point, source).graph)).layers.map((l) => l.name);
}

/** The name a point's firmware prints in its start line: `<run id>/<point id>`. */
export function pointName(point: DesignPoint): string {
  return pointWord({ run: point.run, point: point.row.id, model: point.config.model.name });
}

/**
 * Reads point `id` of run `run`.
 * @throws UsageError when the run or the point does not exist
 */
export function readDesignPoint(run: string, id: number, runsDir: string, choice: BoardChoice = {}): DesignPoint {
  if (!Number.isInteger(id) || id < 0) throw new UsageError(`--point ${id}: expected a point id (0, 1, ...)`);
  const dir = runDirectory(run, runsDir, choice);
  const store = readStore(dir);
  const row = store.points.find((p) => p.id === id);
  if (!row) {
    const n = store.points.length;
    throw new UsageError(`run ${run} has no point ${id} (${n === 0 ? 'it has no points yet' : `its points are 0..${n - 1}`})`);
  }
  return { run, dir, config: store.config, row, firmware: timedFirmware(store.firmware, row.hash) };
}

/**
 * The point a top-1 loss budget chooses (percentage points on the full test
 * set): the fastest re-evaluated search point within it, as the report
 * names it.
 * @throws UsageError when the run is not that far, or no stored point beats the exact references within the budget
 */
export function pointAtLoss(run: string, loss: number, runsDir: string, choice: BoardChoice = {}): number {
  if (!Number.isFinite(loss) || loss < 0 || loss > 100) throw new UsageError(`--loss ${loss}: expected percentage points from 0 to 100`);
  const dir = runDirectory(run, runsDir, choice);
  const r = reductionAtLoss(readStore(dir), loss);
  if (r === null) throw new UsageError(`run ${run} has no full-test-set results yet: finish it (rerun the same sim-dse run command) before choosing a point by --loss`);
  if (typeof r.point.id !== 'number') {
    throw new UsageError(`within ${loss} pp of top-1 no point of run ${run} is faster than the ${r.point.id} kernels (${r.point.cycles} cycles): nothing to export; sim-dse build --kernels ${r.point.id === 'exact baseline' ? 'baseline' : 'unpacked'} builds those`);
  }
  return r.point.id;
}

/** Operator index of a firmware layer from its name (`<kind>#<opIndex>`), or null. */
export function layerOpIndex(name: string): number | null {
  const m = /#(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}

/**
 * The point's cycle prediction per firmware layer, for a firmware of
 * `images` embedded test images (the first ones of the test set). With the
 * DSE's whole-firmware timing: every layer and the inference, the mean over
 * the first min(images, timed) images (equal, image for image, to what the
 * exported firmware measures in the emulator). Without it: a layer whose
 * operator the row lists gets the row's cycles, any other none (null), the
 * inference the row's cycles. Valid for the run's board only.
 */
export function pointPrediction(point: DesignPoint, layerNames: readonly string[], images: number): Prediction {
  const fw = point.firmware;
  if (fw !== null && fw.board === point.config.board && fw.layers.length === layerNames.length && fw.layers.every((l, k) => l.name === layerNames[k])) {
    const n = Math.max(1, Math.min(images, fw.images));
    return {
      board: fw.board,
      cycles: meanCycles(fw.inference.slice(0, n)),
      layers: fw.layers.map((l) => meanCycles(l.cycles.slice(0, n))),
      source: 'firmware',
      images: n,
    };
  }
  const byOp = new Map(point.row.layers.map((l) => [l.opIndex, l.cycles]));
  return {
    board: point.config.board,
    cycles: point.row.cycles,
    layers: layerNames.map((n) => {
      const op = layerOpIndex(n);
      return op === null ? null : (byOp.get(op) ?? null);
    }),
    source: 'variants',
  };
}

/** How the significance the masks need is found. */
export interface MaskInputs {
  readonly graph: Graph;
  readonly preprocess: Preprocess;
  /** CIFAR-10 folder for calibration images (data-driven metrics). */
  readonly dataDir?: string;
}

/**
 * The skip masks of a point, rebuilt from its configuration and the
 * significance, and checked against the skip counts the store recorded.
 * @throws SimDseError (`firmware`) when they disagree
 */
export function pointMasks(point: DesignPoint, inputs: MaskInputs): SkipMasks {
  const config: Configuration = rowConfiguration(point.row);
  const { significance } = significanceForModel(inputs, config.metric, { calibration: point.config.calibration, dataDir: inputs.dataDir });
  const masks = masksFor(config, significance);
  for (const layer of point.row.layers) {
    const mask = masks.get(layer.opIndex);
    const skipped = skippedCount(mask);
    if (skipped !== layer.skipped) {
      throw new SimDseError(
        'firmware',
        `cannot rebuild the skip masks of point ${point.row.id} of run ${point.run}: layer ${layer.opIndex} skips ${skipped} weights, the store says ${layer.skipped} (different significance or calibration images?)`,
      );
    }
  }
  return masks;
}

/**
 * The graph point `point`'s firmware runs under `masks`: the model's own, or, in a `--compensate` run, with each
 * masked layer's weights and bias refitted over the run's calibration images as its search evaluated them.
 */
export function pointGraph(point: DesignPoint, inputs: MaskInputs, masks: SkipMasks): Graph {
  const c = point.config.compensation;
  if (c === undefined || masks.size === 0) return inputs.graph;
  const { compensation } = loadCompensation(inputs.graph, calibrationInputs(inputs.graph, inputs.preprocess, point.config.calibration, inputs.dataDir), c.damping);
  return compensatedGraph(inputs.graph, masks, compensation.inverses);
}
