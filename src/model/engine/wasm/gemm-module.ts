/**
 * The engine's WebAssembly SIMD kernel: an int16 x int16 -> int32 GEMM with
 * TFLite requantization fused into the store.
 *
 * `gemm(a, w, prm, out, P, O, Kp, Opad, zp, min, max)` computes, for every row
 * p < P of A (P x Kp int16, input zero point already folded in) and every
 * output channel o < O of W (Opad x Kp int16, masked weights already zero):
 *
 *     acc = sum_k A[p][k] * W[o][k] + bias[o]
 *     out[p * O + o] = clamp(MultiplyByQuantizedMultiplier(acc, mult[o], shift[o]) + zp, min, max)
 *
 * where `prm` points at three int32 arrays of Opad entries: bias, mult, shift.
 * Kp is a multiple of 8, Opad a multiple of 4; A must have a readable row at
 * P (an odd P reuses the last row). The inner loop is a 2 x 4 register block
 * of `i32x4.dot_i16x8_s` (8 multiply-accumulates per instruction).
 */
import { assemble, Code, OP, SIMD, T, type FuncDef, type ValType } from './encoder.js';

/** The slice of the WebAssembly JS API the engine uses (the project's lib has no DOM types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const G_PRM = 0;
const G_OPAD = 1;
const G_ZP = 2;
const G_MIN = 3;
const G_MAX = 4;

/** Function indices inside the module. */
const F_MBQM = 0;
const F_STORE = 1;
const F_RQV = 2;
const F_MBQMU = 3;

/** Per-layer parameter arrays at `prm`, each Opad int32 entries (the last Opad int64). */
export const PRM = { bias: 0, mult: 1, shift: 2, leftMul: 3, mask: 4, halfMask: 5, pow64: 6 } as const;
/** Bytes of a layer's parameter block for Opad channels. */
export const prmBytes = (opad: number): number => opad * 32;

/**
 * Writes a layer's parameter block at byte offset `prmOff`: bias, Q31
 * multiplier and shift per channel (zero beyond the given channels), plus the
 * derived per-lane constants of the vector requantization.
 */
export function writeParams(buffer: ArrayBuffer, prmOff: number, opad: number, bias: Int32Array, mult: Int32Array, shift: Int32Array): void {
  const prm = new Int32Array(buffer, prmOff, opad * 6);
  const pow = new BigInt64Array(buffer, prmOff + opad * 4 * PRM.pow64, opad);
  prm.fill(0);
  prm.set(bias, PRM.bias * opad);
  prm.set(mult, PRM.mult * opad);
  prm.set(shift, PRM.shift * opad);
  for (let o = 0; o < opad; o++) {
    const s = o < shift.length ? shift[o] : 0;
    const right = Math.max(0, -s);
    const mask = right === 31 ? 0x7fffffff : (1 << right) - 1;
    prm[PRM.leftMul * opad + o] = 1 << Math.max(0, s);
    prm[PRM.mask * opad + o] = mask;
    prm[PRM.halfMask * opad + o] = mask >> 1;
    pow[o] = 1n << BigInt(32 - right);
  }
}

/** i8x16.shuffle lane bytes taking whole i32 lanes (0-3 from a, 4-7 from b). */
function lanes32(...l: number[]): number[] {
  return l.flatMap((k) => [4 * k, 4 * k + 1, 4 * k + 2, 4 * k + 3]);
}

/**
 * mbqm(x, m, s): TFLite MultiplyByQuantizedMultiplier (left shift when s > 0,
 * saturating rounding doubling high multiply, rounding right shift, ties away
 * from zero, when s < 0).
 */
function mbqmFunction(): FuncDef {
  const [x, m, s, left, right, q, mask, ab] = [0, 1, 2, 3, 4, 5, 6, 7];
  const c = new Code();
  c.get(s).i32(0).get(s).i32(0).op(OP.i32gtS).op(OP.select).set(left);
  c.i32(0).i32(0).get(s).op(OP.i32sub).get(s).i32(0).op(OP.i32gtS).op(OP.select).set(right);
  c.get(x).get(left).op(OP.i32shl).set(x);
  c.get(x).i32(-2147483648).op(OP.i32eq).get(m).i32(-2147483648).op(OP.i32eq).op(OP.i32and).if((t) => t.i32(2147483647).ret());
  c.get(x).op(OP.i64extendI32S).get(m).op(OP.i64extendI32S).op(OP.i64mul).set(ab);
  // v = ab + nudge; q = trunc(v / 2^31) computed as (v + (v < 0 ? 2^31 - 1 : 0)) >> 31.
  c.get(ab).i64(1073741824).i64(1 - 1073741824).get(ab).i64(0).op(OP.i64geS).op(OP.select).op(OP.i64add).set(ab);
  c.get(ab).get(ab).i64(63).op(OP.i64shrS).i64(2147483647).op(OP.i64and).op(OP.i64add).i64(31).op(OP.i64shrS).op(OP.i32wrapI64).set(q);
  c.i32(1).get(right).op(OP.i32shl).i32(1).op(OP.i32sub).set(mask);
  c.get(q).get(right).op(OP.i32shrS);
  c.get(q).get(mask).op(OP.i32and);
  c.get(mask).i32(1).op(OP.i32shrS).get(q).i32(0).op(OP.i32ltS).op(OP.i32add);
  c.op(OP.i32gtS).op(OP.i32add);
  return { name: null, params: [T.i32, T.i32, T.i32], results: [T.i32], locals: [T.i32, T.i32, T.i32, T.i32, T.i64], code: c };
}

/** Clamps the i32 on the stack to [min, max] given as two emitters. */
function clamp(c: Code, tmp: number, min: (c: Code) => void, max: (c: Code) => void): void {
  c.set(tmp);
  c.get(tmp);
  min(c);
  c.get(tmp);
  min(c);
  c.op(OP.i32gtS).op(OP.select).set(tmp);
  c.get(tmp);
  max(c);
  c.get(tmp);
  max(c);
  c.op(OP.i32ltS).op(OP.select);
}

/** The requantize-and-store helper: st(dst, acc, ch). */
function storeFunction(): FuncDef {
  const [dst, acc, ch, x] = [0, 1, 2, 3];
  const c = new Code();
  const paramAt = (arrayIndex: number): void => {
    // prm + arrayIndex * Opad * 4 + ch * 4
    c.gget(G_PRM);
    if (arrayIndex > 0) c.gget(G_OPAD).i32(arrayIndex === 1 ? 2 : 3).op(OP.i32shl).op(OP.i32add);
    c.get(ch).i32(2).op(OP.i32shl).op(OP.i32add).mem(OP.i32load, 2);
  };
  c.get(dst);
  c.get(acc);
  paramAt(0);
  c.op(OP.i32add);
  paramAt(1);
  paramAt(2);
  c.call(F_MBQM).gget(G_ZP).op(OP.i32add);
  clamp(c, x, (k) => k.gget(G_MIN), (k) => k.gget(G_MAX));
  c.mem(OP.i32store8, 0);
  return { name: null, params: [T.i32, T.i32, T.i32], results: [], locals: [T.i32], code: c };
}

/**
 * rqv(v, ch): requantizes four accumulators of channels ch..ch+3 at once
 * (bias, MultiplyByQuantizedMultiplier with per-lane shifts, zero point,
 * clamp), bit-identical to the scalar path. Per-lane left shifts are a
 * multiply by 2^left; per-lane rounding right shifts take the floor from an
 * i64 multiply by 2^(32 - right) then the gemmlowp remainder test. The
 * multiplier is never INT32_MIN, so SRDHM cannot saturate.
 */
function rqvFunction(): FuncDef {
  const [v, ch] = [0, 1];
  const [base, x, lo, hi, q, f] = [2, 3, 4, 5, 6, 7];
  const c = new Code();
  const arr = (k: number): void => {
    c.get(base);
    if (k > 0) c.gget(G_OPAD).i32(4 * k).op(OP.i32mul).op(OP.i32add);
    c.v128load();
  };
  const splat64 = (n: number): void => {
    c.i64(n).simd(SIMD.i64x2Splat);
  };
  c.gget(G_PRM).get(ch).i32(2).op(OP.i32shl).op(OP.i32add).set(base);
  c.get(v);
  arr(PRM.bias);
  c.simd(SIMD.i32x4Add);
  arr(PRM.leftMul);
  c.simd(SIMD.i32x4Mul).set(x);
  for (const [dst, ext] of [[lo, SIMD.i64x2ExtmulLowI32x4S], [hi, SIMD.i64x2ExtmulHighI32x4S]] as const) {
    c.get(x);
    arr(PRM.mult);
    c.simd(ext).set(dst);
    // ab + (2^30, or 1 - 2^30 when ab < 0)
    c.get(dst);
    splat64(1073741824);
    c.get(dst).i32(63).simd(SIMD.i64x2ShrS);
    splat64(1 - 2147483648);
    c.simd(SIMD.v128And).simd(SIMD.i64x2Add).simd(SIMD.i64x2Add).set(dst);
    // truncating division by 2^31
    c.get(dst).get(dst).i32(63).simd(SIMD.i64x2ShrS);
    splat64(2147483647);
    c.simd(SIMD.v128And).simd(SIMD.i64x2Add).i32(31).simd(SIMD.i64x2ShrS).set(dst);
  }
  c.get(lo).get(hi).simd(SIMD.i8x16Shuffle, ...lanes32(0, 2, 4, 6)).set(q);
  // floor(q / 2^right) per lane
  const pow = (): void => {
    c.gget(G_PRM).gget(G_OPAD).i32(4 * PRM.pow64).op(OP.i32mul).op(OP.i32add).get(ch).i32(3).op(OP.i32shl).op(OP.i32add);
  };
  c.get(q).simd(SIMD.i64x2ExtendLowI32x4S);
  pow();
  c.v128load().simd(SIMD.i64x2Mul).i32(32).simd(SIMD.i64x2ShrS).set(lo);
  c.get(q).simd(SIMD.i64x2ExtendHighI32x4S);
  pow();
  c.v128load(16).simd(SIMD.i64x2Mul).i32(32).simd(SIMD.i64x2ShrS).set(hi);
  c.get(lo).get(hi).simd(SIMD.i8x16Shuffle, ...lanes32(0, 2, 4, 6)).set(f);
  // + (remainder > halfMask + (q < 0))
  c.get(f);
  c.get(q);
  arr(PRM.mask);
  c.simd(SIMD.v128And);
  arr(PRM.halfMask);
  c.get(q).i32(0).simd(SIMD.i32x4Splat).simd(SIMD.i32x4LtS).simd(SIMD.i32x4Sub);
  c.simd(SIMD.i32x4GtS).simd(SIMD.i32x4Sub);
  c.gget(G_ZP).simd(SIMD.i32x4Splat).simd(SIMD.i32x4Add);
  c.gget(G_MIN).simd(SIMD.i32x4Splat).simd(SIMD.i32x4MaxS);
  c.gget(G_MAX).simd(SIMD.i32x4Splat).simd(SIMD.i32x4MinS);
  return { name: null, params: [T.v128, T.i32], results: [T.v128], locals: [T.i32, T.v128, T.v128, T.v128, T.v128, T.v128], code: c };
}

/**
 * mbqmU(v, m, s): MultiplyByQuantizedMultiplier of four lanes sharing one
 * multiplier and shift (m is never INT32_MIN, so no saturation case).
 */
function mbqmUniformFunction(): FuncDef {
  const [v, m, s] = [0, 1, 2];
  const [left, right, mask, x, lo, hi, q] = [3, 4, 5, 6, 7, 8, 9];
  const c = new Code();
  c.get(s).i32(0).get(s).i32(0).op(OP.i32gtS).op(OP.select).set(left);
  c.i32(0).i32(0).get(s).op(OP.i32sub).get(s).i32(0).op(OP.i32gtS).op(OP.select).set(right);
  c.get(v).get(left).simd(SIMD.i32x4Shl).set(x);
  for (const [dst, ext] of [[lo, SIMD.i64x2ExtmulLowI32x4S], [hi, SIMD.i64x2ExtmulHighI32x4S]] as const) {
    c.get(x).get(m).simd(SIMD.i32x4Splat).simd(ext).set(dst);
    c.get(dst).i64(1073741824).simd(SIMD.i64x2Splat);
    c.get(dst).i32(63).simd(SIMD.i64x2ShrS).i64(1 - 2147483648).simd(SIMD.i64x2Splat);
    c.simd(SIMD.v128And).simd(SIMD.i64x2Add).simd(SIMD.i64x2Add).set(dst);
    c.get(dst).get(dst).i32(63).simd(SIMD.i64x2ShrS).i64(2147483647).simd(SIMD.i64x2Splat);
    c.simd(SIMD.v128And).simd(SIMD.i64x2Add).i32(31).simd(SIMD.i64x2ShrS).set(dst);
  }
  c.get(lo).get(hi).simd(SIMD.i8x16Shuffle, ...lanes32(0, 2, 4, 6)).set(q);
  c.i32(1).get(right).op(OP.i32shl).i32(1).op(OP.i32sub).set(mask);
  c.get(q).get(right).simd(SIMD.i32x4ShrS);
  c.get(q).get(mask).simd(SIMD.i32x4Splat).simd(SIMD.v128And);
  c.get(mask).i32(1).op(OP.i32shrS).simd(SIMD.i32x4Splat);
  c.get(q).i32(0).simd(SIMD.i32x4Splat).simd(SIMD.i32x4LtS).simd(SIMD.i32x4Sub);
  c.simd(SIMD.i32x4GtS).simd(SIMD.i32x4Sub);
  return { name: null, params: [T.v128, T.i32, T.i32], results: [T.v128], locals: [T.i32, T.i32, T.i32, T.v128, T.v128, T.v128, T.v128], code: c };
}

/**
 * maxpool(in, out, N, H, W, C, KH, KW, sH, sW, padT, padL, OH, OW, min, max):
 * MAX_POOL_2D over the valid taps, 16 channels per vector, clamped.
 */
function maxpoolFunction(): FuncDef {
  const [inp, out, N, H, W, C, KH, KW, sH, sW, padT, padL, OH, OW, mn, mx] = Array.from({ length: 16 }, (_, i) => i);
  const [n, oy, ox, fy0, fy1, fx0, fx1, fy, fx, ch, c16, y0, x0, dst, idx, sacc, v] = Array.from({ length: 17 }, (_, k) => 16 + k);
  const vacc = 33;
  const c = new Code();
  const tap = (cc: Code): void => {
    // idx = in + ((n*H + y0 + fy) * W + x0 + fx) * C + ch
    cc.get(inp).get(n).get(H).op(OP.i32mul).get(y0).op(OP.i32add).get(fy).op(OP.i32add).get(W).op(OP.i32mul);
    cc.get(x0).op(OP.i32add).get(fx).op(OP.i32add).get(C).op(OP.i32mul).op(OP.i32add).get(ch).op(OP.i32add).set(idx);
  };
  const taps = (cc: Code, body: (k: Code) => void): void => {
    cc.get(fy0).set(fy);
    cc.forLoop(fy, (e) => e.get(fy1), 1, (ly) => {
      ly.get(fx0).set(fx);
      ly.forLoop(fx, (e) => e.get(fx1), 1, (lx) => {
        tap(lx);
        body(lx);
      });
    });
  };
  c.get(C).i32(-16).op(OP.i32and).set(c16);
  c.get(out).set(dst);
  c.i32(0).set(n);
  c.forLoop(n, (e) => e.get(N), 1, (ln) => {
    ln.i32(0).set(oy);
    ln.forLoop(oy, (e) => e.get(OH), 1, (ly) => {
      ly.get(oy).get(sH).op(OP.i32mul).get(padT).op(OP.i32sub).set(y0);
      ly.i32(0).get(y0).op(OP.i32sub).i32(0).i32(0).get(y0).op(OP.i32sub).i32(0).op(OP.i32gtS).op(OP.select).set(fy0);
      ly.get(KH).get(H).get(y0).op(OP.i32sub).get(KH).get(H).get(y0).op(OP.i32sub).op(OP.i32ltS).op(OP.select).set(fy1);
      ly.i32(0).set(ox);
      ly.forLoop(ox, (e) => e.get(OW), 1, (lx) => {
        lx.get(ox).get(sW).op(OP.i32mul).get(padL).op(OP.i32sub).set(x0);
        lx.i32(0).get(x0).op(OP.i32sub).i32(0).i32(0).get(x0).op(OP.i32sub).i32(0).op(OP.i32gtS).op(OP.select).set(fx0);
        lx.get(KW).get(W).get(x0).op(OP.i32sub).get(KW).get(W).get(x0).op(OP.i32sub).op(OP.i32ltS).op(OP.select).set(fx1);
        lx.i32(0).set(ch);
        lx.forLoop(ch, (e) => e.get(c16), 16, (lv) => {
          lv.i32(-128).simd(SIMD.i8x16Splat).set(vacc);
          taps(lv, (k) => k.get(vacc).get(idx).v128load().simd(SIMD.i8x16MaxS).set(vacc));
          lv.get(dst).get(ch).op(OP.i32add);
          lv.get(vacc).get(mn).simd(SIMD.i8x16Splat).simd(SIMD.i8x16MaxS).get(mx).simd(SIMD.i8x16Splat).simd(SIMD.i8x16MinS);
          lv.simd(SIMD.v128Store, 0, 0);
        });
        lx.forLoop(ch, (e) => e.get(C), 1, (ls) => {
          ls.i32(-128).set(sacc);
          taps(ls, (k) => k.get(idx).mem(OP.i32load8s, 0).tee(v).get(sacc).get(v).get(sacc).op(OP.i32gtS).op(OP.select).set(sacc));
          ls.get(dst).get(ch).op(OP.i32add).get(sacc);
          clamp(ls, v, (k) => k.get(mn), (k) => k.get(mx));
          ls.mem(OP.i32store8, 0);
        });
        lx.get(dst).get(C).op(OP.i32add).set(dst);
      });
    });
  });
  const locals: ValType[] = [...new Array<ValType>(17).fill(T.i32), T.v128];
  return { name: 'maxpool', params: new Array<ValType>(16).fill(T.i32), results: [], locals, code: c };
}

/**
 * dw(in, w, prm, out, N, H, W, C, KH, KW, sH, sW, dH, dW, padT, padL, OH, OW,
 * inZp, Opad, outZp, min, max): DEPTHWISE_CONV_2D with depth multiplier 1 and
 * C a multiple of 4; `w` holds int32 weights [KH*KW][Opad] (masked weights
 * zero), `prm` the layer's parameter block. Four channels per vector.
 */
function depthwiseFunction(): FuncDef {
  const [inp, w, prm, out, N, H, W, C, KH, KW, sH, sW, dH, dW, padT, padL, OH, OW, inZp, Opad, outZp, mn, mx] = Array.from({ length: 23 }, (_, i) => i);
  const [n, oy, ox, ky, kx, iy, ix, ch, dst] = Array.from({ length: 9 }, (_, k) => 23 + k);
  const [acc, vzp, r] = [32, 33, 34];
  const c = new Code();
  c.get(prm).gset(G_PRM).get(Opad).gset(G_OPAD).get(outZp).gset(G_ZP).get(mn).gset(G_MIN).get(mx).gset(G_MAX);
  c.get(inZp).simd(SIMD.i32x4Splat).set(vzp);
  c.get(out).set(dst);
  c.i32(0).set(n);
  c.forLoop(n, (e) => e.get(N), 1, (ln) => {
    ln.i32(0).set(oy);
    ln.forLoop(oy, (e) => e.get(OH), 1, (ly) => {
      ly.i32(0).set(ox);
      ly.forLoop(ox, (e) => e.get(OW), 1, (lx) => {
        lx.i32(0).set(ch);
        lx.forLoop(ch, (e) => e.get(C), 4, (lc) => {
          lc.simd(SIMD.v128Const, ...new Array<number>(16).fill(0)).set(acc);
          lc.i32(0).set(ky);
          lc.forLoop(ky, (e) => e.get(KH), 1, (lky) => {
            lky.get(oy).get(sH).op(OP.i32mul).get(padT).op(OP.i32sub).get(ky).get(dH).op(OP.i32mul).op(OP.i32add).set(iy);
            lky.i32(0).set(kx);
            lky.forLoop(kx, (e) => e.get(KW), 1, (lkx) => {
              lkx.get(ox).get(sW).op(OP.i32mul).get(padL).op(OP.i32sub).get(kx).get(dW).op(OP.i32mul).op(OP.i32add).set(ix);
              lkx.get(iy).get(H).op(OP.i32ltU).get(ix).get(W).op(OP.i32ltU).op(OP.i32and).if((t) => {
                t.get(acc);
                t.get(inp).get(n).get(H).op(OP.i32mul).get(iy).op(OP.i32add).get(W).op(OP.i32mul).get(ix).op(OP.i32add).get(C).op(OP.i32mul).op(OP.i32add).get(ch).op(OP.i32add);
                t.simd(SIMD.v128Load32Zero, 0, 0).simd(SIMD.i16x8ExtendLowI8x16S).simd(SIMD.i32x4ExtendLowI16x8S).get(vzp).simd(SIMD.i32x4Sub);
                t.get(w).get(ky).get(KW).op(OP.i32mul).get(kx).op(OP.i32add).get(Opad).op(OP.i32mul).get(ch).op(OP.i32add).i32(2).op(OP.i32shl).op(OP.i32add).v128load();
                t.simd(SIMD.i32x4Mul).simd(SIMD.i32x4Add).set(acc);
              });
            });
          });
          lc.get(dst).get(ch).op(OP.i32add);
          lc.get(acc).get(ch).call(F_RQV).set(r);
          lc.get(r).get(r).simd(SIMD.i16x8NarrowI32x4S).set(r);
          lc.get(r).get(r).simd(SIMD.i8x16NarrowI16x8S).simd(SIMD.v128Store32Lane, 0, 0, 0);
        });
        lx.get(dst).get(C).op(OP.i32add).set(dst);
      });
    });
  });
  const locals: ValType[] = [...new Array<ValType>(9).fill(T.i32), T.v128, T.v128, T.v128];
  return { name: 'dw', params: new Array<ValType>(23).fill(T.i32), results: [], locals, code: c };
}

/**
 * quantize(in, out, count, scale, zp): float32 -> int8, round half away from
 * zero of x / scale (float32 division), plus zp, clamped; NaN gives zp.
 */
function quantizeFunction(): FuncDef {
  const [inp, out, count, scale, zp] = [0, 1, 2, 3, 4];
  const [i, v, t] = [5, 6, 7];
  const c = new Code();
  c.i32(0).set(i);
  c.forLoop(i, (e) => e.get(count), 1, (l) => {
    l.get(out).get(i).op(OP.i32add);
    l.get(inp).get(i).i32(2).op(OP.i32shl).op(OP.i32add).mem(OP.f32load, 2).get(scale).op(OP.f32div).op(OP.f64promoteF32).set(t);
    l.get(t).op(OP.f64abs).f64(0.5).op(OP.f64add).op(OP.f64floor).get(t).op(OP.f64copysign);
    l.f64(-1e9).op(OP.f64max).f64(1e9).op(OP.f64min).raw(0xfc, 0x02).get(zp).op(OP.i32add);
    clamp(l, v, (k) => k.i32(-128), (k) => k.i32(127));
    l.mem(OP.i32store8, 0);
  });
  return { name: 'quantize', params: [T.i32, T.i32, T.i32, T.f32, T.i32], results: [], locals: [T.i32, T.i32, T.f64], code: c };
}

/** The blocked GEMM (function index 1, calls the store helper at index 0). */
function gemmFunction(): FuncDef {
  const [a, w, prm, out, P, O, Kp, Opad, zp, mn, mx] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [kb, p, o, k, a0, a1, w0, w1, w2, w3, dst0, dst1] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
  const acc = [23, 24, 25, 26, 27, 28, 29, 30];
  const [va0, va1, vw] = [31, 32, 33];
  const wr = [w0, w1, w2, w3];
  const c = new Code();
  c.get(prm).gset(G_PRM).get(Opad).gset(G_OPAD).get(zp).gset(G_ZP).get(mn).gset(G_MIN).get(mx).gset(G_MAX);
  c.get(Kp).i32(1).op(OP.i32shl).set(kb);
  c.i32(0).set(p);
  c.loop((lp) => {
    lp.get(a).get(p).get(kb).op(OP.i32mul).op(OP.i32add).set(a0);
    lp.get(a0).get(kb).op(OP.i32add).get(a0).get(p).i32(1).op(OP.i32add).get(P).op(OP.i32ltS).op(OP.select).set(a1);
    lp.get(out).get(p).get(O).op(OP.i32mul).op(OP.i32add).tee(dst0).get(O).op(OP.i32add).set(dst1);
    lp.i32(0).set(o);
    lp.loop((lo) => {
      lo.get(w).get(o).get(kb).op(OP.i32mul).op(OP.i32add).set(w0);
      lo.get(w0).get(kb).op(OP.i32add).set(w1);
      lo.get(w1).get(kb).op(OP.i32add).set(w2);
      lo.get(w2).get(kb).op(OP.i32add).set(w3);
      for (const r of acc) lo.simd(SIMD.v128Const, ...new Array<number>(16).fill(0)).set(r);
      lo.i32(0).set(k);
      lo.loop((lk) => {
        lk.get(a0).get(k).op(OP.i32add).v128load().set(va0);
        lk.get(a1).get(k).op(OP.i32add).v128load().set(va1);
        for (let j = 0; j < 4; j++) {
          lk.get(wr[j]).get(k).op(OP.i32add).v128load().set(vw);
          lk.get(acc[j]).get(va0).get(vw).simd(SIMD.i32x4DotI16x8S).simd(SIMD.i32x4Add).set(acc[j]);
          lk.get(acc[4 + j]).get(va1).get(vw).simd(SIMD.i32x4DotI16x8S).simd(SIMD.i32x4Add).set(acc[4 + j]);
        }
        lk.get(k).i32(16).op(OP.i32add).tee(k).get(kb).op(OP.i32ltS).brIf(0);
      });
      const hsum = (cc: Code, v: number): void => {
        cc.get(v).simd(SIMD.i32x4ExtractLane, 0).get(v).simd(SIMD.i32x4ExtractLane, 1).op(OP.i32add);
        cc.get(v).simd(SIMD.i32x4ExtractLane, 2).op(OP.i32add).get(v).simd(SIMD.i32x4ExtractLane, 3).op(OP.i32add);
      };
      // Whole block of 4 channels: vector requantization, 4 bytes stored at once.
      const hadd4 = (cc: Code, r: number[]): void => {
        cc.get(r[0]).get(r[1]).simd(SIMD.i8x16Shuffle, ...lanes32(0, 4, 1, 5));
        cc.get(r[0]).get(r[1]).simd(SIMD.i8x16Shuffle, ...lanes32(2, 6, 3, 7)).simd(SIMD.i32x4Add).set(va0);
        cc.get(r[2]).get(r[3]).simd(SIMD.i8x16Shuffle, ...lanes32(0, 4, 1, 5));
        cc.get(r[2]).get(r[3]).simd(SIMD.i8x16Shuffle, ...lanes32(2, 6, 3, 7)).simd(SIMD.i32x4Add).set(va1);
        cc.get(va0).get(va1).simd(SIMD.i8x16Shuffle, ...lanes32(0, 1, 4, 5));
        cc.get(va0).get(va1).simd(SIMD.i8x16Shuffle, ...lanes32(2, 3, 6, 7)).simd(SIMD.i32x4Add);
      };
      const storeRow = (cc: Code, dst: number, r: number[]): void => {
        cc.get(dst).get(o).op(OP.i32add);
        hadd4(cc, r);
        cc.get(o).call(F_RQV).set(vw);
        cc.get(vw).get(vw).simd(SIMD.i16x8NarrowI32x4S).set(vw);
        cc.get(vw).get(vw).simd(SIMD.i8x16NarrowI16x8S).simd(SIMD.v128Store32Lane, 0, 0, 0);
      };
      lo.get(o).i32(4).op(OP.i32add).get(O).op(0x4c /* i32.le_s */).ifElse(
        (cv) => {
          storeRow(cv, dst0, acc.slice(0, 4));
          cv.get(p).i32(1).op(OP.i32add).get(P).op(OP.i32ltS).if((c2) => storeRow(c2, dst1, acc.slice(4, 8)));
        },
        (cs) => {
          for (let j = 0; j < 4; j++) {
            cs.get(o).i32(j).op(OP.i32add).get(O).op(OP.i32ltS).if((ci) => {
              ci.get(dst0).get(o).op(OP.i32add).i32(j).op(OP.i32add);
              hsum(ci, acc[j]);
              ci.get(o).i32(j).op(OP.i32add).call(F_STORE);
              ci.get(p).i32(1).op(OP.i32add).get(P).op(OP.i32ltS).if((c2) => {
                c2.get(dst1).get(o).op(OP.i32add).i32(j).op(OP.i32add);
                hsum(c2, acc[4 + j]);
                c2.get(o).i32(j).op(OP.i32add).call(F_STORE);
              });
            });
          }
        },
      );
      lo.get(o).i32(4).op(OP.i32add).tee(o).get(O).op(OP.i32ltS).brIf(0);
    });
    lp.get(p).i32(2).op(OP.i32add).tee(p).get(P).op(OP.i32ltS).brIf(0);
  });
  const locals: ValType[] = [...new Array<ValType>(12).fill(T.i32), ...new Array<ValType>(11).fill(T.v128)];
  return { name: 'gemm', params: new Array<ValType>(11).fill(T.i32), results: [], locals, code: c };
}

/**
 * im2col(in, a, N, H, W, C, KH, KW, sH, sW, dH, dW, padT, padL, OH, OW, zp, Kp):
 * one int16 row of Kp per output pixel, (ky, kx, c) order, input zero point
 * subtracted, zeros for padding taps and for the tail up to Kp.
 */
function im2colFunction(): FuncDef {
  const [inp, a, N, H, W, C, KH, KW, sH, sW, dH, dW, padT, padL, OH, OW, zp, Kp] = Array.from({ length: 18 }, (_, i) => i);
  const [n, oy, ox, ky, kx, iy, ix, dst, rowEnd, src, i, c8, vzp] = Array.from({ length: 13 }, (_, k) => 18 + k);
  const c = new Code();
  c.get(zp).simd(SIMD.i16x8Splat).set(vzp);
  c.get(C).i32(-8).op(OP.i32and).set(c8);
  c.get(a).set(dst);
  c.i32(0).set(n);
  c.forLoop(n, (e) => e.get(N), 1, (ln) => {
    ln.i32(0).set(oy);
    ln.forLoop(oy, (e) => e.get(OH), 1, (ly) => {
      ly.i32(0).set(ox);
      ly.forLoop(ox, (e) => e.get(OW), 1, (lx) => {
        lx.get(dst).get(Kp).i32(1).op(OP.i32shl).op(OP.i32add).set(rowEnd);
        lx.i32(0).set(ky);
        lx.forLoop(ky, (e) => e.get(KH), 1, (lky) => {
          lky.get(oy).get(sH).op(OP.i32mul).get(padT).op(OP.i32sub).get(ky).get(dH).op(OP.i32mul).op(OP.i32add).set(iy);
          lky.i32(0).set(kx);
          lky.forLoop(kx, (e) => e.get(KW), 1, (lkx) => {
            lkx.get(ox).get(sW).op(OP.i32mul).get(padL).op(OP.i32sub).get(kx).get(dW).op(OP.i32mul).op(OP.i32add).set(ix);
            lkx.get(iy).get(H).op(OP.i32ltU).get(ix).get(W).op(OP.i32ltU).op(OP.i32and).ifElse(
              (t) => {
                t.get(inp).get(n).get(H).op(OP.i32mul).get(iy).op(OP.i32add).get(W).op(OP.i32mul).get(ix).op(OP.i32add).get(C).op(OP.i32mul).op(OP.i32add).set(src);
                t.i32(0).set(i);
                t.forLoop(i, (e) => e.get(c8), 8, (lv) => {
                  lv.get(dst).get(i).i32(1).op(OP.i32shl).op(OP.i32add);
                  lv.get(src).get(i).op(OP.i32add).simd(SIMD.v128Load8x8S, 0, 0);
                  lv.get(vzp).simd(SIMD.i16x8Sub).simd(SIMD.v128Store, 0, 0);
                });
                t.forLoop(i, (e) => e.get(C), 1, (ls) => {
                  ls.get(dst).get(i).i32(1).op(OP.i32shl).op(OP.i32add);
                  ls.get(src).get(i).op(OP.i32add).mem(OP.i32load8s, 0).get(zp).op(OP.i32sub).mem(OP.i32store16, 1);
                });
              },
              (f) => {
                f.i32(0).set(i);
                f.forLoop(i, (e) => e.get(C), 1, (lz) => {
                  lz.get(dst).get(i).i32(1).op(OP.i32shl).op(OP.i32add).i32(0).mem(OP.i32store16, 1);
                });
              },
            );
            lkx.get(dst).get(C).i32(1).op(OP.i32shl).op(OP.i32add).set(dst);
          });
        });
        lx.block((b) =>
          b.loop((l) => {
            l.get(dst).get(rowEnd).op(OP.i32geS).brIf(1);
            l.get(dst).i32(0).mem(OP.i32store16, 1);
            l.get(dst).i32(2).op(OP.i32add).set(dst).br(0);
          }),
        );
      });
    });
  });
  const locals: ValType[] = [...new Array<ValType>(12).fill(T.i32), T.v128];
  return { name: 'im2col', params: new Array<ValType>(18).fill(T.i32), results: [], locals, code: c };
}

/**
 * add(a, b, out, count, aZp, bZp, aM, aS, bM, bS, oM, oS, oZp, min, max, leftShift):
 * TFLite's int8 ADD (both inputs shifted left, rescaled to a common scale,
 * summed, requantized to the output).
 */
function addFunction(): FuncDef {
  const [a, b, out, count, aZp, bZp, aM, aS, bM, bS, oM, oS, oZp, mn, mx, ls] = Array.from({ length: 16 }, (_, i) => i);
  const [i, v, n4] = [16, 17, 18];
  const c = new Code();
  const lanes = (cc: Code, src: number, zpi: number, m: number, sh: number): void => {
    cc.get(src).get(i).op(OP.i32add).simd(SIMD.v128Load32Zero, 0, 0).simd(SIMD.i16x8ExtendLowI8x16S).simd(SIMD.i32x4ExtendLowI16x8S);
    cc.get(zpi).simd(SIMD.i32x4Splat).simd(SIMD.i32x4Sub).get(ls).simd(SIMD.i32x4Shl).get(m).get(sh).call(F_MBQMU);
  };
  c.get(count).i32(-4).op(OP.i32and).set(n4);
  c.i32(0).set(i);
  c.forLoop(i, (e) => e.get(n4), 4, (l) => {
    l.get(out).get(i).op(OP.i32add);
    lanes(l, a, aZp, aM, aS);
    lanes(l, b, bZp, bM, bS);
    l.simd(SIMD.i32x4Add).get(oM).get(oS).call(F_MBQMU).get(oZp).simd(SIMD.i32x4Splat).simd(SIMD.i32x4Add);
    l.get(mn).simd(SIMD.i32x4Splat).simd(SIMD.i32x4MaxS).get(mx).simd(SIMD.i32x4Splat).simd(SIMD.i32x4MinS).set(19);
    l.get(19).get(19).simd(SIMD.i16x8NarrowI32x4S).set(19);
    l.get(19).get(19).simd(SIMD.i8x16NarrowI16x8S).simd(SIMD.v128Store32Lane, 0, 0, 0);
  });
  c.forLoop(i, (e) => e.get(count), 1, (l) => {
    l.get(out).get(i).op(OP.i32add);
    l.get(a).get(i).op(OP.i32add).mem(OP.i32load8s, 0).get(aZp).op(OP.i32sub).get(ls).op(OP.i32shl).get(aM).get(aS).call(F_MBQM);
    l.get(b).get(i).op(OP.i32add).mem(OP.i32load8s, 0).get(bZp).op(OP.i32sub).get(ls).op(OP.i32shl).get(bM).get(bS).call(F_MBQM);
    l.op(OP.i32add).get(oM).get(oS).call(F_MBQM).get(oZp).op(OP.i32add);
    clamp(l, v, (k) => k.get(mn), (k) => k.get(mx));
    l.mem(OP.i32store8, 0);
  });
  return { name: 'add', params: new Array<ValType>(16).fill(T.i32), results: [], locals: [T.i32, T.i32, T.i32, T.v128], code: c };
}

/** Bytes of the GEMM module importing a memory of at least `minPages` 64 KiB pages. */
export function buildGemmModule(minPages: number): Uint8Array {
  return assemble(minPages, 5, [mbqmFunction(), storeFunction(), rqvFunction(), mbqmUniformFunction(), gemmFunction(), im2colFunction(), addFunction(), maxpoolFunction(), depthwiseFunction(), quantizeFunction()]);
}

/** The exported kernel signature. */
export type GemmFn = (
  a: number, w: number, prm: number, out: number, P: number, O: number, Kp: number, Opad: number, zp: number, min: number, max: number,
) => void;

/** True when this JS runtime validates WebAssembly SIMD. */
export function wasmSimdSupported(): boolean {
  if (simdSupported === null) {
    try {
      simdSupported = WA.validate(buildGemmModule(1));
    } catch {
      simdSupported = false;
    }
  }
  return simdSupported;
}
let simdSupported: boolean | null = null;

/** The exported im2col signature (see im2colFunction). */
export type Im2colFn = (...args: number[]) => void;
/** The exported ADD signature (see addFunction). */
export type AddFn = (...args: number[]) => void;

/** An instantiated kernel over its own memory of a fixed size. */
export interface WasmKernels {
  readonly memory: WasmMemory;
  readonly gemm: GemmFn;
  readonly im2col: Im2colFn;
  readonly add: AddFn;
  readonly maxpool: AddFn;
  readonly dw: AddFn;
  readonly quantize: AddFn;
}

/** Instantiates the kernels synchronously with a memory of at least `bytes` bytes. */
export function instantiateKernels(bytes: number): WasmKernels {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  const memory = new WA.Memory({ initial: pages });
  const module = new WA.Module(buildGemmModule(pages));
  const instance = new WA.Instance(module, { env: { memory } });
  const e = instance.exports;
  return { memory, gemm: e.gemm as GemmFn, im2col: e.im2col as Im2colFn, add: e.add as AddFn, maxpool: e.maxpool as AddFn, dw: e.dw as AddFn, quantize: e.quantize as AddFn };
}
