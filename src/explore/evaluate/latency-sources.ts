/**
 * The latency sources `sim-dse run --latency` can name. The kernels module
 * plugs its emulated provider in here (one entry: `emulated`); `macs` is the
 * built-in analytic proxy. The default is `emulated` when it is registered.
 */
import type { BoardProfile } from '../../emulator/board.js';
import type { Graph } from '../../model/ir.js';
import type { LatencyProvider } from './latency-types.js';
import { createMacsLatency } from './macs-latency.js';

/** What a latency source gets to build its provider. */
export interface LatencyContext {
  readonly graph: Graph;
  readonly board: BoardProfile;
}

/** A named way of making a {@link LatencyProvider}. */
export interface LatencySource {
  /** One line for `--help`. */
  readonly summary: string;
  create(ctx: LatencyContext): Promise<LatencyProvider>;
}

/** Every latency source by name. */
export const latencySources: Readonly<Record<string, LatencySource>> = {
  macs: {
    summary: 'analytic proxy from kept multiply-accumulates (no compiler, no emulator)',
    create: async ({ graph, board }) => createMacsLatency(graph, board),
  },
};

/** The source used when `--latency` is not given. */
export function defaultLatencySource(): string {
  return 'emulated' in latencySources ? 'emulated' : 'macs';
}
