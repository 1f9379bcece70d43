/**
 * Runs a prepared graph on one inference's tensors. All activation tensors
 * live in one memory (the WASM memory for the `wasm` backend) at fixed
 * offsets; weighted layers run the scalar oracle kernels, the WASM SIMD GEMM
 * on im2col rows, or the native library's (native/*.c, AVX-512 VNNI to
 * portable C). Packed (masked) weights are rebuilt only when a
 * layer's mask content changes. The executor can run any contiguous range of
 * operators, which is what prefix reuse builds on.
 */
import type { SkipMask, SkipMasks } from '../ir.js';
import { isMaskable } from '../ir.js';
import { ModelError } from '../errors.js';
import type { PreparedGraph, PreparedOp, PreparedWeighted } from './prepare.js';
import { preparedInputs } from './prepare.js';
import * as K from './kernels.js';
import { instantiateKernels, prmBytes, writeParams, type WasmKernels } from './wasm/gemm-module.js';
import { nativeKernels, nativeLoadError, type NativeKernels } from './native/library.js';

/** Which implementation computes CONV_2D / FULLY_CONNECTED. */
export type Backend = 'native' | 'wasm' | 'scalar';

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** Depthwise layers the WASM kernel takes: depth multiplier 1 and a multiple of 4 channels. */
function vectorDepthwise(p: PreparedWeighted): boolean {
  return p.kind === 'depthwise' && p.depthMultiplier === 1 && p.geometry.c % 4 === 0;
}

/** True when two masks skip the same weights (a missing mask equals an all-zero one). */
export function sameMask(a: SkipMask | null, b: SkipMask | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) {
    const m = (a ?? b)!;
    for (let i = 0; i < m.length; i++) if (m[i] !== 0) return false;
    return true;
  }
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

interface WeightSlot {
  readonly p: PreparedWeighted;
  /** Reduction length (KH*KW*I, or I) and its multiple of 8. */
  readonly k: number;
  readonly kp: number;
  readonly opad: number;
  /** Byte offsets (wasm backend). */
  readonly wOff: number;
  readonly prmOff: number;
  /** Mask the current packed / masked weights were built for (null = exact). */
  mask: SkipMask | null;
  /** {@link Executor.useMasks} call this slot's mask was last checked for. */
  checked: number;
  /** Masked int8 weights (scalar path and depthwise). */
  masked: Int8Array;
  /** The layer as it runs under the current mask: `p`, or `p` with refitted weights and bias. */
  cur: PreparedWeighted;
}

/**
 * Weights and bias a layer runs with under a mask instead of its own (the mask still zeroes what it skips),
 * or null for its own: how an engine applies compensation (src/model/compensation). Must be a pure
 * function of the layer and the mask's bytes.
 */
export type WeightRefit = (layer: PreparedWeighted, mask: SkipMask) => { readonly weights: Int8Array; readonly bias: Int32Array } | null;

/** Executes prepared operators over a fixed tensor arena. */
export class Executor {
  readonly prepared: PreparedGraph;
  readonly backend: Backend;
  private readonly memory: { readonly buffer: ArrayBuffer };
  private readonly kernels: WasmKernels | null;
  /** Native kernels and the GEMM level they run at (native backend). */
  private readonly native: NativeKernels | null;
  readonly isa: number;
  private readonly arena: Uint8Array;
  private readonly offsets: number[];
  /** One view per tensor over the arena, made once (the arena never moves). */
  private readonly views: Uint8Array[];
  private readonly slots = new Map<number, WeightSlot>();
  private readonly aOff: number;
  /** Masks of the last {@link useMasks} call, and that call's number. */
  private masks: SkipMasks | undefined = undefined;
  private maskCall = 1;
  /** Operator list position of each maskable operator index. */
  private readonly opPosition = new Map<number, number>();

  constructor(
    prepared: PreparedGraph,
    backend: Backend,
    isa?: number,
    private readonly refit: WeightRefit | null = null,
  ) {
    this.prepared = prepared;
    this.backend = backend;
    this.native = backend === 'native' ? nativeKernels() : null;
    if (backend === 'native' && this.native === null) throw new ModelError(`native engine: ${nativeLoadError()}`);
    const nat = this.native;
    this.isa = nat === null ? -1 : (isa ?? nat.isa);
    if (nat !== null && !nat.supported.includes(this.isa)) throw new ModelError(`native engine: GEMM level ${this.isa} is not supported by this CPU (best ${nat.isa})`);
    let off = 0;
    this.offsets = prepared.tensorBytes.map((b) => {
      const o = off;
      off += align16(b);
      return o;
    });
    let aBytes = 0;
    const slotSpecs: Array<{ p: PreparedWeighted; k: number; kp: number; opad: number; wOff: number; prmOff: number }> = [];
    prepared.ops.forEach((p, i) => {
      this.opPosition.set(p.opIndex, i);
      if (p.kind !== 'conv' && p.kind !== 'fc' && p.kind !== 'depthwise') return;
      const g = p.geometry;
      const k = p.kind === 'fc' ? g.c : g.kh * g.kw * (p.kind === 'depthwise' ? 1 : g.c);
      const kp = Math.ceil(k / 8) * 8;
      const opad = Math.ceil(g.oc / 4) * 4;
      const rows = g.n * g.oh * g.ow;
      if (p.kind !== 'depthwise') aBytes = Math.max(aBytes, align16((rows + 1) * kp * 2));
      slotSpecs.push({ p, k, kp, opad, wOff: 0, prmOff: 0 });
    });
    this.aOff = off;
    off += aBytes;
    for (const s of slotSpecs) {
      if (nat !== null) {
        s.wOff = off;
        const oc = s.p.geometry.oc;
        off += align16(s.p.kind === 'depthwise' ? s.k * oc : nat.packedBytes(this.isa, oc, s.kp));
        s.prmOff = off;
        off += align16(Math.ceil(oc / 16) * 16 * 12);
        continue;
      }
      if (s.p.kind === 'depthwise' && !vectorDepthwise(s.p)) continue;
      s.wOff = off;
      off += align16(s.p.kind === 'depthwise' ? s.k * s.opad * 4 : s.opad * s.kp * 2);
      s.prmOff = off;
      off += align16(prmBytes(s.opad));
    }
    if (backend === 'wasm') {
      this.kernels = instantiateKernels(off + 16);
      this.memory = this.kernels.memory;
    } else {
      this.memory = { buffer: new ArrayBuffer(off + 16) };
      this.kernels = null;
    }
    this.arena = new Uint8Array(this.memory.buffer);
    this.views = this.offsets.map((o, t) => new Uint8Array(this.memory.buffer, o, prepared.tensorBytes[t]));
    for (const s of slotSpecs) {
      const slot: WeightSlot = { ...s, mask: null, checked: 0, masked: s.p.weights, cur: s.p };
      this.slots.set(s.p.opIndex, slot);
      if (backend === 'wasm' && (s.p.kind !== 'depthwise' || vectorDepthwise(s.p))) {
        writeParams(this.memory.buffer, s.prmOff, s.opad, s.p.bias, s.p.requant.multiplier, s.p.requant.shift);
        this.pack(slot);
      }
      if (nat !== null) this.pack(slot);
    }
  }

  /** Bytes of a tensor in the arena (the same view on every call). */
  bytes(tensor: number): Uint8Array {
    return this.views[tensor];
  }

  private i8(tensor: number): Int8Array {
    return new Int8Array(this.memory.buffer, this.offsets[tensor], this.prepared.tensorBytes[tensor]);
  }

  private f32(tensor: number): Float32Array {
    return new Float32Array(this.memory.buffer, this.offsets[tensor], this.prepared.tensorBytes[tensor] / 4);
  }

  /** Checks that every mask names a maskable operator and has one byte per weight. */
  validateMasks(masks: SkipMasks | undefined): void {
    if (masks === undefined) return;
    for (const [index, mask] of masks) {
      const op = this.prepared.graph.ops.find((o) => o.index === index);
      if (op === undefined) throw new ModelError(`skip mask for operator ${index}: the graph has no such operator`);
      if (!isMaskable(op)) throw new ModelError(`skip mask for operator ${index} (${op.kind}): only CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED take masks`);
      const slot = this.slots.get(index)!;
      if (mask.length !== slot.p.weights.length) {
        throw new ModelError(`skip mask for operator ${index} (${op.kind}) has ${mask.length} bytes, expected ${slot.p.weights.length} (one per weight)`);
      }
    }
  }

  /** Rebuilds the masked / packed weights of a slot for its current mask. */
  private pack(slot: WeightSlot): void {
    const mask = slot.mask;
    const refitted = mask === null || this.refit === null ? null : this.refit(slot.p, mask);
    slot.cur = refitted === null ? slot.p : { ...slot.p, weights: refitted.weights, bias: refitted.bias };
    const w = slot.cur.weights;
    if (mask === null) slot.masked = w;
    else {
      const m = new Int8Array(w.length);
      for (let i = 0; i < w.length; i++) m[i] = mask[i] !== 0 ? 0 : w[i];
      slot.masked = m;
    }
    if (this.native !== null) {
      const p = slot.cur;
      const r = p.requant;
      if (p.kind === 'depthwise') this.native.packDepthwise(this.arena, slot.masked, p.bias, r.multiplier, r.shift, p.geometry.oc, slot.k, slot.wOff, slot.prmOff);
      else this.native.packLayer(this.arena, this.isa, slot.masked, p.bias, r.multiplier, r.shift, p.geometry.oc, slot.k, slot.kp, p.inZp, slot.wOff, slot.prmOff);
      return;
    }
    if (this.backend !== 'wasm') return;
    // the bias lives in the parameter block: rewritten whenever a refit may have changed it (exact again included)
    if (this.refit !== null && (slot.p.kind !== 'depthwise' || vectorDepthwise(slot.p))) writeParams(this.memory.buffer, slot.prmOff, slot.opad, slot.cur.bias, slot.p.requant.multiplier, slot.p.requant.shift);
    if (slot.p.kind === 'depthwise') {
      // int32 [KH*KW][Opad]; vector depthwise layers have Opad == C.
      if (vectorDepthwise(slot.p)) new Int32Array(this.memory.buffer, slot.wOff, slot.k * slot.opad).set(slot.masked);
      return;
    }
    const packed = new Int16Array(this.memory.buffer, slot.wOff, slot.opad * slot.kp);
    packed.fill(0);
    const src = slot.masked;
    for (let o = 0; o < slot.p.geometry.oc; o++) {
      for (let k = 0; k < slot.k; k++) packed[o * slot.kp + k] = src[o * slot.k + k];
    }
  }

  /**
   * Sets the masks the following {@link runRange} calls run under (layers not
   * present are exact). Each layer's mask is compared with the one its weights
   * were packed for once, when the layer first runs after this call, not on
   * every run: the caller must not change the masks' bytes until the next call.
   */
  useMasks(masks: SkipMasks | undefined): void {
    this.masks = masks;
    this.maskCall++;
  }

  private weightsFor(slot: WeightSlot): void {
    if (slot.checked === this.maskCall) return;
    slot.checked = this.maskCall;
    const mask = this.masks?.get(slot.p.opIndex) ?? null;
    if (sameMask(mask, slot.mask)) return;
    slot.mask = mask === null ? null : mask.slice();
    this.pack(slot);
  }

  /** Runs operators at list positions [start, end) on the arena, under the masks of the last {@link useMasks}. */
  runRange(start: number, end: number): void {
    const ops = this.prepared.ops;
    for (let i = start; i < end; i++) this.runOp(ops[i]);
  }

  private runOp(p: PreparedOp): void {
    switch (p.kind) {
      case 'conv':
      case 'fc':
      case 'depthwise': {
        const slot = this.slots.get(p.opIndex)!;
        this.weightsFor(slot);
        if (this.native !== null) this.nativeLayer(slot);
        else if (this.kernels !== null && p.kind === 'depthwise' && vectorDepthwise(p)) {
          const g = p.geometry;
          const r = p.requant;
          this.kernels.dw(this.offsets[p.input], slot.wOff, slot.prmOff, this.offsets[p.output], g.n, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW,
            g.dilationH, g.dilationW, g.padTop, g.padLeft, g.oh, g.ow, p.inZp, slot.opad, r.outZp, r.actMin, r.actMax);
        } else if (this.kernels === null || p.kind === 'depthwise') {
          K.weightedScalar(slot.cur, slot.masked, this.i8(p.input), this.i8(p.output));
        } else {
          this.gemmLayer(slot);
        }
        return;
      }
      case 'maxpool':
      case 'avgpool':
        if (this.native !== null) {
          const g = p.geometry;
          const pool = p.kind === 'maxpool' ? this.native.maxpool : this.native.avgpool;
          pool(this.arena, this.offsets[p.input], this.offsets[p.output], g.n, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.oh, g.ow, p.actMin, p.actMax);
          return;
        }
        if (this.kernels !== null && p.kind === 'maxpool') {
          const g = p.geometry;
          this.kernels.maxpool(this.offsets[p.input], this.offsets[p.output], g.n, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.oh, g.ow, p.actMin, p.actMax);
          return;
        }
        return K.pool(p, this.i8(p.input), this.i8(p.output));
      case 'add':
        if (this.native !== null) {
          const o = this.offsets;
          this.native.add(this.arena, this.isa, o[p.inputA], o[p.inputB], o[p.output], p.count, p.aZp, p.bZp, p.aMult, p.aShift, p.bMult, p.bShift, p.outMult, p.outShift, p.outZp, p.actMin, p.actMax, p.leftShift);
          return;
        }
        if (this.kernels !== null) {
          const o = this.offsets;
          this.kernels.add(o[p.inputA], o[p.inputB], o[p.output], p.count, p.aZp, p.bZp, p.aMult, p.aShift, p.bMult, p.bShift, p.outMult, p.outShift, p.outZp, p.actMin, p.actMax, p.leftShift);
          return;
        }
        return K.add(p, this.i8(p.inputA), this.i8(p.inputB), this.i8(p.output));
      case 'pad':
        return K.pad(p, this.i8(p.input), this.i8(p.output));
      case 'mean':
        return K.mean(p, this.i8(p.input), this.i8(p.output));
      case 'reshape':
        return this.bytes(p.output).set(this.bytes(p.input));
      case 'softmax':
        return K.softmax(p, this.i8(p.input), this.i8(p.output));
      case 'quantize':
        if (this.native !== null) {
          this.native.quantize(this.arena, this.offsets[p.input], this.offsets[p.output], p.count, Math.fround(p.scale), p.zp);
          return;
        }
        if (this.kernels !== null) {
          this.kernels.quantize(this.offsets[p.input], this.offsets[p.output], p.count, Math.fround(p.scale), p.zp);
          return;
        }
        return K.quantize(p.count, p.scale, p.zp, this.f32(p.input), this.i8(p.output));
      case 'requantize':
        return K.requantize(p, this.i8(p.input), this.i8(p.output));
      case 'dequantize':
        return K.dequantize(p.count, p.scale, p.zp, this.i8(p.input), this.f32(p.output));
    }
  }

  /** A weighted layer on the native kernels: depthwise directly, the rest as im2col (u8) then the GEMM. */
  private nativeLayer(slot: WeightSlot): void {
    const p = slot.p;
    const g = p.geometry;
    const r = p.requant;
    const k = this.native!;
    const o = this.offsets;
    if (p.kind === 'depthwise') {
      k.depthwise(this.arena, o[p.input], slot.wOff, slot.prmOff, o[p.output], g.n, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.dilationH,
        g.dilationW, g.padTop, g.padLeft, g.oh, g.ow, p.depthMultiplier, p.inZp, r.outZp, r.actMin, r.actMax);
      return;
    }
    k.im2col(this.arena, o[p.input], this.aOff, g.n, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft,
      g.oh, g.ow, p.inZp, slot.kp);
    k.gemm(this.arena, this.isa, this.aOff, slot.wOff, slot.prmOff, o[p.output], g.n * g.oh * g.ow, g.oc, slot.kp, r.outZp, r.actMin, r.actMax);
  }

  /** im2col (zero point folded, zeros for padding) then the SIMD GEMM. */
  private gemmLayer(slot: WeightSlot): void {
    const p = slot.p;
    const g = p.geometry;
    const rows = g.n * g.oh * g.ow;
    const kp = slot.kp;
    const k = this.kernels!;
    k.im2col(this.offsets[p.input], this.aOff, g.n, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.oh, g.ow, p.inZp, kp);
    const r = p.requant;
    k.gemm(this.aOff, slot.wOff, slot.prmOff, this.offsets[p.output], rows, g.oc, kp, slot.opad, r.outZp, r.actMin, r.actMax);
  }

  /**
   * Tensors that must be kept to resume at operator list position `j`:
   * computed before j (or the graph input) and read at or after j, plus the
   * graph output once computed.
   */
  liveBefore(j: number): number[] {
    const ops = this.prepared.ops;
    const out = this.prepared.output.index;
    const live = new Set<number>();
    const produced = new Set<number>([this.prepared.input.index]);
    for (let i = 0; i < j; i++) produced.add(ops[i].output);
    for (let i = j; i < ops.length; i++) for (const t of preparedInputs(ops[i])) if (produced.has(t)) live.add(t);
    if (produced.has(out)) live.add(out);
    return [...live].sort((x, y) => x - y);
  }

  /** List position of an operator index. */
  position(opIndex: number): number {
    return this.opPosition.get(opIndex)!;
  }
}
