/**
 * The typed graph IR that every part of sim-dse works on: the TFLite importer
 * produces it, the int8 reference engine runs it, the kernel generator turns
 * it into C. Tensors are numbered as in the source file; operators are in
 * execution order.
 */

/** Element type of a tensor. */
export type DType = 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'float32';

/**
 * Affine quantization: real = scale * (q - zeroPoint). Per-tensor when
 * `scale.length === 1`, otherwise per-channel along `axis`.
 */
export interface Quantization {
  readonly scale: Float64Array;
  readonly zeroPoint: Int32Array;
  readonly axis: number;
}

/** One tensor of the graph. Constant tensors carry their data. */
export interface Tensor {
  readonly index: number;
  readonly name: string;
  /** Shape as stored (TFLite is NHWC for activations, OHWI for conv weights, 1HWO for depthwise). */
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly quant: Quantization | null;
  /** Little-endian bytes of a constant tensor (weights, biases, shapes); null for activations. */
  readonly data: Uint8Array | null;
}

/** Fused activation function of an operator. */
export type Activation = 'NONE' | 'RELU' | 'RELU6' | 'RELU_N1_TO_1';

/** Spatial padding scheme. */
export type Padding = 'SAME' | 'VALID';

interface OpBase {
  /** Position of the operator in the subgraph's operator list. */
  readonly index: number;
  /** Tensor indices; -1 marks an omitted optional input (e.g. no bias). */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

/** CONV_2D: inputs [input NHWC, filter OHWI, bias (int32) | -1]. */
export interface Conv2DOp extends OpBase {
  readonly kind: 'CONV_2D';
  readonly padding: Padding;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly activation: Activation;
}

/** DEPTHWISE_CONV_2D: inputs [input NHWC, filter 1HW(C*M), bias | -1]. */
export interface DepthwiseConv2DOp extends OpBase {
  readonly kind: 'DEPTHWISE_CONV_2D';
  readonly padding: Padding;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly depthMultiplier: number;
  readonly activation: Activation;
}

/** FULLY_CONNECTED: inputs [input, weights [O, I], bias | -1]. */
export interface FullyConnectedOp extends OpBase {
  readonly kind: 'FULLY_CONNECTED';
  readonly activation: Activation;
  readonly keepNumDims: boolean;
}

/** MAX_POOL_2D and AVERAGE_POOL_2D. */
export interface Pool2DOp extends OpBase {
  readonly kind: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D';
  readonly padding: Padding;
  readonly strideH: number;
  readonly strideW: number;
  readonly filterH: number;
  readonly filterW: number;
  readonly activation: Activation;
}

/** ADD of two tensors of the same shape (broadcast is not supported). */
export interface AddOp extends OpBase {
  readonly kind: 'ADD';
  readonly activation: Activation;
}

/** PAD: inputs [input, paddings int32 [rank, 2]]. */
export interface PadOp extends OpBase {
  readonly kind: 'PAD';
}

/** MEAN over the given axes: inputs [input, axes int32]. Only spatial means are supported. */
export interface MeanOp extends OpBase {
  readonly kind: 'MEAN';
  readonly keepDims: boolean;
}

/** RESHAPE: a view with a new shape (the output tensor's shape). */
export interface ReshapeOp extends OpBase {
  readonly kind: 'RESHAPE';
}

/** SOFTMAX with scaling factor beta. */
export interface SoftmaxOp extends OpBase {
  readonly kind: 'SOFTMAX';
  readonly beta: number;
}

/** QUANTIZE (float32 -> int8, or int8 requantize) and DEQUANTIZE (int8 -> float32). */
export interface QuantizeOp extends OpBase {
  readonly kind: 'QUANTIZE' | 'DEQUANTIZE';
}

/** Every operator the IR supports, as a tagged union on `kind`. */
export type Op =
  | Conv2DOp
  | DepthwiseConv2DOp
  | FullyConnectedOp
  | Pool2DOp
  | AddOp
  | PadOp
  | MeanOp
  | ReshapeOp
  | SoftmaxOp
  | QuantizeOp;

/** Operator kinds, as TFLite names them. */
export type OpKind = Op['kind'];

/** A whole model: one subgraph. */
export interface Graph {
  /** Human-readable name (file name without extension unless the file names one). */
  readonly name: string;
  readonly tensors: readonly Tensor[];
  readonly ops: readonly Op[];
  /** Graph input and output tensor indices. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

/** Operators that take a skip mask: their weights can be approximated. */
export type MaskableOp = Conv2DOp | DepthwiseConv2DOp | FullyConnectedOp;

/** True for operators whose weights can be skipped. */
export function isMaskable(op: Op): op is MaskableOp {
  return op.kind === 'CONV_2D' || op.kind === 'DEPTHWISE_CONV_2D' || op.kind === 'FULLY_CONNECTED';
}

/**
 * Skip mask of one maskable layer, in the layout the kernel generator uses:
 * one bit per weight in the weight tensor's own storage order, which is
 * output-channel-major with the reduction index innermost for CONV_2D (OHWI:
 * reduction index = (kh * KW + kw) * I + i) and FULLY_CONNECTED ([O, I]).
 * For DEPTHWISE_CONV_2D (1HWC) the output channel is innermost in storage;
 * the mask still follows storage order. A set byte (1) means "skipped": the
 * weight counts as zero.
 */
export type SkipMask = Uint8Array;

/** Skip masks of a model, keyed by operator index. Layers not present are exact. */
export type SkipMasks = ReadonlyMap<number, SkipMask>;
