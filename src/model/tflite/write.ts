import { Builder } from 'flatbuffers';
import type { Graph, Op, OpKind, Tensor } from '../ir.js';
import { isMaskable } from '../ir.js';
import { ModelError } from '../errors.js';
import type { SkipMasks } from '../ir.js';
import { ACTIVATION_NAMES, F, FILE_IDENTIFIER, OP_CODE, OPTIONS_TYPE, PADDING_NAMES, SCHEMA_VERSION, TENSOR_TYPE_OF } from './schema.js';

/**
 * Operator versions written into OperatorCode.version: the versions of the
 * int8 kernels of each operator (readers such as ArmNN ignore them; TFLite
 * uses them to pick a kernel registration).
 */
const OP_VERSION: Record<OpKind, number> = {
  ADD: 2,
  AVERAGE_POOL_2D: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 3,
  DEQUANTIZE: 2,
  FULLY_CONNECTED: 4,
  MAX_POOL_2D: 2,
  RESHAPE: 1,
  SOFTMAX: 2,
  PAD: 2,
  MEAN: 2,
  QUANTIZE: 2,
};

/** Number of fields to reserve when starting a table (highest field id + 1). */
const fieldCount = (fields: Record<string, number>): number => Math.max(...Object.values(fields)) + 1;

/**
 * Serialises a graph as a .tflite flatbuffer (schema version 3, one subgraph,
 * one buffer per constant tensor, data aligned to 16 bytes, buffer 0 the empty
 * sentinel). Only the schema subset the importer reads is written, so
 * `importTflite(writeTflite(g), g.name)` equals `g` for any imported graph.
 *
 * @param graph the graph to write (typically an imported graph with some tensors' data replaced)
 * @param description the Model.description string
 */
export function writeTflite(graph: Graph, description = 'sim-dse'): Uint8Array {
  const b = new Builder(1 << 16);

  // Buffers: 0 is the empty sentinel, then one per constant tensor.
  const bufferOf = new Map<number, number>();
  const bufferTables: number[] = [emptyTable(b)];
  for (const t of graph.tensors) {
    if (!t.data) continue;
    b.prep(16, t.data.length);
    const data = b.createByteVector(t.data);
    b.startObject(fieldCount(F.Buffer));
    b.addFieldOffset(F.Buffer.data, data, 0);
    bufferOf.set(t.index, bufferTables.length);
    bufferTables.push(b.endObject());
  }

  const tensors = graph.tensors.map((t) => writeTensor(b, t, bufferOf.get(t.index) ?? 0));

  const kinds: OpKind[] = [];
  for (const op of graph.ops) if (!kinds.includes(op.kind)) kinds.push(op.kind);
  const opcodes = kinds.map((kind) => {
    const code = OP_CODE[kind];
    b.startObject(fieldCount(F.OperatorCode));
    b.addFieldInt8(F.OperatorCode.deprecatedBuiltinCode, Math.min(code, 127), 0);
    b.addFieldInt32(F.OperatorCode.version, OP_VERSION[kind], 1);
    b.addFieldInt32(F.OperatorCode.builtinCode, code, 0);
    return b.endObject();
  });
  const operators = graph.ops.map((op) => writeOperator(b, op, kinds.indexOf(op.kind), graph));

  const tensorsVec = offsetVector(b, tensors);
  const inputsVec = int32Vector(b, graph.inputs);
  const outputsVec = int32Vector(b, graph.outputs);
  const opsVec = offsetVector(b, operators);
  const sgName = b.createString('main');
  b.startObject(fieldCount(F.SubGraph));
  b.addFieldOffset(F.SubGraph.tensors, tensorsVec, 0);
  b.addFieldOffset(F.SubGraph.inputs, inputsVec, 0);
  b.addFieldOffset(F.SubGraph.outputs, outputsVec, 0);
  b.addFieldOffset(F.SubGraph.operators, opsVec, 0);
  b.addFieldOffset(F.SubGraph.name, sgName, 0);
  const subgraph = b.endObject();

  const codesVec = offsetVector(b, opcodes);
  const subgraphsVec = offsetVector(b, [subgraph]);
  const desc = b.createString(description);
  const buffersVec = offsetVector(b, bufferTables);
  b.startObject(fieldCount(F.Model));
  b.addFieldInt32(F.Model.version, SCHEMA_VERSION, -1);
  b.addFieldOffset(F.Model.operatorCodes, codesVec, 0);
  b.addFieldOffset(F.Model.subgraphs, subgraphsVec, 0);
  b.addFieldOffset(F.Model.description, desc, 0);
  b.addFieldOffset(F.Model.buffers, buffersVec, 0);
  const model = b.endObject();
  b.finish(model, FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}

/**
 * A copy of `graph` with the data of some constant tensors replaced (same
 * length required). The original graph is not modified.
 *
 * @param replacements tensor index -> new little-endian bytes
 */
export function replaceTensorData(graph: Graph, replacements: ReadonlyMap<number, Uint8Array>): Graph {
  for (const [index, bytes] of replacements) {
    const t = graph.tensors[index];
    if (!t || !t.data) throw new ModelError(`${graph.name}: tensor ${index} is not a constant tensor`);
    if (bytes.length !== t.data.length) {
      throw new ModelError(`${graph.name}: tensor ${index} (${t.name}) needs ${t.data.length} bytes, got ${bytes.length}`);
    }
  }
  const tensors = graph.tensors.map((t): Tensor => {
    const bytes = replacements.get(t.index);
    return bytes ? { ...t, data: bytes.slice() } : t;
  });
  return { ...graph, tensors };
}

/**
 * A copy of `graph` whose masked weights are set to 0 in the weight tensors'
 * bytes: the exact model an approximate (skipping) kernel computes. Masks
 * follow the layout of {@link SkipMask} (one byte per weight, storage order).
 */
export function applySkipMasks(graph: Graph, masks: SkipMasks): Graph {
  const replacements = new Map<number, Uint8Array>();
  for (const [opIndex, mask] of masks) {
    const op = graph.ops[opIndex];
    if (!op || !isMaskable(op)) throw new ModelError(`${graph.name}: operator ${opIndex} is not a maskable layer`);
    const w = graph.tensors[op.inputs[1]];
    const data = (replacements.get(w.index) ?? w.data)?.slice();
    if (!data || data.length !== mask.length) {
      throw new ModelError(`${graph.name}: mask of operator ${opIndex} has ${mask.length} entries, weights have ${data?.length ?? 0}`);
    }
    for (let i = 0; i < mask.length; i++) if (mask[i]) data[i] = 0;
    replacements.set(w.index, data);
  }
  return replaceTensorData(graph, replacements);
}

function emptyTable(b: Builder): number {
  b.startObject(0);
  return b.endObject();
}

function offsetVector(b: Builder, items: readonly number[]): number {
  b.startVector(4, items.length, 4);
  for (let i = items.length - 1; i >= 0; i--) b.addOffset(items[i]);
  return b.endVector();
}

function int32Vector(b: Builder, items: readonly number[]): number {
  b.startVector(4, items.length, 4);
  for (let i = items.length - 1; i >= 0; i--) b.addInt32(items[i]);
  return b.endVector();
}

function writeTensor(b: Builder, t: Tensor, buffer: number): number {
  const shape = int32Vector(b, t.shape);
  const name = b.createString(t.name);
  let quant = 0;
  if (t.quant) {
    const n = t.quant.scale.length;
    b.startVector(4, n, 4);
    for (let i = n - 1; i >= 0; i--) b.addFloat32(t.quant.scale[i]);
    const scale = b.endVector();
    b.startVector(8, n, 8);
    for (let i = n - 1; i >= 0; i--) b.addInt64(BigInt(t.quant.zeroPoint[i]));
    const zp = b.endVector();
    b.startObject(fieldCount(F.Quantization));
    b.addFieldOffset(F.Quantization.scale, scale, 0);
    b.addFieldOffset(F.Quantization.zeroPoint, zp, 0);
    b.addFieldInt32(F.Quantization.quantizedDimension, t.quant.axis, 0);
    quant = b.endObject();
  }
  b.startObject(fieldCount(F.Tensor));
  b.addFieldOffset(F.Tensor.shape, shape, 0);
  b.addFieldInt8(F.Tensor.type, TENSOR_TYPE_OF[t.dtype], -1);
  b.addFieldInt32(F.Tensor.buffer, buffer, -1);
  b.addFieldOffset(F.Tensor.name, name, 0);
  if (quant) b.addFieldOffset(F.Tensor.quantization, quant, 0);
  return b.endObject();
}

const act = (a: string): number => ACTIVATION_NAMES.indexOf(a);
const pad = (p: string): number => PADDING_NAMES.indexOf(p);

interface WindowFields {
  readonly padding: number;
  readonly strideW: number;
  readonly strideH: number;
}
interface DilationFields {
  readonly dilationW: number;
  readonly dilationH: number;
}

/** Adds padding and strides (in this order: the bytes written depend on it). */
function addWindow(b: Builder, o: WindowFields, op: { padding: string; strideW: number; strideH: number }): void {
  b.addFieldInt8(o.padding, pad(op.padding), -1);
  b.addFieldInt32(o.strideW, op.strideW, -1);
  b.addFieldInt32(o.strideH, op.strideH, -1);
}

/** Adds the two dilation factors. */
function addDilation(b: Builder, o: DilationFields, op: DilationFields): void {
  b.addFieldInt32(o.dilationW, op.dilationW, -1);
  b.addFieldInt32(o.dilationH, op.dilationH, -1);
}

/** Writes the options table of `op`; returns [union type, offset]. */
function writeOptions(b: Builder, op: Op, graph: Graph): [number, number] {
  switch (op.kind) {
    case 'CONV_2D': {
      const o = F.Conv2DOptions;
      b.startObject(fieldCount(o));
      addWindow(b, o, op);
      b.addFieldInt8(o.activation, act(op.activation), -1);
      addDilation(b, o, op);
      return [OPTIONS_TYPE.Conv2DOptions, b.endObject()];
    }
    case 'DEPTHWISE_CONV_2D': {
      const o = F.DepthwiseConv2DOptions;
      b.startObject(fieldCount(o));
      addWindow(b, o, op);
      b.addFieldInt32(o.depthMultiplier, op.depthMultiplier, -1);
      b.addFieldInt8(o.activation, act(op.activation), -1);
      addDilation(b, o, op);
      return [OPTIONS_TYPE.DepthwiseConv2DOptions, b.endObject()];
    }
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D': {
      const o = F.Pool2DOptions;
      b.startObject(fieldCount(o));
      addWindow(b, o, op);
      b.addFieldInt32(o.filterW, op.filterW, -1);
      b.addFieldInt32(o.filterH, op.filterH, -1);
      b.addFieldInt8(o.activation, act(op.activation), -1);
      return [OPTIONS_TYPE.Pool2DOptions, b.endObject()];
    }
    case 'FULLY_CONNECTED': {
      const o = F.FullyConnectedOptions;
      b.startObject(fieldCount(o));
      b.addFieldInt8(o.activation, act(op.activation), -1);
      b.addFieldInt8(o.keepNumDims, op.keepNumDims ? 1 : 0, -1);
      return [OPTIONS_TYPE.FullyConnectedOptions, b.endObject()];
    }
    case 'ADD': {
      b.startObject(fieldCount(F.AddOptions));
      b.addFieldInt8(F.AddOptions.activation, act(op.activation), -1);
      return [OPTIONS_TYPE.AddOptions, b.endObject()];
    }
    case 'SOFTMAX': {
      b.startObject(fieldCount(F.SoftmaxOptions));
      b.addFieldFloat32(F.SoftmaxOptions.beta, op.beta, null);
      return [OPTIONS_TYPE.SoftmaxOptions, b.endObject()];
    }
    case 'MEAN': {
      b.startObject(fieldCount(F.ReducerOptions));
      b.addFieldInt8(F.ReducerOptions.keepDims, op.keepDims ? 1 : 0, -1);
      return [OPTIONS_TYPE.ReducerOptions, b.endObject()];
    }
    case 'RESHAPE': {
      const newShape = int32Vector(b, graph.tensors[op.outputs[0]].shape);
      b.startObject(fieldCount(F.ReshapeOptions));
      b.addFieldOffset(F.ReshapeOptions.newShape, newShape, 0);
      return [OPTIONS_TYPE.ReshapeOptions, b.endObject()];
    }
    case 'PAD':
      return [OPTIONS_TYPE.PadOptions, emptyTable(b)];
    case 'QUANTIZE':
      return [OPTIONS_TYPE.QuantizeOptions, emptyTable(b)];
    case 'DEQUANTIZE':
      return [OPTIONS_TYPE.DequantizeOptions, emptyTable(b)];
  }
}

function writeOperator(b: Builder, op: Op, opcodeIndex: number, graph: Graph): number {
  const [optType, options] = writeOptions(b, op, graph);
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  b.startObject(fieldCount(F.Operator));
  b.addFieldInt32(F.Operator.opcodeIndex, opcodeIndex, -1);
  b.addFieldOffset(F.Operator.inputs, inputs, 0);
  b.addFieldOffset(F.Operator.outputs, outputs, 0);
  b.addFieldInt8(F.Operator.builtinOptionsType, optType, -1);
  b.addFieldOffset(F.Operator.builtinOptions, options, 0);
  return b.endObject();
}
