/**
 * The latency sources `sim-dse run --latency` can name: `emulated` (compiled
 * layer variants from the kernels module, emulated; ./emulated-latency.ts),
 * the default, and `macs`, the analytic proxy.
 */
import type { BoardProfile } from '../../emulator/board.js';
import { testImageInput } from '../../model/dataset/preprocess.js';
import type { Compensation } from '../../model/compensation/index.js';
import type { Graph } from '../../model/ir.js';
import type { Preprocess } from '../../model/registry.js';
import { createEmulatedLatency, type EmulatedLatencyOptions } from './emulated-latency.js';
import { DEFAULT_FIRMWARE_IMAGES } from '../../firmware/image-timing.js';
import { firmwareBoardOf } from '../../firmware/firmware-boards.js';
import { testImages } from '../../firmware/network.js';
import type { LatencyProvider } from './latency-types.js';
import { createMacsLatency } from './macs-latency.js';

/** What a latency source gets to build its provider. */
export interface LatencyContext {
  readonly graph: Graph;
  readonly board: BoardProfile;
  /** Input preprocessing of the model (the emulated source times layers on test image 0). */
  readonly preprocess: Preprocess;
  /** CIFAR-10 folder (`--data`); default resolution when absent. */
  readonly dataDir?: string;
  /** Threads the source may use for work of its own (the emulated source's whole-firmware timings). */
  readonly threads?: number;
  /** Where the emulated source compiles and emulates variants and times firmware (default: here; a cluster run: its workers). */
  readonly offload?: Pick<EmulatedLatencyOptions, 'variantCost' | 'firmwareTimer'>;
  /** `--compensate`: masked layers are built with their refitted weights and biases (cycles need not change; the code does). */
  readonly compensation?: Compensation;
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
    summary: 'analytic proxy: cycles from kept multiply-accumulates, flash and SRAM from the pre-compile size estimate of unpacked code (no compiler, no emulator; not a measurement)',
    create: async ({ graph, board }) => createMacsLatency(graph, board),
  },
  emulated: {
    summary: 'compiled layer variants (the fastest feasible kernel style and placement per layer) emulated on the board with the cycle model (needs arm-none-eabi-gcc; cached)',
    create: async ({ graph, board, preprocess, dataDir, threads, offload, compensation }) => {
      const input = testImageInput(graph, preprocess, 0, dataDir);
      const firmwareBoard = firmwareBoardOf(board) ?? undefined;
      const firmwareImages = firmwareBoard ? () => testImages(graph, preprocess, new Map(), DEFAULT_FIRMWARE_IMAGES, dataDir) : undefined;
      return createEmulatedLatency({ graph, board, input, firmwareImages, firmwareBoard, firmwareThreads: threads, ...offload, ...(compensation && { compensation }) });
    },
  },
};

/** The source used when `--latency` is not given. */
export function defaultLatencySource(): string {
  return 'emulated';
}
