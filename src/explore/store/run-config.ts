/**
 * The configuration of a run (`config.json`): everything that determines its
 * results. Two runs with equal configurations produce identical stores, so
 * the default run id is derived from it, and a run directory is resumed only
 * with the configuration it was made with.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../../util/errors.js';
import type { Preprocess } from '../../model/registry.js';

/** Version of the store layout written and read. */
export const STORE_VERSION = 1;

/** The configuration of a run. */
export interface RunConfig {
  readonly version: number;
  /**
   * The model: name, sha256, file name; `preprocess` only when it is not the
   * manifest's (a model outside the manifest, or --preprocess/--resize given),
   * so export and validate feed the firmware the same images.
   */
  readonly model: { readonly name: string; readonly sha256: string; readonly file: string; readonly preprocess?: Preprocess };
  readonly board: string;
  /**
   * Every board of a multi-board run, in `--board` order (absent in a
   * single-board run, whose store is unchanged): each board's sub-store has
   * this configuration with its own `board` (see ./board-stores.ts).
   */
  readonly boards?: readonly string[];
  /** Significance metric. */
  readonly metric: string;
  /** Calibration images (the first N of data_batch_1) the significance was computed on. */
  readonly calibration: number;
  /** Latency source name (`emulated`, `macs`). */
  readonly latency: string;
  /** The configuration space, as the space module describes it. */
  readonly space: unknown;
  readonly search: {
    readonly strategy: 'grid' | 'nsga2';
    /** Most configurations the search evaluates. */
    readonly budget: number;
    readonly population: number;
    readonly seed: number;
    /**
     * Top-1 loss (percentage points, on the search images) beyond which NSGA-II
     * treats a point as infeasible, to spend its budget where reports look.
     */
    readonly maxLoss: number;
    /**
     * NSGA-II starts with the per-layer sensitivity pass (every layer alone at
     * each level, then composite seeds; search/sensitivity.ts), counted in the
     * budget. Absent in stores from before the pass and with `--no-sensitivity`.
     */
    readonly sensitivity?: true;
  };
  readonly images: { readonly search: number; readonly full: number; readonly dataset: string };
  /** Whether the seed toolkit's grid preset is evaluated beside the search. */
  readonly seedGrid: boolean;
  /**
   * `--compensate`: every masked layer runs its kept weights and bias refitted by least squares over the
   * `calibration` images' activations, damped by `damping` (src/model/compensation). Absent: plain masks.
   */
  readonly compensation?: { readonly damping: number };
}

/** JSON text with object keys sorted at every level (a canonical form for hashing and comparing). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Default run id: `<model>-<first 10 hex digits of the configuration's sha256>`. */
export function defaultRunId(config: RunConfig): string {
  return `${config.model.name}-${createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 10)}`;
}

/** Paths of the top-level fields of two JSON values that differ (first level below the root, then deeper). */
function differingFields(a: unknown, b: unknown, path = ''): string[] {
  if (canonicalJson(a) === canonicalJson(b)) return [];
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) || Array.isArray(b)) return [path || '(root)'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => differingFields((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
}

/**
 * Checks that an existing run directory's configuration matches the one
 * asked for; throws UsageError naming what differs (the model first).
 */
export function checkSameRun(existing: RunConfig, wanted: RunConfig, dir: string): void {
  if (existing.model?.sha256 !== wanted.model.sha256) {
    throw new UsageError(
      `run directory ${dir} was made for model ${existing.model?.name ?? '?'} (sha256 ${String(existing.model?.sha256).slice(0, 12)}), not ${wanted.model.name} (sha256 ${wanted.model.sha256.slice(0, 12)}); choose another --id or --out`,
    );
  }
  const diff = differingFields(existing, wanted);
  if (diff.length > 0) {
    throw new UsageError(`run directory ${dir} was made with different options (${diff.join(', ')}); choose another --id or --out`);
  }
}
