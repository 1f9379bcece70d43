/**
 * The memory plan of a network image: which operators become layer
 * functions, where every activation lives (the `in` / `out` pointers of
 * `sim_infer` or an offset in one static arena), and which operators stay on
 * the host. Pure: a PreparedGraph in, a plan out.
 *
 * Float QUANTIZE at the graph input and DEQUANTIZE at the graph output stay
 * on the host (the image takes and returns int8 tensors, as a deployed int8
 * model does after its input quantization); RESHAPE is an alias, no code.
 */
import type { PreparedGraph, PreparedOp } from '../../model/engine/prepare.js';
import { SimDseError } from '../../util/errors.js';
import { OPERATOR_NAME } from '../layer-types.js';

/** Where a tensor's bytes are during `sim_infer`. */
export type Storage =
  | { readonly kind: 'input' }
  | { readonly kind: 'output' }
  | { readonly kind: 'arena'; readonly offset: number };

/** One operator that runs on the device, in execution order. */
export interface PlannedLayer {
  readonly op: PreparedOp;
  /** C function name, unique in the image. */
  readonly fn: string;
  /** Human-readable name, e.g. `conv_2d#3`. */
  readonly name: string;
  /** Storage of the first input, the second (ADD) or null, and the output. */
  readonly in0: Storage;
  readonly in1: Storage | null;
  readonly out: Storage;
}

/** The plan of one network image. */
export interface NetworkPlan {
  readonly layers: readonly PlannedLayer[];
  /** Tensor index of the int8 tensor `sim_infer` reads (after any host-side QUANTIZE). */
  readonly inputTensor: number;
  /** Tensor index of the int8 tensor `sim_infer` writes (before any host-side DEQUANTIZE). */
  readonly outputTensor: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  /** Bytes of the static activation arena. */
  readonly arenaBytes: number;
}

/**
 * The network input of one image: tensor `plan.inputTensor` (the graph input
 * after any host-side QUANTIZE, what `sim_infer` reads) in the reference
 * engine's trace of that image's graph input bytes.
 */
export function networkInputOf(plan: NetworkPlan, trace: ReadonlyMap<number, Uint8Array>): Uint8Array {
  const bytes = trace.get(plan.inputTensor);
  if (bytes === undefined) throw new SimDseError('kernels', `the trace has no network input tensor ${plan.inputTensor}`);
  return bytes;
}

/** Activation inputs of a prepared operator. */
function opInputs(op: PreparedOp): number[] {
  return op.kind === 'add' ? [op.inputA, op.inputB] : [op.input];
}

/** Plans the device part of a prepared graph. */
export function planNetwork(prepared: PreparedGraph): NetworkPlan {
  let ops = [...prepared.ops];
  let inputTensor = prepared.input.index;
  let outputTensor = prepared.output.index;
  if (ops.length > 0 && ops[0].kind === 'quantize' && ops[0].input === inputTensor) {
    inputTensor = ops[0].output;
    ops = ops.slice(1);
  }
  const last = ops[ops.length - 1];
  if (last && last.kind === 'dequantize' && last.output === outputTensor) {
    outputTensor = last.input;
    ops = ops.slice(0, -1);
  }
  for (const op of ops) {
    if (op.kind === 'quantize' || op.kind === 'dequantize') {
      throw new SimDseError('kernels', `${OPERATOR_NAME[op.kind].toLowerCase()} (operator ${op.opIndex}) between float and int8 inside the graph is not supported on the device; only at the graph input/output`);
    }
  }
  // Aliases: a RESHAPE output is its input's bytes.
  const root = new Map<number, number>();
  const rootOf = (t: number): number => root.get(t) ?? t;
  for (const op of ops) if (op.kind === 'reshape') root.set(op.output, rootOf(op.input));
  const inRoot = rootOf(inputTensor);
  const outRoot = rootOf(outputTensor);
  if (inRoot === outRoot) throw new SimDseError('kernels', `graph ${prepared.graph.name} has no operator between its input and output`);
  const compute = ops.filter((op) => op.kind !== 'reshape');
  // Lifetimes of arena tensors, in steps of the compute list.
  const first = new Map<number, number>();
  const lastUse = new Map<number, number>();
  compute.forEach((op, step) => {
    for (const t of opInputs(op).map(rootOf)) lastUse.set(t, step);
    const o = rootOf(op.output);
    if (!first.has(o)) first.set(o, step);
    if (!lastUse.has(o)) lastUse.set(o, step);
  });
  const arenaTensors = [...first.keys()].filter((t) => t !== inRoot && t !== outRoot);
  arenaTensors.sort((a, b) => prepared.tensorBytes[b] - prepared.tensorBytes[a] || a - b);
  const placed: { t: number; off: number; end: number; from: number; to: number }[] = [];
  const offsets = new Map<number, number>();
  for (const t of arenaTensors) {
    const size = Math.ceil(prepared.tensorBytes[t] / 4) * 4;
    const from = first.get(t)!;
    const to = Math.max(lastUse.get(t)!, from);
    const clashes = placed.filter((p) => p.from <= to && from <= p.to).sort((a, b) => a.off - b.off);
    let off = 0;
    for (const p of clashes) {
      if (off + size <= p.off) break;
      off = Math.max(off, p.end);
    }
    placed.push({ t, off, end: off + size, from, to });
    offsets.set(t, off);
  }
  const storage = (t: number): Storage => {
    const r = rootOf(t);
    if (r === inRoot) return { kind: 'input' };
    if (r === outRoot) return { kind: 'output' };
    const offset = offsets.get(r);
    if (offset === undefined) throw new SimDseError('kernels', `tensor ${t} is read before any operator writes it`);
    return { kind: 'arena', offset };
  };
  const layers = compute.map((op): PlannedLayer => {
    const ins = opInputs(op);
    return {
      op,
      fn: `layer_${op.opIndex}`,
      name: `${OPERATOR_NAME[op.kind].toLowerCase()}#${op.opIndex}`,
      in0: storage(ins[0]),
      in1: ins.length > 1 ? storage(ins[1]) : null,
      out: storage(op.output),
    };
  });
  return {
    layers,
    inputTensor,
    outputTensor,
    inputBytes: prepared.tensorBytes[inputTensor],
    outputBytes: prepared.tensorBytes[outputTensor],
    arenaBytes: placed.reduce((m, p) => Math.max(m, p.end), 0),
  };
}
