/**
 * The contract between the layer emitters (baseline and unpacked) and the
 * network assembler. Every emitted layer is one C translation unit (with its
 * own assembly, `CSource.assembly`, for the hand-scheduled unpacked form)
 * defining one function with the same signature:
 *
 *     void <fn>(const int8_t *in0, const int8_t *in1, int8_t *out, void *scratch);
 *
 * `in0` is the operator's (first) activation input, `in1` the second input of
 * ADD (NULL otherwise), `out` the output activation, `scratch` a word-aligned
 * buffer of at least {@link EmittedLayer.scratchBytes} bytes (im2col and the
 * like; may be NULL when 0). Activations are int8 NHWC with batch 1, exactly
 * the bytes the reference engine holds for those tensors. Weights, biases and
 * requantization parameters are compile-time data of the translation unit.
 * The function includes "snn_requant.h" (and "snn.h" for library kernels)
 * from src/kernels/c/.
 */
import type { PreparedOp } from '../model/engine/prepare.js';
import type { CSource } from './compile/compile.js';

/** One layer as C. */
export interface EmittedLayer {
  /** The C function the translation unit defines. */
  readonly fn: string;
  /** The translation unit (`<fn>.c`, with its assembly where it has some). */
  readonly source: CSource;
  /** Bytes of scratch the function needs (0 if none). */
  readonly scratchBytes: number;
  /**
   * Overlay pages the function loads itself, one after another (sections `.ovpage<i>`,
   * placement/pages.ts); absent when its code is not paged.
   */
  readonly pages?: number;
}

/** C signature every layer function has (for declarations in the network unit). */
export function layerPrototype(fn: string): string {
  return `void ${fn}(const int8_t *in0, const int8_t *in1, int8_t *out, void *scratch)`;
}

/**
 * TFLite operator names of the prepared kinds (e.g. `CONV_2D`), for messages,
 * generated comments and, in lower case, the layer names of a network plan.
 */
export const OPERATOR_NAME: Readonly<Record<PreparedOp['kind'], string>> = {
  conv: 'CONV_2D',
  depthwise: 'DEPTHWISE_CONV_2D',
  fc: 'FULLY_CONNECTED',
  maxpool: 'MAX_POOL_2D',
  avgpool: 'AVERAGE_POOL_2D',
  add: 'ADD',
  pad: 'PAD',
  mean: 'MEAN',
  reshape: 'RESHAPE',
  softmax: 'SOFTMAX',
  quantize: 'QUANTIZE',
  requantize: 'QUANTIZE',
  dequantize: 'DEQUANTIZE',
};
