/**
 * CMSIS-NN layer glue: one prepared operator as a C translation unit with the
 * common layer signature (layer-types.ts) that calls Arm's CMSIS-NN s8
 * function for it, with the parameters TFLite Micro's CMSIS-NN kernels pass
 * (written here from CMSIS-NN's public header arm_nnfunctions.h): CONV_2D ->
 * arm_convolve_wrapper_s8, DEPTHWISE_CONV_2D -> arm_depthwise_conv_wrapper_s8,
 * FULLY_CONNECTED -> arm_fully_connected_s8 (per-channel scales:
 * arm_fully_connected_per_channel_s8), MAX/AVERAGE_POOL_2D -> arm_max_pool_s8
 * / arm_avgpool_s8, ADD -> arm_elementwise_add_s8, SOFTMAX -> arm_softmax_s8.
 * Operators CMSIS-NN has no s8 kernel for here (PAD, MEAN, int8 QUANTIZE)
 * keep sim-dse's baseline kernel. Weights, biases and requantization data are
 * `static const` data of the unit (flash), as TFLite Micro holds them. A
 * non-success status traps (the emulator reports a fault). Each unit with a
 * scratch buffer also defines `int32_t <fn>_buffer_bytes(void)`, the
 * library's own get_buffer_size answer, which the network build checks
 * against the scratch it reserves.
 */
import type { Geometry, PreparedOp, PreparedWeighted } from '../../model/engine/prepare.js';
import type { SkipMask } from '../../model/ir.js';
import { SimDseError } from '../../util/errors.js';
import { cArray, checkCIdentifier, cInt32 } from '../baseline/c-data.js';
import { emitBaselineLayer } from '../baseline/emit.js';
import { layerPrototype, OPERATOR_NAME, type EmittedLayer } from '../layer-types.js';
import { avgpoolBufferBytes, convBufferBytes, depthwiseBufferBytes } from './buffer-sizes.js';

/** What an operator's unit holds: data, the call (a status expression or a statement) and its buffer. */
interface GlueBody {
  readonly data: string;
  /** C expression of type arm_cmsis_nn_status, or null when `statement` is used. */
  readonly call: string | null;
  readonly statement?: string;
  readonly scratchBytes: number;
  /** C expression of the library's buffer size for this layer, when it takes a buffer. */
  readonly bufferQuery?: string;
}

const dims = (name: string, n: number, h: number, w: number, c: number): string =>
  `static const cmsis_nn_dims ${name} = { .n = ${n}, .h = ${h}, .w = ${w}, .c = ${c} };\n`;

const tile = (w: number, h: number): string => `{ .w = ${w}, .h = ${h} }`;

/** True when the operator runs a CMSIS-NN function (the others keep the baseline kernel). */
export function hasCmsisNnKernel(op: PreparedOp): boolean {
  return ['conv', 'depthwise', 'fc', 'maxpool', 'avgpool', 'add', 'softmax'].includes(op.kind);
}

function weightedData(fn: string, p: PreparedWeighted): string {
  return (
    cArray('int8_t', `${fn}_weights`, p.weights) +
    cArray('int32_t', `${fn}_bias_data`, p.bias) +
    cArray('int32_t', `${fn}_multiplier`, p.requant.multiplier) +
    cArray('int32_t', `${fn}_shift`, p.requant.shift) +
    `static const cmsis_nn_per_channel_quant_params ${fn}_quant = { .multiplier = (int32_t *)${fn}_multiplier, .shift = (int32_t *)${fn}_shift };\n`
  );
}

const activation = (min: number, max: number): string => `{ .min = ${min}, .max = ${max} }`;

function convBody(fn: string, p: PreparedWeighted): GlueBody {
  const g = p.geometry;
  const r = p.requant;
  const data =
    weightedData(fn, p) +
    `static const cmsis_nn_conv_params ${fn}_conv = { .input_offset = ${-p.inZp}, .output_offset = ${r.outZp}, .stride = ${tile(g.strideW, g.strideH)},\n` +
    `  .padding = ${tile(g.padLeft, g.padTop)}, .dilation = ${tile(g.dilationW, g.dilationH)}, .activation = ${activation(r.actMin, r.actMax)} };\n` +
    dims(`${fn}_in`, g.n, g.h, g.w, g.c) +
    dims(`${fn}_filter`, g.oc, g.kh, g.kw, g.c) +
    dims(`${fn}_bias`, 1, 1, 1, g.oc) +
    dims(`${fn}_out`, g.n, g.oh, g.ow, g.oc);
  return {
    data,
    call: `arm_convolve_wrapper_s8(&ctx, &${fn}_conv, &${fn}_quant, &${fn}_in, in0, &${fn}_filter, ${fn}_weights, &${fn}_bias, ${fn}_bias_data, &${fn}_out, out)`,
    scratchBytes: convBufferBytes(g),
    bufferQuery: `arm_convolve_wrapper_s8_get_buffer_size(&${fn}_conv, &${fn}_in, &${fn}_filter, &${fn}_out)`,
  };
}

function depthwiseBody(fn: string, p: PreparedWeighted): GlueBody {
  const g = p.geometry;
  const r = p.requant;
  const data =
    weightedData(fn, p) +
    `static const cmsis_nn_dw_conv_params ${fn}_dw = { .input_offset = ${-p.inZp}, .output_offset = ${r.outZp}, .ch_mult = ${p.depthMultiplier},\n` +
    `  .stride = ${tile(g.strideW, g.strideH)}, .padding = ${tile(g.padLeft, g.padTop)}, .dilation = ${tile(g.dilationW, g.dilationH)},\n` +
    `  .activation = ${activation(r.actMin, r.actMax)} };\n` +
    dims(`${fn}_in`, g.n, g.h, g.w, g.c) +
    dims(`${fn}_filter`, 1, g.kh, g.kw, g.oc) +
    dims(`${fn}_bias`, 1, 1, 1, g.oc) +
    dims(`${fn}_out`, g.n, g.oh, g.ow, g.oc);
  return {
    data,
    call: `arm_depthwise_conv_wrapper_s8(&ctx, &${fn}_dw, &${fn}_quant, &${fn}_in, in0, &${fn}_filter, ${fn}_weights, &${fn}_bias, ${fn}_bias_data, &${fn}_out, out)`,
    scratchBytes: depthwiseBufferBytes(g, p.depthMultiplier),
    bufferQuery: `arm_depthwise_conv_wrapper_s8_get_buffer_size(&${fn}_dw, &${fn}_in, &${fn}_filter, &${fn}_out)`,
  };
}

/** FULLY_CONNECTED: raw bias and input offset (CMSIS-NN folds nothing in advance); per-tensor unless the scales differ. */
function fcBody(fn: string, p: PreparedWeighted): GlueBody {
  const g = p.geometry;
  const r = p.requant;
  const perTensor = r.multiplier.every((m) => m === r.multiplier[0]) && r.shift.every((s) => s === r.shift[0]);
  const data =
    weightedData(fn, p) +
    `static const cmsis_nn_per_tensor_quant_params ${fn}_quant_t = { .multiplier = ${cInt32(r.multiplier[0])}, .shift = ${r.shift[0]} };\n` +
    `static const cmsis_nn_fc_params ${fn}_fc = { .input_offset = ${-p.inZp}, .filter_offset = 0, .output_offset = ${r.outZp}, .activation = ${activation(r.actMin, r.actMax)} };\n` +
    dims(`${fn}_in`, g.n, 1, 1, g.c) +
    dims(`${fn}_filter`, g.c, 1, 1, g.oc) +
    dims(`${fn}_bias`, 1, 1, 1, g.oc) +
    dims(`${fn}_out`, g.n, 1, 1, g.oc);
  const fnName = perTensor ? 'arm_fully_connected_s8' : 'arm_fully_connected_per_channel_s8';
  const quant = perTensor ? `${fn}_quant_t` : `${fn}_quant`;
  return {
    data,
    call: `${fnName}(&ctx, &${fn}_fc, &${quant}, &${fn}_in, in0, &${fn}_filter, ${fn}_weights, &${fn}_bias, ${fn}_bias_data, &${fn}_out, out)`,
    scratchBytes: 0,
  };
}

function poolBody(fn: string, kind: 'maxpool' | 'avgpool', g: Geometry, actMin: number, actMax: number): GlueBody {
  const data =
    `static const cmsis_nn_pool_params ${fn}_pool = { .stride = ${tile(g.strideW, g.strideH)}, .padding = ${tile(g.padLeft, g.padTop)}, .activation = ${activation(actMin, actMax)} };\n` +
    dims(`${fn}_in`, g.n, g.h, g.w, g.c) +
    dims(`${fn}_filter`, 1, g.kh, g.kw, 1) +
    dims(`${fn}_out`, g.n, g.oh, g.ow, g.oc);
  const call = `${kind === 'maxpool' ? 'arm_max_pool_s8' : 'arm_avgpool_s8'}(&ctx, &${fn}_pool, &${fn}_in, in0, &${fn}_filter, &${fn}_out, out)`;
  if (kind === 'maxpool') return { data, call, scratchBytes: 0 };
  return { data, call, scratchBytes: avgpoolBufferBytes(g), bufferQuery: `arm_avgpool_s8_get_buffer_size(${g.ow}, ${g.c})` };
}

function glueBody(fn: string, op: PreparedOp): GlueBody {
  switch (op.kind) {
    case 'conv':
      return convBody(fn, op);
    case 'depthwise':
      return depthwiseBody(fn, op);
    case 'fc':
      return fcBody(fn, op);
    case 'maxpool':
    case 'avgpool':
      return poolBody(fn, op.kind, op.geometry, op.actMin, op.actMax);
    case 'add':
      return {
        data: '',
        call:
          `arm_elementwise_add_s8(in0, in1, ${-op.aZp}, ${cInt32(op.aMult)}, ${op.aShift}, ${-op.bZp}, ${cInt32(op.bMult)}, ${op.bShift}, ${op.leftShift},\n` +
          `    out, ${op.outZp}, ${cInt32(op.outMult)}, ${op.outShift}, ${op.actMin}, ${op.actMax}, ${op.count})`,
        scratchBytes: 0,
      };
    case 'softmax':
      return {
        data: '',
        call: null,
        statement: `arm_softmax_s8(in0, ${op.outer}, ${op.depth}, ${cInt32(op.inputMultiplier)}, ${op.inputLeftShift}, ${cInt32(op.diffMin)}, out);`,
        scratchBytes: 0,
      };
    default:
      throw new SimDseError('kernels', `${OPERATOR_NAME[op.kind]} (operator ${op.opIndex}) has no CMSIS-NN kernel`);
  }
}

/**
 * One layer as a C unit calling CMSIS-NN (or, for operators it has no s8
 * kernel for, sim-dse's baseline kernel). CMSIS-NN is the exact reference:
 * a skip mask is refused with SimDseError('kernels').
 */
export function emitCmsisNnLayer(op: PreparedOp, fn: string, mask?: SkipMask): EmittedLayer {
  checkCIdentifier(fn);
  if (mask !== undefined) throw new SimDseError('kernels', `CMSIS-NN kernels are the exact reference; ${OPERATOR_NAME[op.kind]} (operator ${op.opIndex}) takes no skip mask`);
  if (!hasCmsisNnKernel(op)) return emitBaselineLayer(op, fn);
  const body = glueBody(fn, op);
  const ctx = `  const cmsis_nn_context ctx = { .buf = scratch, .size = ${body.scratchBytes} };\n`;
  const uses = body.call !== null && body.call.includes('&ctx');
  const run = body.call !== null ? `  if (${body.call} != ARM_CMSIS_NN_SUCCESS) __builtin_trap();\n` : `  ${body.statement}\n`;
  const query = body.bufferQuery ? `int32_t ${fn}_buffer_bytes(void);\nint32_t ${fn}_buffer_bytes(void) { return ${body.bufferQuery}; }\n\n` : '';
  const code =
    `/* sim-dse CMSIS-NN glue: ${OPERATOR_NAME[op.kind]} (operator ${op.opIndex}), generated; do not edit. */\n` +
    `#include <stdint.h>\n#include "arm_nnfunctions.h"\n\n${body.data}\n${query}` +
    `${layerPrototype(fn)} {\n  (void)in1;\n  (void)scratch;\n${uses ? ctx : ''}${run}}\n`;
  return { fn, source: { name: `${fn}.c`, code }, scratchBytes: body.scratchBytes };
}
