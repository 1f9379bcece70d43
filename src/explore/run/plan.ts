/**
 * Turns `sim-dse run` options into a validated {@link RunPlan}: the model,
 * board, configuration space (and the seed toolkit's grid beside it), search
 * settings, image counts, threads, latency source and run directory. All
 * input errors surface here as one-line UsageErrors, before anything is
 * computed or written.
 */
import { locateCmsisNn } from '../../kernels/cmsis-nn/locate.js';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { BoardProfile } from '../../emulator/board.js';
import { getBoard } from '../../emulator/boards.js';
import { loadCifar10 } from '../../model/dataset/cifar10.js';
import { parsePreprocess, parseResize, resolveModel, type ResolvedModel } from '../../model/registry.js';
import { checkImageInput } from '../../model/dataset/preprocess.js';
import { UsageError } from '../../util/errors.js';
import { defaultLatencySource, latencySources } from '../evaluate/latency-sources.js';
import { DEFAULT_CALIBRATION_IMAGES } from '../significance/calibration.js';
import { parseMetric } from '../significance/metric.js';
import { buildSpace, parseLayers, parseLevels, parseSettingKind, presetSpace, spaceSize, type ConfigSpace } from '../space/index.js';
import { defaultRunId, STORE_VERSION, type RunConfig } from '../store/run-config.js';
import { parseRedisUrl } from '../cluster/connection.js';
import { boardStoreDir } from '../store/board-stores.js';
import { parseChoice, parseIntOption, parseNumberOption } from '../../util/parse-options.js';
import { compensableLayers, DEFAULT_DAMPING } from '../../model/compensation/index.js';

/** Options of `sim-dse run`, as text (commander's view). */
export interface RunOptions {
  readonly model: string;
  readonly models?: string;
  readonly preprocess?: string;
  /** `--resize`: bilinear or none (see the registry). */
  readonly resize?: string;
  readonly data?: string;
  readonly board?: string;
  /** Space preset: `default` or `seed-grid`. */
  readonly preset?: string;
  readonly metric?: string;
  /** Custom space: `threshold` or `fraction`. */
  readonly kind?: string;
  readonly layers?: string;
  readonly levels?: string;
  readonly excludeFirst?: boolean;
  /** `weight` (default) or `pair`: what a skip level removes (see SkipUnit). */
  readonly skipUnit?: string;
  /** `--compensate`: masked layers run least-squares refitted weights and biases (src/model/compensation). */
  readonly compensate?: boolean;
  /** `auto` (grid when the space fits the budget), `grid` or `nsga2`. */
  readonly search?: string;
  readonly budget?: string;
  readonly population?: string;
  readonly seed?: string;
  /** Search-time top-1 loss limit in percentage points. */
  readonly maxLoss?: string;
  readonly images?: string;
  readonly fullImages?: string;
  readonly calibration?: string;
  readonly threads?: string;
  readonly latency?: string;
  /** false: do not evaluate the seed toolkit's grid beside the search. */
  readonly seedGrid?: boolean;
  /** false (`--no-sensitivity`): NSGA-II without the per-layer sensitivity pass. */
  readonly sensitivity?: boolean;
  /** Parent folder of run directories (default `runs`). */
  readonly out?: string;
  readonly id?: string;
  /** Stop after this many new rows (testing resume). */
  readonly stopAfter?: string;
  /** CMSIS-NN folder for the reference (`--cmsis-nn`; default $SIM_DSE_CMSIS_NN or ../shared/third-party/CMSIS-NN). */
  readonly cmsisNn?: string;
  /** `--redis URL`: evaluate on the workers of this queue instead of local threads. */
  readonly redis?: string;
}

/** One board of a run and where its store is. */
export interface BoardPlan {
  readonly board: BoardProfile;
  /** Its store: the run directory (one board) or the board's sub-store (several; see store/board-stores.ts). */
  readonly dir: string;
  /** Its store's configuration. */
  readonly config: RunConfig;
}

/** A validated run. */
export interface RunPlan {
  readonly model: ResolvedModel;
  /** The first board of `boards`. */
  readonly board: BoardProfile;
  /** Every board of the run, in `--board` order, each resolved once here. */
  readonly boards: readonly BoardPlan[];
  readonly space: ConfigSpace;
  /** The seed toolkit's grid, evaluated beside the search (null: not run). */
  readonly seedGridSpace: ConfigSpace | null;
  readonly calibration: number;
  readonly dataDir: string | undefined;
  /** --threads as asked. */
  readonly threads: number;
  /** Worker threads actually started: {@link workerCount} of `threads` on this machine. */
  readonly workers: number;
  readonly latency: string;
  /** The first board's store configuration (the whole run's, with one board). */
  readonly config: RunConfig;
  /** The run directory. */
  readonly dir: string;
  /** Stop after this many new rows (null: run to the end). */
  readonly stopAfter: number | null;
  /** `--cmsis-nn DIR`, checked to be a CMSIS-NN folder (absent: the default place, if there). */
  readonly cmsisNn?: string;
  /** `--redis URL`: the queue whose workers evaluate the run (absent: local threads). */
  readonly redis?: string;
}

/** Defaults of the search. */
export const RUN_DEFAULTS = { budget: 1000, population: 50, seed: 1, maxLoss: 10, images: 1000, board: 'nucleo-f446re', out: 'runs' } as const;

function spaceFromOptions(o: RunOptions, model: ResolvedModel): ConfigSpace {
  const custom = o.kind !== undefined || o.layers !== undefined || o.levels !== undefined;
  const metric = o.metric === undefined ? undefined : parseMetric(o.metric);
  if (o.skipUnit !== undefined && o.skipUnit !== 'weight' && o.skipUnit !== 'pair' && o.skipUnit !== 'sparse') {
    throw new UsageError(`--skip-unit ${JSON.stringify(o.skipUnit)}: expected weight, pair or sparse`);
  }
  const unit = o.skipUnit === 'pair' || o.skipUnit === 'sparse' ? o.skipUnit : undefined;
  if (!custom) {
    const preset = o.preset ?? 'default';
    if (preset === 'seed-grid' && metric !== undefined && metric !== 'seed') {
      throw new UsageError(`--metric ${metric}: the seed-grid preset uses the seed metric`);
    }
    return presetSpace(preset, model.graph, { metric, excludeFirst: o.excludeFirst, unit });
  }
  if (o.preset !== undefined) throw new UsageError('--preset cannot be combined with --kind, --layers or --levels');
  return buildSpace(model.graph, {
    name: 'custom',
    metric,
    kind: o.kind === undefined ? undefined : parseSettingKind(o.kind),
    layers: o.layers === undefined ? undefined : parseLayers(o.layers),
    levels: o.levels === undefined ? undefined : parseLevels(o.levels),
    excludeFirst: o.excludeFirst,
    unit,
  });
}

/** The seed toolkit's grid over the model, or null when it does not apply (fewer than 3 convs) or is the space itself. */
function seedGridBeside(o: RunOptions, model: ResolvedModel, space: ConfigSpace): ConfigSpace | null {
  if (o.seedGrid === false || space.name === 'seed-grid') return null;
  try {
    return presetSpace('seed-grid', model.graph);
  } catch (err) {
    if (o.seedGrid === true && err instanceof UsageError) throw err;
    return null;
  }
}

/** A run name: one path component that cannot leave `--out`. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Worker threads for `threads` asked on a machine with `cpus` CPUs: never
 * more than the CPUs. Every worker holds its own model, images and prefix
 * checkpoints, and all are CPU-bound, so workers beyond the cores only add
 * memory and switching (issue 16: 7.0 GB peak at 16 threads on 2 cores
 * against 1.6 GB at 2) without finishing sooner.
 */
export function workerCount(threads: number, cpus: number = availableParallelism()): number {
  return Math.max(1, Math.min(threads, cpus));
}

/**
 * The boards of `--board`: one id or a comma-separated list, each resolved to
 * its profile (an unknown one is a `board` error naming it), no repeats.
 */
export function parseBoards(text: string | undefined): BoardProfile[] {
  const ids = (text ?? RUN_DEFAULTS.board).split(',').map((b) => b.trim());
  const boards = ids.map((id) => getBoard(id));
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new UsageError(`--board: ${twice} is listed twice`);
  return boards;
}

/** The store of each board: the run itself for one board, else `<dir>/<board>` with the run's boards in its configuration. */
function boardPlans(boards: readonly BoardProfile[], config: RunConfig, dir: string): BoardPlan[] {
  if (boards.length === 1) return [{ board: boards[0], dir, config }];
  const ids = boards.map((b) => b.id);
  return boards.map((board) => ({ board, dir: boardStoreDir(dir, board.id), config: { ...config, board: board.id, boards: ids } }));
}

/** Refuses `--compensate` where it cannot apply: a layer of the space it cannot refit. */
function checkCompensable(model: ResolvedModel, spaces: readonly ConfigSpace[]): void {
  const compensable = compensableLayers(model.graph);
  for (const s of spaces) {
    const other = s.layers.find((l) => !compensable.has(l.opIndex));
    if (other !== undefined) {
      const kind = model.graph.ops[other.opIndex].kind;
      throw new UsageError(`--compensate: layer ${other.opIndex} (${kind}) of the ${s.name} space cannot be refitted (CONV_2D and FULLY_CONNECTED only); leave it out with --layers`);
    }
    const noBias = s.layers.find((l) => (model.graph.ops[l.opIndex].inputs[2] ?? -1) < 0);
    if (noBias !== undefined) throw new UsageError(`--compensate: layer ${noBias.opIndex} of the ${s.name} space has no bias tensor to refit; leave it out with --layers`);
  }
}

/** Validates options and resolves everything a run needs (reads the model; computes nothing). */
export function planRun(o: RunOptions): RunPlan {
  const threads = parseIntOption('--threads', o.threads, Math.max(1, availableParallelism()), 1, 256);
  const budget = parseIntOption('--budget', o.budget, RUN_DEFAULTS.budget);
  const population = parseIntOption('--population', o.population, RUN_DEFAULTS.population, 4);
  const seed = parseIntOption('--seed', o.seed, RUN_DEFAULTS.seed, 0, 2 ** 32 - 1);
  const maxLoss = parseNumberOption('--max-loss', o.maxLoss, RUN_DEFAULTS.maxLoss, 0, 100);
  const calibration = parseIntOption('--calibration', o.calibration, DEFAULT_CALIBRATION_IMAGES);
  const stopAfter = o.stopAfter === undefined ? null : parseIntOption('--stop-after', o.stopAfter, 1);
  if (o.cmsisNn !== undefined) locateCmsisNn(o.cmsisNn);
  const redis = o.redis === undefined ? undefined : parseRedisUrl(o.redis);
  const latency = o.latency ?? defaultLatencySource();
  if (!(latency in latencySources)) throw new UsageError(`--latency: '${latency}' is not one of ${Object.keys(latencySources).join(', ')}`);
  const boards = parseBoards(o.board);
  const board = boards[0];
  const model = resolveModel(o.model, {
    modelsDir: o.models,
    preprocess: o.preprocess ? parsePreprocess(o.preprocess) : undefined,
    resize: o.resize ? parseResize(o.resize) : undefined,
  });
  checkImageInput(model.graph, model.preprocess);
  const space = spaceFromOptions(o, model);
  const seedGridSpace = seedGridBeside(o, model, space);
  const ds = loadCifar10({ dir: o.data, split: 'test' });
  const full = parseIntOption('--full-images', o.fullImages, ds.count, 1, ds.count);
  const images = parseIntOption('--images', o.images, Math.min(RUN_DEFAULTS.images, full), 1, full);
  const size = spaceSize(space);
  const strategy = parseChoice('--search', o.search, ['auto', 'grid', 'nsga2'] as const, 'auto');
  const chosen = strategy === 'auto' ? (size <= budget ? 'grid' : 'nsga2') : strategy;
  if (chosen === 'grid' && size > budget) {
    throw new UsageError(`--search grid: the space has ${size} points, more than --budget ${budget}; raise --budget or use --search nsga2`);
  }
  const config: RunConfig = {
    version: STORE_VERSION,
    model: { name: model.name, sha256: model.sha256, file: model.path.split(/[\\/]/).pop()!, ...(model.preprocessFrom === 'manifest' && model.preprocess.resize === undefined ? {} : { preprocess: model.preprocess }) },
    board: board.id,
    metric: space.metric,
    calibration,
    latency,
    space,
    search: { strategy: chosen, budget: chosen === 'grid' ? size : budget, population, seed, maxLoss, ...(chosen === 'nsga2' && o.sensitivity !== false && { sensitivity: true as const }) },
    images: { search: images, full, dataset: `cifar10 ${ds.source}` },
    seedGrid: seedGridSpace !== null,
    ...(boards.length > 1 && { boards: boards.map((b) => b.id) }),
    ...(o.compensate === true && { compensation: { damping: DEFAULT_DAMPING } }),
  };
  if (o.compensate === true) checkCompensable(model, [space, ...(seedGridSpace ? [seedGridSpace] : [])]);
  if (space.metric === 'obs' && o.compensate !== true) {
    throw new UsageError('--metric obs ranks skip units by the error left after refitting the kept weights: use it with --compensate');
  }
  if (o.id !== undefined && !RUN_ID.test(o.id)) {
    throw new UsageError(`--id '${o.id}' is not a run name (letters, digits, '.', '_' and '-', starting with a letter or digit); use --out to choose where runs go`);
  }
  const dir = resolve(join(o.out ?? RUN_DEFAULTS.out, o.id ?? defaultRunId(config)));
  const stores = boardPlans(boards, config, dir);
  return { model, board, boards: stores, space, seedGridSpace, calibration, dataDir: o.data, threads, workers: workerCount(threads), latency, config: stores[0].config, dir, stopAfter, cmsisNn: o.cmsisNn, ...(redis !== undefined && { redis }) };
}
