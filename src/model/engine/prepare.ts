/**
 * Validation and preparation of a graph for the int8 reference engine: every
 * operator is checked (types, quantization, shapes, options) and turned into
 * a {@link PreparedOp} carrying what its kernel needs (requantization
 * multipliers, activation clamps, padding, constant data). Pure: no I/O.
 */
import type { Activation, Graph, Op, Padding, Tensor } from '../ir.js';
import { ModelError } from '../errors.js';
import { quantizeMultiplier, roundFloat32 } from './fixed-point.js';

/** Spatial geometry shared by convolutions and pooling (NHWC, batch N). */
export interface Geometry {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly oh: number;
  readonly ow: number;
  readonly oc: number;
  readonly kh: number;
  readonly kw: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** Requantization parameters of an output channel set. */
export interface Requant {
  readonly multiplier: Int32Array;
  readonly shift: Int32Array;
  readonly outZp: number;
  readonly actMin: number;
  readonly actMax: number;
}

/**
 * A maskable layer (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) prepared as
 * a generic weight set: `weights` in storage order (mask order), int8.
 */
export interface PreparedWeighted {
  readonly kind: 'conv' | 'depthwise' | 'fc';
  readonly opIndex: number;
  readonly input: number;
  readonly output: number;
  readonly geometry: Geometry;
  /** Weights as stored (OHWI, 1HWC or [O, I]); a mask has exactly this many bytes. */
  readonly weights: Int8Array;
  /** int32 bias per output channel (zeros when the operator has none). */
  readonly bias: Int32Array;
  readonly inZp: number;
  readonly requant: Requant;
  /** Depth multiplier (depthwise only, else 1). */
  readonly depthMultiplier: number;
  /** Multiply-accumulates per inference. */
  readonly macs: number;
}

/** Every prepared operator, tagged by kernel kind. */
export type PreparedOp =
  | PreparedWeighted
  | { readonly kind: 'maxpool' | 'avgpool'; readonly opIndex: number; readonly input: number; readonly output: number; readonly geometry: Geometry; readonly actMin: number; readonly actMax: number }
  | { readonly kind: 'add'; readonly opIndex: number; readonly inputA: number; readonly inputB: number; readonly output: number; readonly count: number; readonly aZp: number; readonly bZp: number; readonly outZp: number; readonly aMult: number; readonly aShift: number; readonly bMult: number; readonly bShift: number; readonly outMult: number; readonly outShift: number; readonly leftShift: number; readonly actMin: number; readonly actMax: number }
  | { readonly kind: 'pad'; readonly opIndex: number; readonly input: number; readonly output: number; readonly inShape: readonly number[]; readonly outShape: readonly number[]; readonly before: readonly number[]; readonly value: number }
  | { readonly kind: 'mean'; readonly opIndex: number; readonly input: number; readonly output: number; readonly n: number; readonly h: number; readonly w: number; readonly c: number; readonly inZp: number; readonly outZp: number; readonly multiplier: number; readonly shift: number }
  | { readonly kind: 'reshape'; readonly opIndex: number; readonly input: number; readonly output: number; readonly bytes: number }
  | { readonly kind: 'softmax'; readonly opIndex: number; readonly input: number; readonly output: number; readonly outer: number; readonly depth: number; readonly inputMultiplier: number; readonly inputLeftShift: number; readonly diffMin: number }
  | { readonly kind: 'quantize'; readonly opIndex: number; readonly input: number; readonly output: number; readonly count: number; readonly scale: number; readonly zp: number }
  | { readonly kind: 'requantize'; readonly opIndex: number; readonly input: number; readonly output: number; readonly count: number; readonly inZp: number; readonly outZp: number; readonly multiplier: number; readonly shift: number }
  | { readonly kind: 'dequantize'; readonly opIndex: number; readonly input: number; readonly output: number; readonly count: number; readonly scale: number; readonly zp: number };

/** True for the prepared maskable layers (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED). */
export function isWeightedOp(p: PreparedOp): p is PreparedWeighted {
  return p.kind === 'conv' || p.kind === 'depthwise' || p.kind === 'fc';
}

/** A validated, prepared graph. */
export interface PreparedGraph {
  readonly graph: Graph;
  readonly ops: readonly PreparedOp[];
  readonly input: Tensor;
  readonly output: Tensor;
  /** Byte size of every non-constant tensor (0 for constants). */
  readonly tensorBytes: readonly number[];
  /** Total multiply-accumulates of one inference. */
  readonly macs: number;
}

const BYTES: Record<string, number> = { int8: 1, uint8: 1, int16: 2, int32: 4, int64: 8, float32: 4 };

/** Number of elements of a shape. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function fail(op: Op, reason: string): never {
  throw new ModelError(`operator ${op.index} (${op.kind}): ${reason}`);
}

function tensorOf(graph: Graph, op: Op, index: number, role: string): Tensor {
  const t = graph.tensors[index];
  if (index < 0 || t === undefined) fail(op, `${role} tensor ${index} does not exist`);
  return t;
}

function scaleOf(op: Op, t: Tensor, role: string): { scale: number; zp: number } {
  if (t.quant === null || t.quant.scale.length === 0) fail(op, `${role} tensor ${t.index} (${t.name}) has no quantization`);
  if (t.quant.scale.length !== 1) fail(op, `${role} tensor ${t.index} (${t.name}) must be per-tensor quantized`);
  const zp = t.quant.zeroPoint[0] ?? 0;
  const range = ZERO_POINT_RANGE[t.dtype];
  if (range && (zp < range[0] || zp > range[1])) fail(op, `${role} tensor ${t.index} (${t.name}) has zero point ${zp}, outside ${t.dtype}'s ${range[0]}..${range[1]}`);
  return { scale: t.quant.scale[0], zp };
}

/** Zero points a tensor of each integer type can hold (the TFLite schema's quantization ranges). */
const ZERO_POINT_RANGE: Partial<Record<string, readonly [number, number]>> = { int8: [-128, 127], uint8: [0, 255], int16: [0, 0] };

/**
 * The fixed-point form of a requantization scale (an input, weight and output
 * scale combined), refused when it cannot be represented: a left shift above
 * 30 overflows the accumulator, and below 2^-31 every output collapses to the
 * zero point (TFLite flushes it to 0); both mean scales like 1e30 or 1e-30.
 */
function requantization(op: Op, real: number, what: string): { multiplier: number; shift: number } {
  const q = quantizeMultiplier(real);
  if (real !== 0 && (q.shift > 30 || q.multiplier === 0)) {
    fail(op, `${what} requantization scale ${real.toExponential(3)} cannot be represented in int8 fixed point (2^-31 to 2^30); are its tensor scales right?`);
  }
  return q;
}

function expectType(op: Op, t: Tensor, dtype: string, role: string): void {
  if (t.dtype !== dtype) fail(op, `${role} tensor ${t.index} (${t.name}) is ${t.dtype}, expected ${dtype}`);
}

function expectActivationTensor(op: Op, t: Tensor, role: string): void {
  expectType(op, t, 'int8', role);
  if (t.data !== null) fail(op, `${role} tensor ${t.index} (${t.name}) is a constant; only computed activations are supported`);
}

function constInt32(op: Op, t: Tensor, role: string): Int32Array {
  if (t.data === null) fail(op, `${role} tensor ${t.index} (${t.name}) must be constant`);
  if (t.dtype !== 'int32') fail(op, `${role} tensor ${t.index} (${t.name}) is ${t.dtype}, expected int32`);
  const n = elementCount(t.shape);
  if (t.data.byteLength !== n * 4) fail(op, `${role} tensor ${t.index} (${t.name}) holds ${t.data.byteLength} bytes, expected ${n * 4}`);
  const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true);
  return out;
}

function constInt8(op: Op, t: Tensor, role: string): Int8Array {
  if (t.data === null) fail(op, `${role} tensor ${t.index} (${t.name}) must be constant`);
  if (t.dtype !== 'int8') fail(op, `${role} tensor ${t.index} (${t.name}) is ${t.dtype}, expected int8 (float and hybrid models are not supported)`);
  const n = elementCount(t.shape);
  if (t.data.byteLength !== n) fail(op, `${role} tensor ${t.index} (${t.name}) holds ${t.data.byteLength} bytes, expected ${n}`);
  return new Int8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + n));
}

/** TFLite CalculateActivationRangeQuantized for int8 outputs. */
export function activationRange(act: Activation, scale: number, zp: number): { min: number; max: number } {
  const q = (f: number): number => zp + roundFloat32(Math.fround(f) / Math.fround(scale));
  switch (act) {
    case 'NONE':
      return { min: -128, max: 127 };
    case 'RELU':
      return { min: Math.max(-128, q(0)), max: 127 };
    case 'RELU6':
      return { min: Math.max(-128, q(0)), max: Math.min(127, q(6)) };
    case 'RELU_N1_TO_1':
      return { min: Math.max(-128, q(-1)), max: Math.min(127, q(1)) };
  }
}

/** TFLite output size for a padding scheme. */
export function outputSize(padding: Padding, inSize: number, filter: number, stride: number, dilation: number): number {
  const eff = (filter - 1) * dilation + 1;
  return padding === 'SAME' ? Math.floor((inSize + stride - 1) / stride) : Math.floor((inSize + stride - eff) / stride);
}

/** TFLite ComputePadding: the top/left padding (the smaller half of the total). */
export function leadingPadding(inSize: number, filter: number, stride: number, dilation: number, outSize: number): number {
  const eff = (filter - 1) * dilation + 1;
  const total = (outSize - 1) * stride + eff - inSize;
  return total > 0 ? Math.floor(total / 2) : 0;
}

function shape4(op: Op, t: Tensor, role: string): [number, number, number, number] {
  if (t.shape.length !== 4) fail(op, `${role} tensor ${t.index} (${t.name}) has rank ${t.shape.length}, expected 4 (NHWC)`);
  return [t.shape[0], t.shape[1], t.shape[2], t.shape[3]];
}

function checkPositive(op: Op, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) if (!Number.isInteger(v) || v < 1) fail(op, `${k} must be a positive integer, got ${v}`);
}

function spatial(
  op: Op,
  inT: Tensor,
  outT: Tensor,
  kh: number,
  kw: number,
  padding: Padding,
  strideH: number,
  strideW: number,
  dilationH: number,
  dilationW: number,
): Geometry {
  checkPositive(op, { strideH, strideW, dilationH, dilationW, filterH: kh, filterW: kw });
  const [n, h, w, c] = shape4(op, inT, 'input');
  const [on, oh, ow, oc] = shape4(op, outT, 'output');
  const eh = outputSize(padding, h, kh, strideH, dilationH);
  const ew = outputSize(padding, w, kw, strideW, dilationW);
  if (on !== n || oh !== eh || ow !== ew) {
    fail(op, `output shape [${outT.shape.join(',')}] does not match ${padding} padding of input [${inT.shape.join(',')}] (expected [${n},${eh},${ew},*])`);
  }
  return {
    n, h, w, c, oh, ow, oc, kh, kw, strideH, strideW, dilationH, dilationW,
    padTop: leadingPadding(h, kh, strideH, dilationH, oh),
    padLeft: leadingPadding(w, kw, strideW, dilationW, ow),
  };
}

function biasOf(graph: Graph, op: Op, channels: number): Int32Array {
  const bi = op.inputs[2];
  if (bi === undefined || bi < 0) return new Int32Array(channels);
  const b = constInt32(op, tensorOf(graph, op, bi, 'bias'), 'bias');
  if (b.length !== channels) fail(op, `bias has ${b.length} values, expected ${channels}`);
  return b;
}

function filterScales(op: Op, filter: Tensor, channels: number, axis: number): Float64Array {
  if (filter.quant === null || filter.quant.scale.length === 0) fail(op, `filter tensor ${filter.index} (${filter.name}) has no quantization`);
  const q = filter.quant;
  for (let i = 0; i < q.zeroPoint.length; i++) {
    if (q.zeroPoint[i] !== 0) fail(op, `filter tensor ${filter.index} (${filter.name}) has zero point ${q.zeroPoint[i]} at channel ${i}; int8 weights must be symmetric`);
  }
  if (q.scale.length === 1) return new Float64Array(channels).fill(q.scale[0]);
  if (q.scale.length !== channels || q.axis !== axis) {
    fail(op, `filter tensor ${filter.index} (${filter.name}) has ${q.scale.length} scales on axis ${q.axis}, expected 1 or ${channels} on axis ${axis}`);
  }
  return q.scale;
}

function prepareWeighted(graph: Graph, op: Op & { kind: 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED' }): PreparedWeighted {
  const inT = tensorOf(graph, op, op.inputs[0], 'input');
  const fT = tensorOf(graph, op, op.inputs[1], 'filter');
  const outT = tensorOf(graph, op, op.outputs[0], 'output');
  expectActivationTensor(op, inT, 'input');
  expectActivationTensor(op, outT, 'output');
  const weights = constInt8(op, fT, 'filter');
  const inQ = scaleOf(op, inT, 'input');
  const outQ = scaleOf(op, outT, 'output');
  const range = activationRange(op.activation, outQ.scale, outQ.zp);
  let geometry: Geometry;
  let channels: number;
  let realScales: Float64Array;
  let depthMultiplier = 1;
  let macs: number;
  if (op.kind === 'FULLY_CONNECTED') {
    if (fT.shape.length !== 2) fail(op, `weights tensor ${fT.index} (${fT.name}) has rank ${fT.shape.length}, expected 2 ([O, I])`);
    const [o, i] = fT.shape;
    const total = elementCount(inT.shape);
    if (i < 1 || total % i !== 0) fail(op, `input [${inT.shape.join(',')}] is not a whole number of rows of ${i}`);
    const batch = total / i;
    if (elementCount(outT.shape) !== batch * o) fail(op, `output [${outT.shape.join(',')}] does not hold ${batch} x ${o} values`);
    channels = o;
    geometry = { n: batch, h: 1, w: 1, c: i, oh: 1, ow: 1, oc: o, kh: 1, kw: 1, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0 };
    const fs = filterScales(op, fT, o, 0);
    realScales = new Float64Array(o);
    // TFLite per-tensor FC: the input*filter product is a float32 product.
    for (let k = 0; k < o; k++) {
      realScales[k] = fT.quant!.scale.length === 1 ? Math.fround(inQ.scale * fs[k]) / outQ.scale : (inQ.scale * fs[k]) / outQ.scale;
    }
    macs = batch * o * i;
  } else {
    const [fo, fh, fw, fi] = shape4(op, fT, 'filter');
    if (op.kind === 'CONV_2D') {
      geometry = spatial(op, inT, outT, fh, fw, op.padding, op.strideH, op.strideW, op.dilationH, op.dilationW);
      if (fi !== geometry.c) fail(op, `filter input channels ${fi} differ from input channels ${geometry.c}`);
      if (fo !== geometry.oc) fail(op, `filter output channels ${fo} differ from output channels ${geometry.oc}`);
      channels = fo;
      realScales = filterScales(op, fT, fo, 0);
      macs = geometry.n * geometry.oh * geometry.ow * fo * fh * fw * fi;
    } else {
      geometry = spatial(op, inT, outT, fh, fw, op.padding, op.strideH, op.strideW, op.dilationH, op.dilationW);
      if (fo !== 1) fail(op, `depthwise filter must have shape [1,H,W,C*M], got [${fT.shape.join(',')}]`);
      depthMultiplier = op.depthMultiplier > 0 ? op.depthMultiplier : fi / geometry.c;
      if (!Number.isInteger(depthMultiplier) || fi !== geometry.c * depthMultiplier || geometry.oc !== fi) {
        fail(op, `depthwise channels do not fit: input ${geometry.c}, filter ${fi}, output ${geometry.oc}, multiplier ${op.depthMultiplier}`);
      }
      channels = fi;
      realScales = filterScales(op, fT, fi, 3);
      macs = geometry.n * geometry.oh * geometry.ow * fi * fh * fw;
    }
    const s = realScales;
    realScales = new Float64Array(channels);
    for (let k = 0; k < channels; k++) realScales[k] = (inQ.scale * s[k]) / outQ.scale;
  }
  const multiplier = new Int32Array(channels);
  const shift = new Int32Array(channels);
  for (let k = 0; k < channels; k++) {
    const q = requantization(op, realScales[k], `channel ${k}`);
    multiplier[k] = q.multiplier;
    shift[k] = q.shift;
  }
  return {
    kind: op.kind === 'CONV_2D' ? 'conv' : op.kind === 'DEPTHWISE_CONV_2D' ? 'depthwise' : 'fc',
    opIndex: op.index,
    input: inT.index,
    output: outT.index,
    geometry,
    weights,
    bias: biasOf(graph, op, channels),
    inZp: inQ.zp,
    requant: { multiplier, shift, outZp: outQ.zp, actMin: range.min, actMax: range.max },
    depthMultiplier,
    macs,
  };
}

function sameQuant(op: Op, a: Tensor, b: Tensor): void {
  const qa = scaleOf(op, a, 'input');
  const qb = scaleOf(op, b, 'output');
  if (qa.scale !== qb.scale || qa.zp !== qb.zp) {
    fail(op, `input and output quantization differ (${qa.scale}/${qa.zp} vs ${qb.scale}/${qb.zp}); requantizing ${op.kind} is not supported`);
  }
}

function prepareOp(graph: Graph, op: Op): PreparedOp {
  switch (op.kind) {
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D':
    case 'FULLY_CONNECTED':
      return prepareWeighted(graph, op);
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D': {
      const inT = tensorOf(graph, op, op.inputs[0], 'input');
      const outT = tensorOf(graph, op, op.outputs[0], 'output');
      expectActivationTensor(op, inT, 'input');
      expectActivationTensor(op, outT, 'output');
      sameQuant(op, inT, outT);
      const g = spatial(op, inT, outT, op.filterH, op.filterW, op.padding, op.strideH, op.strideW, 1, 1);
      if (g.oc !== g.c) fail(op, `output channels ${g.oc} differ from input channels ${g.c}`);
      const q = scaleOf(op, outT, 'output');
      const r = activationRange(op.activation, q.scale, q.zp);
      return { kind: op.kind === 'MAX_POOL_2D' ? 'maxpool' : 'avgpool', opIndex: op.index, input: inT.index, output: outT.index, geometry: g, actMin: r.min, actMax: r.max };
    }
    case 'ADD': {
      const aT = tensorOf(graph, op, op.inputs[0], 'first input');
      const bT = tensorOf(graph, op, op.inputs[1], 'second input');
      const outT = tensorOf(graph, op, op.outputs[0], 'output');
      for (const [t, role] of [[aT, 'first input'], [bT, 'second input'], [outT, 'output']] as const) expectActivationTensor(op, t, role);
      const count = elementCount(outT.shape);
      if (elementCount(aT.shape) !== count || elementCount(bT.shape) !== count || aT.shape.join(',') !== bT.shape.join(',')) {
        fail(op, `shapes [${aT.shape.join(',')}] and [${bT.shape.join(',')}] differ; broadcasting ADD is not supported`);
      }
      const qa = scaleOf(op, aT, 'first input');
      const qb = scaleOf(op, bT, 'second input');
      const qo = scaleOf(op, outT, 'output');
      const leftShift = 20;
      // float32 max doubled (exact), then double divisions as TFLite's Prepare does.
      const twiceMax = 2 * Math.max(qa.scale, qb.scale);
      const ma = requantization(op, qa.scale / twiceMax, 'first input');
      const mb = requantization(op, qb.scale / twiceMax, 'second input');
      const mo = requantization(op, twiceMax / Math.fround((1 << leftShift) * qo.scale), 'output');
      const r = activationRange(op.activation, qo.scale, qo.zp);
      return {
        kind: 'add', opIndex: op.index, inputA: aT.index, inputB: bT.index, output: outT.index, count,
        aZp: qa.zp, bZp: qb.zp, outZp: qo.zp, aMult: ma.multiplier, aShift: ma.shift, bMult: mb.multiplier, bShift: mb.shift,
        outMult: mo.multiplier, outShift: mo.shift, leftShift, actMin: r.min, actMax: r.max,
      };
    }
    case 'PAD': {
      const inT = tensorOf(graph, op, op.inputs[0], 'input');
      const pT = tensorOf(graph, op, op.inputs[1], 'paddings');
      const outT = tensorOf(graph, op, op.outputs[0], 'output');
      expectActivationTensor(op, inT, 'input');
      expectActivationTensor(op, outT, 'output');
      sameQuant(op, inT, outT);
      const p = constInt32(op, pT, 'paddings');
      const rank = inT.shape.length;
      if (p.length !== rank * 2 || outT.shape.length !== rank) fail(op, `paddings must be [${rank}, 2] for input [${inT.shape.join(',')}]`);
      const before: number[] = [];
      for (let d = 0; d < rank; d++) {
        if (p[2 * d] < 0 || p[2 * d + 1] < 0) fail(op, `negative padding on axis ${d}`);
        if (inT.shape[d] + p[2 * d] + p[2 * d + 1] !== outT.shape[d]) fail(op, `output axis ${d} is ${outT.shape[d]}, expected ${inT.shape[d] + p[2 * d] + p[2 * d + 1]}`);
        before.push(p[2 * d]);
      }
      return { kind: 'pad', opIndex: op.index, input: inT.index, output: outT.index, inShape: inT.shape, outShape: outT.shape, before, value: scaleOf(op, outT, 'output').zp };
    }
    case 'MEAN': {
      const inT = tensorOf(graph, op, op.inputs[0], 'input');
      const aT = tensorOf(graph, op, op.inputs[1], 'axes');
      const outT = tensorOf(graph, op, op.outputs[0], 'output');
      expectActivationTensor(op, inT, 'input');
      expectActivationTensor(op, outT, 'output');
      const [n, h, w, c] = shape4(op, inT, 'input');
      const axes = Array.from(constInt32(op, aT, 'axes'), (a) => (a < 0 ? a + 4 : a)).sort();
      if (axes.join(',') !== '1,2') fail(op, `only a spatial mean over axes [1,2] is supported, got [${axes.join(',')}]`);
      if (elementCount(outT.shape) !== n * c) fail(op, `output [${outT.shape.join(',')}] does not hold ${n} x ${c} values`);
      const qi = scaleOf(op, inT, 'input');
      const qo = scaleOf(op, outT, 'output');
      const m = requantization(op, qi.scale / qo.scale, 'output');
      return { kind: 'mean', opIndex: op.index, input: inT.index, output: outT.index, n, h, w, c, inZp: qi.zp, outZp: qo.zp, multiplier: m.multiplier, shift: m.shift };
    }
    case 'RESHAPE': {
      const inT = tensorOf(graph, op, op.inputs[0], 'input');
      const outT = tensorOf(graph, op, op.outputs[0], 'output');
      if (inT.data !== null) fail(op, `input tensor ${inT.index} (${inT.name}) is a constant; only computed activations are supported`);
      if (inT.dtype !== outT.dtype) fail(op, `input is ${inT.dtype} but output is ${outT.dtype}`);
      if (inT.dtype !== 'int8' && inT.dtype !== 'float32') fail(op, `type ${inT.dtype} is not supported`);
      const count = elementCount(inT.shape);
      if (count !== elementCount(outT.shape)) fail(op, `input [${inT.shape.join(',')}] and output [${outT.shape.join(',')}] sizes differ`);
      return { kind: 'reshape', opIndex: op.index, input: inT.index, output: outT.index, bytes: count * BYTES[inT.dtype] };
    }
    case 'SOFTMAX': {
      const inT = tensorOf(graph, op, op.inputs[0], 'input');
      const outT = tensorOf(graph, op, op.outputs[0], 'output');
      expectActivationTensor(op, inT, 'input');
      expectActivationTensor(op, outT, 'output');
      const qi = scaleOf(op, inT, 'input');
      const qo = scaleOf(op, outT, 'output');
      if (qo.zp !== -128 || qo.scale !== 1 / 256) fail(op, `int8 output must have scale 1/256 and zero point -128, got ${qo.scale}/${qo.zp}`);
      const depth = inT.shape[inT.shape.length - 1];
      const count = elementCount(inT.shape);
      if (count !== elementCount(outT.shape)) fail(op, `input and output sizes differ`);
      const scaledDiffIntegerBits = 5;
      const real = Math.min(op.beta * qi.scale * 2 ** (31 - scaledDiffIntegerBits), 2147483648 - 1);
      const m = requantization(op, real, 'output');
      if (m.shift < 0) fail(op, `beta * input scale ${op.beta * qi.scale} is too small for the fixed-point softmax`);
      const maxInputRescaled = ((1 << scaledDiffIntegerBits) - 1) * 2 ** (31 - scaledDiffIntegerBits) / 2 ** m.shift;
      const diffMin = -Math.floor(maxInputRescaled);
      return { kind: 'softmax', opIndex: op.index, input: inT.index, output: outT.index, outer: count / depth, depth, inputMultiplier: m.multiplier, inputLeftShift: m.shift, diffMin };
    }
    case 'QUANTIZE': {
      const inT = tensorOf(graph, op, op.inputs[0], 'input');
      const outT = tensorOf(graph, op, op.outputs[0], 'output');
      expectActivationTensor(op, outT, 'output');
      const count = elementCount(outT.shape);
      if (elementCount(inT.shape) !== count) fail(op, `input and output sizes differ`);
      const qo = scaleOf(op, outT, 'output');
      if (inT.dtype === 'float32') {
        if (inT.data !== null) fail(op, `input tensor ${inT.index} (${inT.name}) is a constant`);
        return { kind: 'quantize', opIndex: op.index, input: inT.index, output: outT.index, count, scale: qo.scale, zp: qo.zp };
      }
      expectActivationTensor(op, inT, 'input');
      const qi = scaleOf(op, inT, 'input');
      const m = requantization(op, qi.scale / qo.scale, 'output');
      return { kind: 'requantize', opIndex: op.index, input: inT.index, output: outT.index, count, inZp: qi.zp, outZp: qo.zp, multiplier: m.multiplier, shift: m.shift };
    }
    case 'DEQUANTIZE': {
      const inT = tensorOf(graph, op, op.inputs[0], 'input');
      const outT = tensorOf(graph, op, op.outputs[0], 'output');
      expectActivationTensor(op, inT, 'input');
      expectType(op, outT, 'float32', 'output');
      const count = elementCount(outT.shape);
      if (elementCount(inT.shape) !== count) fail(op, `input and output sizes differ`);
      const qi = scaleOf(op, inT, 'input');
      return { kind: 'dequantize', opIndex: op.index, input: inT.index, output: outT.index, count, scale: qi.scale, zp: qi.zp };
    }
    default: {
      const unknown = op as { index: number; kind: string };
      throw new ModelError(`operator ${unknown.index} (${unknown.kind}): not supported by the reference engine`);
    }
  }
}

/** Validates a graph and prepares every operator; throws ModelError (one line) on anything unsupported. */
export function prepareGraph(graph: Graph): PreparedGraph {
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) {
    throw new ModelError(`graph ${graph.name}: the engine needs exactly one input and one output, got ${graph.inputs.length} and ${graph.outputs.length}`);
  }
  const input = graph.tensors[graph.inputs[0]];
  const output = graph.tensors[graph.outputs[0]];
  if (input === undefined || output === undefined) throw new ModelError(`graph ${graph.name}: input or output tensor index out of range`);
  for (const t of [input, output]) {
    if (t.dtype !== 'int8' && t.dtype !== 'float32') throw new ModelError(`graph ${graph.name}: tensor ${t.index} (${t.name}) is ${t.dtype}; graph inputs and outputs must be int8 or float32`);
  }
  const ops = graph.ops.map((op) => prepareOp(graph, op));
  const produced = new Set<number>([input.index]);
  for (const p of ops) {
    for (const i of preparedInputs(p)) {
      if (!produced.has(i)) throw new ModelError(`operator ${p.opIndex} (${graph.ops[ops.indexOf(p)].kind}): input tensor ${i} is not computed before it`);
    }
    produced.add(p.output);
  }
  if (!produced.has(output.index) || output.index === input.index) throw new ModelError(`graph ${graph.name}: output tensor ${output.index} is never computed`);
  const tensorBytes = graph.tensors.map((t) => (t.data === null ? elementCount(t.shape) * (BYTES[t.dtype] ?? 1) : 0));
  let macs = 0;
  for (const p of ops) if (isWeightedOp(p)) macs += p.macs;
  return { graph, ops, input, output, tensorBytes, macs };
}

/** Activation tensors an operator reads. */
export function preparedInputs(p: PreparedOp): number[] {
  return p.kind === 'add' ? [p.inputA, p.inputB] : [p.input];
}
