/**
 * The int8 reference engine: runs a {@link Graph} bit-exactly as TFLite's
 * integer reference kernels do, with optional per-layer skip masks (a skipped
 * weight counts as zero). Three backends compute the same bytes: `wasm` (the
 * default when the native library does not load; CONV_2D and FULLY_CONNECTED as a WebAssembly SIMD GEMM, depthwise
 * (multiplier 1, channels a multiple of 4), MAX_POOL_2D, ADD and QUANTIZE as
 * SIMD kernels, the rest in TS), `native` (the default where it loads on a
 * CPU with AVX2: the same operators in C, see native/engine.h) and `scalar`
 * (pure-TS reference loops, the oracle).
 *
 * For many masked evaluations over a fixed image set, see
 * {@link createSession} (prefix reuse) in ./session.js.
 */
import type { Graph, SkipMasks } from '../ir.js';
import { ModelError } from '../errors.js';
import { prepareGraph, type PreparedGraph } from './prepare.js';
import { Executor, type Backend, type WeightRefit } from './executor.js';
import { wasmSimdSupported } from './wasm/gemm-module.js';
import { argmaxBytes } from './argmax.js';
import { createExecutorSession, type Session, type SessionOptions } from './session.js';
import { defaultBackend, NATIVE_ISA_NAMES } from './native/library.js';

export { NATIVE_ISA, NATIVE_ISA_NAMES, nativeKernels, nativeEngineLibrary } from './native/library.js';

export type { Backend, WeightRefit } from './executor.js';
export type { Session, SessionOptions, SessionResult } from './session.js';

/**
 * What runs a model: one inference maps the graph input's bytes to the
 * graph output's bytes, each tensor as the model stores it (int8, or
 * float32 little-endian), under optional per-layer skip masks. The
 * reference engine ({@link createEngine}) is the one implementation; it
 * adds the batch helpers of {@link ReferenceEngine}.
 */
export interface Engine {
  readonly graph: Graph;
  /** One inference: input bytes (the graph input's dtype and shape) -> output tensor bytes. */
  run(input: Uint8Array, masks?: SkipMasks): Uint8Array;
}

/** Options of {@link createEngine}. */
export interface EngineOptions {
  /**
   * `native` (default when build/native/libsimengine.so loads on a CPU with
   * AVX2), `wasm` (else, when WebAssembly SIMD is available) or `scalar`
   * (the pure-TS oracle); SIM_DSE_ENGINE overrides the default.
   */
  readonly backend?: Backend;
  /** Native backend only: GEMM instruction-set level (NATIVE_ISA; default the best the CPU has). */
  readonly nativeIsa?: number;
  /** Weights and bias a masked layer runs with instead of its own (compensation, src/model/compensation); default none. */
  readonly refit?: WeightRefit;
}

/** The engine as created here: the {@link Engine} contract plus batch helpers. */
export interface ReferenceEngine extends Engine {
  readonly backend: Backend;
  /** Description of the backend, e.g. `native (avx512-vnni)`. */
  readonly backendName: string;
  /** Multiply-accumulates of one inference (conv, depthwise and FC). */
  readonly macs: number;
  /** Byte length of one input. */
  readonly inputBytes: number;
  /** Byte length of one output. */
  readonly outputBytes: number;
  /** Runs every input with the same masks; one output (a fresh copy) per input. */
  runBatch(inputs: readonly Uint8Array[], masks?: SkipMasks): Uint8Array[];
  /** Runs every input and returns the argmax of each output (ties: lowest index). */
  classify(inputs: readonly Uint8Array[], masks?: SkipMasks): Int32Array;
  /** Index of the largest value of an output of this engine's output tensor. */
  argmax(output: Uint8Array): number;
  /**
   * One inference that keeps every activation: the bytes (fresh copies) of
   * each non-constant tensor, by tensor index (the graph input included).
   */
  trace(input: Uint8Array, masks?: SkipMasks): Map<number, Uint8Array>;
  /** A session over `inputs` (each one input) on this engine's executor: see ./session.ts. */
  session(inputs: readonly Uint8Array[], options?: SessionOptions): Session;
}

export { argmaxBytes } from './argmax.js';

/**
 * Creates a session over `inputs` (each the engine's input bytes): many
 * masked evaluations of one image set with prefix reuse (./session.ts).
 */
export function createSession(engine: ReferenceEngine, inputs: readonly Uint8Array[], options: SessionOptions = {}): Session {
  return engine.session(inputs, options);
}

/** Validates the graph (supported ops/options/types) and prepares it (requantization
 *  multipliers, packed weights); throws ModelError (one line) otherwise. */
export function createEngine(graph: Graph, options: EngineOptions = {}): ReferenceEngine {
  const prepared: PreparedGraph = prepareGraph(graph);
  const backend: Backend = options.backend ?? defaultBackend(wasmSimdSupported() ? 'wasm' : 'scalar');
  const ex = new Executor(prepared, backend, options.nativeIsa, options.refit ?? null);
  const inT = prepared.input;
  const outT = prepared.output;
  const inputBytes = prepared.tensorBytes[inT.index];
  const outputBytes = prepared.tensorBytes[outT.index];
  const inView = ex.bytes(inT.index);
  const outDtype = outT.dtype as 'int8' | 'float32';
  const n = prepared.ops.length;
  /** Checks `masks` and sets them for the runs of one call (every image of a batch runs under them). */
  const useMasks = (masks: SkipMasks | undefined): void => {
    ex.validateMasks(masks);
    ex.useMasks(masks);
  };
  const runOne = (input: Uint8Array): Uint8Array => {
    if (input.byteLength !== inputBytes) {
      throw new ModelError(`graph ${graph.name}: input has ${input.byteLength} bytes, expected ${inputBytes} (${inT.dtype} [${inT.shape.join(',')}])`);
    }
    inView.set(input);
    ex.runRange(0, n);
    return ex.bytes(outT.index);
  };
  const engine: ReferenceEngine = {
    graph,
    backend,
    backendName: backend === 'native' ? `native (${NATIVE_ISA_NAMES[ex.isa]})` : backend,
    macs: prepared.macs,
    inputBytes,
    outputBytes,
    run(input, masks) {
      useMasks(masks);
      return runOne(input).slice();
    },
    runBatch(inputs, masks) {
      useMasks(masks);
      return inputs.map((x) => runOne(x).slice());
    },
    classify(inputs, masks) {
      useMasks(masks);
      const out = new Int32Array(inputs.length);
      inputs.forEach((x, i) => {
        out[i] = argmaxBytes(runOne(x), outDtype);
      });
      return out;
    },
    argmax(output) {
      return argmaxBytes(output, outDtype);
    },
    trace(input, masks) {
      useMasks(masks);
      runOne(input);
      const tensors = new Map<number, Uint8Array>();
      prepared.tensorBytes.forEach((b, t) => {
        if (b > 0) tensors.set(t, ex.bytes(t).slice());
      });
      return tensors;
    },
    session(inputs, sessionOptions) {
      return createExecutorSession(ex, inputs, sessionOptions);
    },
  };
  return engine;
}
