/**
 * Scratch bytes the CMSIS-NN s8 kernels take on a Cortex-M4 (DSP extension,
 * no MVE) built with gcc, as its public `*_get_buffer_size` functions state
 * them (arm_nnfunctions.h): the network image reserves this much, and every
 * glue layer checks at run time that the library asks for no more (a trap,
 * which the emulator reports, rather than a buffer overrun).
 */
import type { Geometry } from '../../model/engine/prepare.js';

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * arm_convolve_wrapper_s8_get_buffer_size: 0 for a 1x1 kernel without
 * padding or dilation (its 1x1 paths need none with gcc), else two int16
 * im2col columns of the filter volume rounded up to 4.
 */
export function convBufferBytes(g: Geometry): number {
  const oneByOne = g.kh === 1 && g.kw === 1 && g.padTop === 0 && g.padLeft === 0 && g.dilationH === 1 && g.dilationW === 1;
  if (oneByOne) return 0;
  return 2 * align4(g.kh * g.kw * g.c) * 2;
}

/**
 * arm_depthwise_conv_wrapper_s8_get_buffer_size: one int16 column of
 * `in_c * k_h * k_w` when the optimized path applies (multiplier 1, batch 1,
 * no dilation) and the filter is not the 3x3 kernel with padding <= 1, else 0.
 */
export function depthwiseBufferBytes(g: Geometry, depthMultiplier: number): number {
  if (depthMultiplier !== 1 || g.n !== 1 || g.dilationH !== 1 || g.dilationW !== 1) return 0;
  if (g.kh === 3 && g.kw === 3 && g.padTop <= 1 && g.padLeft <= 1) return 0;
  return g.c * g.kh * g.kw * 2;
}

/** arm_avgpool_s8_get_buffer_size: one int32 per channel. */
export function avgpoolBufferBytes(g: Geometry): number {
  return g.c * 4;
}

/** arm_fully_connected_s8 and arm_max_pool_s8 take no buffer on this core. */
export const NO_BUFFER = 0;
