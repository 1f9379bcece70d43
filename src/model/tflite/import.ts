import type { Activation, DType, Graph, Op, OpKind, Padding, Quantization, Tensor } from '../ir.js';
import { ModelError } from '../errors.js';
import { FlatFile, type FlatTable } from './flat.js';
import {
  ACTIVATION_NAMES,
  CUSTOM_OP_CODE,
  F,
  FILE_IDENTIFIER,
  OP_CODE,
  OPTIONS_TYPE,
  PADDING_NAMES,
  SCHEMA_VERSION,
  TENSOR_TYPES,
  TENSOR_TYPE_NAMES,
  builtinOperatorName,
} from './schema.js';

/** Operator kinds the importer accepts, in BuiltinOperator code order. */
export const SUPPORTED_OPS: readonly OpKind[] = Object.keys(OP_CODE) as OpKind[];

const KIND_OF_CODE = new Map<number, OpKind>(Object.entries(OP_CODE).map(([k, v]) => [v, k as OpKind]));

/** Which options table each operator kind carries (absent options mean all defaults). */
const OPTIONS_OF: Record<OpKind, number> = {
  ADD: OPTIONS_TYPE.AddOptions,
  AVERAGE_POOL_2D: OPTIONS_TYPE.Pool2DOptions,
  CONV_2D: OPTIONS_TYPE.Conv2DOptions,
  DEPTHWISE_CONV_2D: OPTIONS_TYPE.DepthwiseConv2DOptions,
  DEQUANTIZE: OPTIONS_TYPE.DequantizeOptions,
  FULLY_CONNECTED: OPTIONS_TYPE.FullyConnectedOptions,
  MAX_POOL_2D: OPTIONS_TYPE.Pool2DOptions,
  RESHAPE: OPTIONS_TYPE.ReshapeOptions,
  SOFTMAX: OPTIONS_TYPE.SoftmaxOptions,
  PAD: OPTIONS_TYPE.PadOptions,
  MEAN: OPTIONS_TYPE.ReducerOptions,
  QUANTIZE: OPTIONS_TYPE.QuantizeOptions,
};

/** Minimum number of inputs per kind (bias of conv/FC is optional). */
const MIN_INPUTS: Record<OpKind, number> = {
  ADD: 2,
  AVERAGE_POOL_2D: 1,
  CONV_2D: 2,
  DEPTHWISE_CONV_2D: 2,
  DEQUANTIZE: 1,
  FULLY_CONNECTED: 2,
  MAX_POOL_2D: 1,
  RESHAPE: 1,
  SOFTMAX: 1,
  PAD: 2,
  MEAN: 2,
  QUANTIZE: 1,
};

/**
 * Reads a .tflite flatbuffer (schema version 3, one subgraph, constant data
 * stored inline) into the graph IR. Every offset is bounds-checked and every
 * tensor, operator and option validated; any problem throws a one-line
 * {@link ModelError} prefixed with `name`.
 *
 * @param bytes the whole file
 * @param name the graph's name (usually the file name without extension); also the error prefix
 */
export function importTflite(bytes: Uint8Array, name: string): Graph {
  // a plain Uint8Array view (a Node Buffer would make tensor data Buffers too)
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const file = new FlatFile(bytes, name);
  if (bytes.length < 8) file.fail(`truncated file (${bytes.length} bytes; a .tflite file starts with an 8-byte header)`);
  const ident = String.fromCharCode(bytes[4], bytes[5], bytes[6], bytes[7]);
  if (ident !== FILE_IDENTIFIER) {
    file.fail(`bad file identifier ${JSON.stringify(ident)} at byte 4 (expected "${FILE_IDENTIFIER}"; not a TFLite model)`);
  }
  const model = file.table(file.deref(0, 'root table'), 'model');
  const version = model.u32(F.Model.version, 0);
  if (version !== SCHEMA_VERSION) file.fail(`schema version ${version} is not supported (expected ${SCHEMA_VERSION})`);

  const subgraphs = model.tables(F.Model.subgraphs, 'subgraphs') ?? [];
  if (subgraphs.length !== 1) {
    file.fail(`the model has ${subgraphs.length} subgraphs; exactly one is supported (no control flow)`);
  }
  const buffers = readBuffers(file, model);
  const sg = subgraphs[0];
  const tensorTables = sg.tables(F.SubGraph.tensors, 'tensors') ?? [];
  const tensors = tensorTables.map((t, i) => readTensor(file, t, i, buffers));
  const checkIndex = (idx: number, what: string, optional: boolean): void => {
    if (optional && idx === -1) return;
    if (!Number.isInteger(idx) || idx < 0 || idx >= tensors.length) {
      file.fail(`${what} refers to tensor ${idx}, but the subgraph has ${tensors.length} tensors`);
    }
  };
  const inputs = Array.from(sg.i32s(F.SubGraph.inputs, 'inputs') ?? []);
  const outputs = Array.from(sg.i32s(F.SubGraph.outputs, 'outputs') ?? []);
  inputs.forEach((t, i) => checkIndex(t, `graph input ${i}`, false));
  outputs.forEach((t, i) => checkIndex(t, `graph output ${i}`, false));
  if (inputs.length === 0 || outputs.length === 0) file.fail('the subgraph declares no inputs or no outputs');

  const opcodes = (model.tables(F.Model.operatorCodes, 'operator_codes') ?? []).map((t) => ({
    code: Math.max(t.i8(F.OperatorCode.deprecatedBuiltinCode, 0), t.i32(F.OperatorCode.builtinCode, 0)),
    custom: t.str(F.OperatorCode.customCode, 'custom_code', ''),
  }));
  const opTables = sg.tables(F.SubGraph.operators, 'operators') ?? [];
  const ops = opTables.map((t, i) => readOperator(file, t, i, opcodes, tensors, checkIndex));
  return { name, tensors, ops, inputs, outputs };
}

interface RawBuffer {
  readonly data: Uint8Array | null;
}

function readBuffers(file: FlatFile, model: FlatTable): RawBuffer[] {
  const tables = model.tables(F.Model.buffers, 'buffers') ?? [];
  return tables.map((b, i) => {
    const offset = b.u64(F.Buffer.offset, 0n);
    const size = b.u64(F.Buffer.size, 0n);
    if (offset > 1n || size > 0n) {
      file.fail(
        `buffer ${i} stores its data outside the flatbuffer (offset ${offset}, size ${size}: the >2 GB model format), which is not supported`,
      );
    }
    const data = b.bytes(F.Buffer.data, `buffer ${i} data`);
    return { data: data && data.length > 0 ? data : null };
  });
}

function readTensor(file: FlatFile, t: FlatTable, index: number, buffers: RawBuffer[]): Tensor {
  const name = t.str(F.Tensor.name, 'name', `tensor_${index}`);
  const label = `tensor ${index} (${name})`;
  const typeCode = t.i8(F.Tensor.type, 0);
  const type = TENSOR_TYPES[typeCode as keyof typeof TENSOR_TYPES];
  if (!type) {
    const tn = TENSOR_TYPE_NAMES[typeCode] ?? `type ${typeCode}`;
    file.fail(`${label} has type ${tn}; supported: FLOAT32, INT32, UINT8, INT64, INT16, INT8`);
  }
  if (t.has(F.Tensor.sparsity)) file.fail(`${label} is sparse; sparse tensors are not supported`);
  const shape = Array.from(t.i32s(F.Tensor.shape, `${label} shape`) ?? []);
  shape.forEach((d, i) => {
    if (d < 0) file.fail(`${label} has dynamic dimension ${i} (${d}); static shapes only`);
  });
  const bufferIndex = t.u32(F.Tensor.buffer, 0);
  if (bufferIndex >= buffers.length && !(bufferIndex === 0 && buffers.length === 0)) {
    file.fail(`${label} refers to buffer ${bufferIndex}, but the model has ${buffers.length} buffers`);
  }
  let data: Uint8Array | null = buffers[bufferIndex]?.data ?? null;
  if (data) {
    const expected = shape.reduce((a, b) => a * b, 1) * type.bytes;
    if (data.length !== expected) {
      file.fail(
        `${label} has ${data.length} data bytes, expected ${expected} for shape [${shape.join(',')}] of ${type.dtype}`,
      );
    }
    data = data.slice();
  }
  return { index, name, shape, dtype: type.dtype as DType, quant: readQuant(file, t, label, shape), data };
}

function readQuant(file: FlatFile, t: FlatTable, label: string, shape: number[]): Quantization | null {
  const q = t.table(F.Tensor.quantization, `${label} quantization`);
  if (!q) return null;
  if (q.u8(F.Quantization.detailsType, 0) !== 0) file.fail(`${label} uses custom quantization details; not supported`);
  const scale = q.f32s(F.Quantization.scale, 'scale');
  if (!scale || scale.length === 0) return null;
  const zp = q.i64s(F.Quantization.zeroPoint, 'zero_point') ?? [];
  if (zp.length !== scale.length) {
    file.fail(`${label} quantization has ${scale.length} scales but ${zp.length} zero points`);
  }
  const axis = q.i32(F.Quantization.quantizedDimension, 0);
  if (scale.length > 1 && (axis < 0 || axis >= shape.length || shape[axis] !== scale.length)) {
    file.fail(`${label} has ${scale.length} per-channel scales along axis ${axis}, which does not match shape [${shape.join(',')}]`);
  }
  for (let i = 0; i < scale.length; i++) {
    if (!(scale[i] > 0) || !Number.isFinite(scale[i])) file.fail(`${label} scale[${i}] = ${scale[i]} is not positive`);
  }
  return { scale, zeroPoint: Int32Array.from(zp), axis };
}

type IndexCheck = (idx: number, what: string, optional: boolean) => void;

function readOperator(
  file: FlatFile,
  t: FlatTable,
  index: number,
  opcodes: { code: number; custom: string }[],
  tensors: Tensor[],
  checkIndex: IndexCheck,
): Op {
  const opcodeIndex = t.u32(F.Operator.opcodeIndex, 0);
  if (opcodeIndex >= opcodes.length) {
    file.fail(`operator ${index} uses opcode ${opcodeIndex}, but the model has ${opcodes.length} operator codes`);
  }
  const { code, custom } = opcodes[opcodeIndex];
  const kind = KIND_OF_CODE.get(code);
  if (!kind) {
    const what = code === CUSTOM_OP_CODE ? `CUSTOM "${custom}"` : builtinOperatorName(code);
    file.fail(`operator ${index} (${what}) is not supported; supported: ${SUPPORTED_OPS.join(', ')}`);
  }
  const label = `operator ${index} (${kind})`;
  const inputs = Array.from(t.i32s(F.Operator.inputs, `${label} inputs`) ?? []);
  const outputs = Array.from(t.i32s(F.Operator.outputs, `${label} outputs`) ?? []);
  if (inputs.length < MIN_INPUTS[kind]) file.fail(`${label} has ${inputs.length} inputs, needs at least ${MIN_INPUTS[kind]}`);
  if (outputs.length !== 1) file.fail(`${label} has ${outputs.length} outputs, expected 1`);
  inputs.forEach((x, i) => checkIndex(x, `${label} input ${i}`, i >= MIN_INPUTS[kind]));
  outputs.forEach((x, i) => checkIndex(x, `${label} output ${i}`, false));

  const optType = t.u8(F.Operator.builtinOptionsType, 0);
  if (optType !== 0 && optType !== OPTIONS_OF[kind]) {
    file.fail(`${label} carries options of union type ${optType}, expected ${OPTIONS_OF[kind]}`);
  }
  const opts = optType === 0 ? null : t.table(F.Operator.builtinOptions, `${label} options`);
  const base = { index, inputs, outputs };
  const get = {
    i32: (id: number, d: number) => (opts ? opts.i32(id, d) : d),
    i8: (id: number, d: number) => (opts ? opts.i8(id, d) : d),
    u8: (id: number, d: number) => (opts ? opts.u8(id, d) : d),
    f32: (id: number, d: number) => (opts ? opts.f32(id, d) : d),
  };
  const activation = (id: number): Activation => {
    const a = get.i8(id, 0);
    const n = ACTIVATION_NAMES[a];
    if (n !== 'NONE' && n !== 'RELU' && n !== 'RELU6' && n !== 'RELU_N1_TO_1') {
      file.fail(`${label}: fused activation ${n ?? a} is not supported; supported: NONE, RELU, RELU6, RELU_N1_TO_1`);
    }
    return n;
  };
  const padding = (id: number): Padding => {
    const p = get.i8(id, 0);
    const n = PADDING_NAMES[p];
    if (n !== 'SAME' && n !== 'VALID') file.fail(`${label}: padding ${p} is not SAME (0) or VALID (1)`);
    return n;
  };
  const positive = (id: number, d: number, what: string): number => {
    const v = get.i32(id, d);
    if (!(v >= 1)) file.fail(`${label}: ${what} ${v} must be at least 1`);
    return v;
  };
  // Field order is part of the op (stores and cache keys hash it): padding and strides, then the
  // op's own fields, then dilation, as the TFLite option tables list them.
  const window = (o: { padding: number; strideW: number; strideH: number }) => ({
    padding: padding(o.padding),
    strideW: positive(o.strideW, 0, 'stride_w'),
    strideH: positive(o.strideH, 0, 'stride_h'),
  });
  const dilation = (o: { dilationW: number; dilationH: number }) => ({
    dilationW: positive(o.dilationW, 1, 'dilation_w_factor'),
    dilationH: positive(o.dilationH, 1, 'dilation_h_factor'),
  });
  const checkWeights = (): void => {
    const w = tensors[inputs[1]];
    if (w.dtype === 'float32') {
      file.fail(`${label} has float32 weights (${w.name}); only int8-quantized models are supported (float-only model?)`);
    }
    if (w.dtype !== 'int8') file.fail(`${label} has ${w.dtype} weights (${w.name}); only int8 weights are supported`);
    if (!w.data) file.fail(`${label} weights (${w.name}) are not constant`);
  };

  switch (kind) {
    case 'CONV_2D': {
      const o = F.Conv2DOptions;
      checkWeights();
      return { ...base, kind, ...window(o), activation: activation(o.activation), ...dilation(o) };
    }
    case 'DEPTHWISE_CONV_2D': {
      const o = F.DepthwiseConv2DOptions;
      checkWeights();
      return {
        ...base,
        kind,
        ...window(o),
        depthMultiplier: positive(o.depthMultiplier, 1, 'depth_multiplier'),
        activation: activation(o.activation),
        ...dilation(o),
      };
    }
    case 'FULLY_CONNECTED': {
      const o = F.FullyConnectedOptions;
      checkWeights();
      const format = get.i8(o.weightsFormat, 0);
      if (format !== 0) file.fail(`${label}: weights_format ${format} (shuffled) is not supported`);
      return { ...base, kind, activation: activation(o.activation), keepNumDims: get.u8(o.keepNumDims, 0) !== 0 };
    }
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D': {
      const o = F.Pool2DOptions;
      return {
        ...base,
        kind,
        ...window(o),
        filterW: positive(o.filterW, 0, 'filter_width'),
        filterH: positive(o.filterH, 0, 'filter_height'),
        activation: activation(o.activation),
      };
    }
    case 'ADD':
      return { ...base, kind, activation: activation(F.AddOptions.activation) };
    case 'SOFTMAX':
      return { ...base, kind, beta: get.f32(F.SoftmaxOptions.beta, 0) };
    case 'MEAN':
      return { ...base, kind, keepDims: get.u8(F.ReducerOptions.keepDims, 0) !== 0 };
    case 'PAD':
    case 'RESHAPE':
    case 'QUANTIZE':
    case 'DEQUANTIZE':
      return { ...base, kind };
  }
}
