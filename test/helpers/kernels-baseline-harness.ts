/**
 * Shared helpers of the baseline kernel tests: reference tensors from the
 * engine, one image holding many emitted layers (plus the library), and a
 * layer call in the emulator with the contract's four arguments.
 */
import { getBoard } from '../../src/emulator/boards.js';
import { parseElf } from '../../src/emulator/elf.js';
import { Machine } from '../../src/emulator/machine.js';
import type { CallOk } from '../../src/emulator/call-types.js';
import { compileImage, type CSource } from '../../src/kernels/compile/compile.js';
import { baselineLibrarySources, emitBaselineLayer } from '../../src/kernels/baseline/emit.js';
import type { EmittedLayer } from '../../src/kernels/layer-types.js';
import { createEngine } from '../../src/model/engine/index.js';
import type { PreparedGraph, PreparedOp } from '../../src/model/engine/prepare.js';
import type { Graph, SkipMask, SkipMasks } from '../../src/model/ir.js';
import { xorshift32 } from './xorshift.js';

/** Every tensor of one engine inference (copies), by tensor index. */
export function engineTensors(graph: Graph, input: Uint8Array, masks?: SkipMasks): (tensor: number) => Uint8Array {
  const tensors = createEngine(graph, { backend: 'scalar' }).trace(input, masks);
  return (t) => tensors.get(t)!;
}

/** Operators the baseline library computes (float boundaries and RESHAPE are the host's). */
export function hasBaselineKernel(op: PreparedOp): boolean {
  return op.kind !== 'quantize' && op.kind !== 'dequantize' && op.kind !== 'reshape';
}

/** One layer to put in an image. */
export interface LayerSpec {
  readonly op: PreparedOp;
  readonly fn: string;
  readonly mask?: SkipMask;
}

/** A compiled image of emitted layers, loaded into a machine. */
export interface LayerImage {
  readonly machine: Machine;
  readonly layers: ReadonlyMap<string, { readonly spec: LayerSpec; readonly emitted: EmittedLayer }>;
  readonly elf: Uint8Array;
}

/** Emits every layer, compiles them with the library (and `extra` sources) for `boardId`, loads the image. */
export async function buildLayers(specs: readonly LayerSpec[], boardId: string, extra: readonly CSource[] = []): Promise<LayerImage> {
  const layers = new Map<string, { spec: LayerSpec; emitted: EmittedLayer }>();
  for (const spec of specs) layers.set(spec.fn, { spec, emitted: emitBaselineLayer(spec.op, spec.fn, spec.mask) });
  const board = getBoard(boardId);
  const elf = await compileImage({
    sources: [...baselineLibrarySources(), ...[...layers.values()].map((l) => l.emitted.source), ...extra],
    board,
  });
  const machine = new Machine(parseElf(elf, 'baseline-test.elf'), board, 'baseline-test.elf');
  return { machine, layers, elf };
}

/** Activation bytes of an operator's output tensor. */
export function outputBytes(prepared: PreparedGraph, op: PreparedOp): number {
  return prepared.tensorBytes[op.output];
}

/** Calls layer `fn` on its input tensor(s); returns the output bytes and the call result. */
export function runLayer(
  image: LayerImage,
  fn: string,
  inputs: { in0: Uint8Array; in1?: Uint8Array },
  outBytes: number,
  warm = false,
): { out: Uint8Array; call: CallOk } {
  const layer = image.layers.get(fn)!;
  const scratch = layer.emitted.scratchBytes;
  const result = image.machine.call(
    {
      symbol: fn,
      args: [inputs.in0, inputs.in1 ?? 0, new Uint8Array(outBytes), scratch > 0 ? new Uint8Array(scratch) : 0],
    },
    { warm },
  );
  if (result.kind !== 'ok') throw new Error(`${fn}: ${result.message}`);
  return { out: result.buffers[1 + (inputs.in1 ? 1 : 0)], call: result };
}

/** The input tensors of an operator, from the engine's tensors. */
export function opInputs(op: PreparedOp, tensor: (t: number) => Uint8Array): { in0: Uint8Array; in1?: Uint8Array } {
  return op.kind === 'add' ? { in0: tensor(op.inputA), in1: tensor(op.inputB) } : { in0: tensor(op.input) };
}

/** A deterministic pseudo-random mask skipping about `fraction` of `n` weights (xorshift32). */
export function randomMask(n: number, fraction: number, seed: number): SkipMask {
  const next = xorshift32(seed);
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) m[i] = next() / 4294967296 < fraction ? 1 : 0;
  return m;
}
