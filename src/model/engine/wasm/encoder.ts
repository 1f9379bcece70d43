/**
 * A minimal WebAssembly binary encoder: just what the engine's GEMM module
 * needs (one imported memory, mutable i32 globals, functions with i32/i64/v128
 * locals, exports). Written from the WebAssembly core and SIMD specifications.
 */

/** Value types. */
export const T = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
/** A value type byte. */
export type ValType = (typeof T)[keyof typeof T];

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (safe-integer range). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n = Math.floor(n / 128);
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function str(s: string): number[] {
  const b = Array.from(new TextEncoder().encode(s));
  return [...uleb(b.length), ...b];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** Instruction emitter for one function body. */
export class Code {
  readonly bytes: number[] = [];
  /** Appends raw bytes. */
  raw(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  /** local.get */
  get(i: number): this {
    return this.raw(0x20, ...uleb(i));
  }
  /** local.set */
  set(i: number): this {
    return this.raw(0x21, ...uleb(i));
  }
  /** local.tee */
  tee(i: number): this {
    return this.raw(0x22, ...uleb(i));
  }
  /** global.get */
  gget(i: number): this {
    return this.raw(0x23, ...uleb(i));
  }
  /** global.set */
  gset(i: number): this {
    return this.raw(0x24, ...uleb(i));
  }
  /** i32.const */
  i32(n: number): this {
    return this.raw(0x41, ...sleb(n | 0));
  }
  /** i64.const (safe-integer range) */
  i64(n: number): this {
    return this.raw(0x42, ...sleb(n));
  }
  /** f64.const */
  f64(x: number): this {
    const b = new Uint8Array(new Float64Array([x]).buffer);
    return this.raw(0x44, ...b);
  }
  /** A plain opcode (see {@link OP}). */
  op(code: number): this {
    return this.raw(code);
  }
  /** A SIMD opcode (0xFD prefix). */
  simd(code: number, ...imm: number[]): this {
    return this.raw(0xfd, ...uleb(code), ...imm);
  }
  /** Memory instruction with alignment log2 and offset. */
  mem(code: number, align: number, offset = 0): this {
    return this.raw(code, ...uleb(align), ...uleb(offset));
  }
  /** v128.load */
  v128load(offset = 0): this {
    return this.simd(0x00, 0, ...uleb(offset));
  }
  /** block ... end (void) */
  block(body: (c: this) => void): this {
    this.raw(0x02, 0x40);
    body(this);
    return this.raw(0x0b);
  }
  /** loop ... end (void) */
  loop(body: (c: this) => void): this {
    this.raw(0x03, 0x40);
    body(this);
    return this.raw(0x0b);
  }
  /** if ... end (void), condition on the stack */
  if(body: (c: this) => void): this {
    this.raw(0x04, 0x40);
    body(this);
    return this.raw(0x0b);
  }
  /** if ... else ... end (void), condition on the stack */
  ifElse(then: (c: this) => void, otherwise: (c: this) => void): this {
    this.raw(0x04, 0x40);
    then(this);
    this.raw(0x05);
    otherwise(this);
    return this.raw(0x0b);
  }
  /** br to a label depth */
  br(depth: number): this {
    return this.raw(0x0c, ...uleb(depth));
  }
  /** return */
  ret(): this {
    return this.raw(0x0f);
  }
  /**
   * `for (; i < end; i += step) body` as block/loop; `i` and `end` are locals
   * (end may also be pushed by `endExpr`). Inside `body`, the loop label is
   * depth 0 and the exit label depth 1.
   */
  forLoop(i: number, endExpr: (c: this) => void, step: number, body: (c: this) => void): this {
    return this.block((b) =>
      b.loop((l) => {
        l.get(i);
        endExpr(l);
        l.op(0x4e).brIf(1); // i32.ge_s -> exit
        body(l);
        l.get(i).i32(step).op(0x6a).set(i).br(0);
      }),
    );
  }
  /** br_if to a label depth */
  brIf(depth: number): this {
    return this.raw(0x0d, ...uleb(depth));
  }
  /** call a function index */
  call(f: number): this {
    return this.raw(0x10, ...uleb(f));
  }
}

/** Plain opcodes used by the engine. */
export const OP = {
  select: 0x1b,
  i32load: 0x28,
  i32load8s: 0x2c,
  i32store8: 0x3a,
  i32store16: 0x3b,
  i32eqz: 0x45,
  i32eq: 0x46,
  i32ltU: 0x49,
  i32store: 0x36,
  i32ltS: 0x48,
  i32gtS: 0x4a,
  i32geS: 0x4e,
  i32add: 0x6a,
  i32sub: 0x6b,
  i32mul: 0x6c,
  i32and: 0x71,
  i32shl: 0x74,
  i32shrS: 0x75,
  i64geS: 0x59,
  i64add: 0x7c,
  i64mul: 0x7e,
  i64divS: 0x7f,
  i64and: 0x83,
  i64shrS: 0x87,
  i32wrapI64: 0xa7,
  f32load: 0x2a,
  f32div: 0x95,
  f64abs: 0x99,
  f64floor: 0x9c,
  f64add: 0xa0,
  f64min: 0xa4,
  f64max: 0xa5,
  f64copysign: 0xa6,
  f64promoteF32: 0xbb,
  i64extendI32S: 0xac,
} as const;

/** SIMD opcodes used by the engine. */
export const SIMD = {
  i32x4ExtractLane: 0x1b,
  i32x4Add: 0xae,
  i32x4DotI16x8S: 0xba,
  v128Const: 0x0c,
  v128Load8x8S: 0x01,
  v128Store: 0x0b,
  i16x8Splat: 0x10,
  i16x8Sub: 0x91,
  v128Load32Zero: 0x5c,
  i8x16Splat: 0x0f,
  i8x16MinS: 0x76,
  i8x16MaxS: 0x78,
  i32x4ExtendLowI16x8S: 0xa7,
  i16x8ExtendLowI8x16S: 0x87,
  i32x4Shl: 0xab,
  i32x4ShrS: 0xac,
  i8x16Shuffle: 0x0d,
  i32x4Splat: 0x11,
  i64x2Splat: 0x12,
  i32x4LtS: 0x39,
  i32x4GtS: 0x3b,
  v128And: 0x4e,
  v128Store32Lane: 0x5a,
  i8x16NarrowI16x8S: 0x65,
  i16x8NarrowI32x4S: 0x85,
  i32x4Sub: 0xb1,
  i32x4Mul: 0xb5,
  i32x4MinS: 0xb6,
  i32x4MaxS: 0xb8,
  i64x2ExtendLowI32x4S: 0xc7,
  i64x2ExtendHighI32x4S: 0xc8,
  i64x2ShrS: 0xcc,
  i64x2Add: 0xce,
  i64x2Mul: 0xd5,
  i64x2ExtmulLowI32x4S: 0xdc,
  i64x2ExtmulHighI32x4S: 0xdd,
} as const;

/** One function of a module. */
export interface FuncDef {
  readonly name: string | null;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly locals: readonly ValType[];
  readonly code: Code;
}

/**
 * Assembles a module importing memory `env.memory` (min pages), with
 * `globals` mutable i32 globals initialised to 0 and the given functions
 * (exported by name when named).
 */
export function assemble(minPages: number, globals: number, funcs: readonly FuncDef[]): Uint8Array {
  const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))]);
  const imports = vec([[...str('env'), ...str('memory'), 0x02, 0x00, ...uleb(minPages)]]);
  const fsec = vec(funcs.map((_, i) => uleb(i)));
  const gsec = vec(Array.from({ length: globals }, () => [T.i32, 0x01, 0x41, 0x00, 0x0b]));
  const exps = funcs.flatMap((f, i) => (f.name === null ? [] : [[...str(f.name), 0x00, ...uleb(i)]]));
  const bodies = funcs.map((f) => {
    const groups: number[][] = [];
    for (const l of f.locals) {
      const last = groups[groups.length - 1];
      if (last !== undefined && last[1] === l) last[0]++;
      else groups.push([1, l]);
    }
    const body = [...vec(groups.map(([n, t]) => [...uleb(n), t])), ...f.code.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, fsec),
    ...(globals > 0 ? section(6, gsec) : []),
    ...section(7, vec(exps)),
    ...section(10, vec(bodies)),
  ]);
}
