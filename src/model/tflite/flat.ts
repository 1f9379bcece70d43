import { ByteBuffer } from 'flatbuffers';
import { ModelError } from '../errors.js';

/**
 * Bounds-checked access to a flatbuffer: primitive reads go through the
 * `flatbuffers` runtime's ByteBuffer, every offset (tables, vtables, vectors,
 * strings) is checked against the file size first, so a truncated or
 * corrupted file gives a one-line {@link ModelError} instead of garbage.
 */
export class FlatFile {
  /** The runtime's view of the bytes (little-endian reads). */
  readonly bb: ByteBuffer;
  /** File size in bytes. */
  readonly size: number;
  /** The file's name, used as the prefix of every error message. */
  readonly source: string;

  constructor(bytes: Uint8Array, source: string) {
    this.bb = new ByteBuffer(bytes);
    this.size = bytes.length;
    this.source = source;
  }

  /** Throws a ModelError `<source>: <what>`. */
  fail(what: string): never {
    throw new ModelError(`${this.source}: ${what}`);
  }

  /** Checks that [pos, pos+len) lies inside the file. */
  need(pos: number, len: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || len < 0 || pos + len > this.size) {
      this.fail(`${what} at byte ${pos} (+${len}) lies outside the file (${this.size} bytes; truncated or corrupt)`);
    }
  }

  /** Follows the uoffset stored at `pos` and returns the absolute target position. */
  deref(pos: number, what: string): number {
    this.need(pos, 4, what);
    const target = pos + this.bb.readUint32(pos);
    this.need(target, 4, what);
    return target;
  }

  /** The table whose start is at absolute position `pos`. */
  table(pos: number, what: string): FlatTable {
    this.need(pos, 4, what);
    const vt = pos - this.bb.readInt32(pos);
    if (vt < 0 || vt + 4 > this.size) this.fail(`${what}: vtable offset out of range (vtable at byte ${vt})`);
    const vtLen = this.bb.readUint16(vt);
    const tableLen = this.bb.readUint16(vt + 2);
    if (vtLen < 4 || vtLen % 2 !== 0 || vt + vtLen > this.size) {
      this.fail(`${what}: vtable offset out of range (vtable of ${vtLen} bytes at byte ${vt})`);
    }
    if (tableLen < 4 || pos + tableLen > this.size) {
      this.fail(`${what}: table of ${tableLen} bytes at byte ${pos} lies outside the file (${this.size} bytes)`);
    }
    return new FlatTable(this, pos, vt, vtLen, tableLen, what);
  }
}

/** Element sizes of scalar vector element kinds. */
const ELEM_SIZE = { u8: 1, i32: 4, i64: 8, f32: 4, u32: 4, offset: 4 } as const;

/** One table of a {@link FlatFile}, with checked field access by field id. */
export class FlatTable {
  constructor(
    private readonly file: FlatFile,
    /** Absolute position of the table. */
    readonly pos: number,
    private readonly vt: number,
    private readonly vtLen: number,
    private readonly tableLen: number,
    /** What this table is, for error messages, e.g. "tensor 3". */
    readonly what: string,
  ) {}

  /** Absolute position of field `id` of `size` bytes, or 0 when the field is absent. */
  field(id: number, size: number): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtLen) return 0;
    const off = this.file.bb.readUint16(this.vt + slot);
    if (off === 0) return 0;
    if (off + size > this.tableLen) {
      this.file.fail(`${this.what}: field ${id} at table offset ${off} lies outside its table (${this.tableLen} bytes)`);
    }
    return this.pos + off;
  }

  /** True when field `id` is present. */
  has(id: number): boolean {
    return this.field(id, 0) !== 0;
  }

  /** Unsigned 8-bit field (ubyte, bool, union type). */
  u8(id: number, dflt: number): number {
    const p = this.field(id, 1);
    return p ? this.file.bb.readUint8(p) : dflt;
  }

  /** Signed 8-bit field (byte, enums of type byte). */
  i8(id: number, dflt: number): number {
    const p = this.field(id, 1);
    return p ? this.file.bb.readInt8(p) : dflt;
  }

  /** Signed 32-bit field. */
  i32(id: number, dflt: number): number {
    const p = this.field(id, 4);
    return p ? this.file.bb.readInt32(p) : dflt;
  }

  /** Unsigned 32-bit field. */
  u32(id: number, dflt: number): number {
    const p = this.field(id, 4);
    return p ? this.file.bb.readUint32(p) : dflt;
  }

  /** Unsigned 64-bit field, as a bigint. */
  u64(id: number, dflt: bigint): bigint {
    const p = this.field(id, 8);
    return p ? this.file.bb.readUint64(p) : dflt;
  }

  /** 32-bit float field. */
  f32(id: number, dflt: number): number {
    const p = this.field(id, 4);
    return p ? this.file.bb.readFloat32(p) : dflt;
  }

  /** Sub-table field, or null when absent. */
  table(id: number, what: string): FlatTable | null {
    const p = this.field(id, 4);
    return p ? this.file.table(this.file.deref(p, what), what) : null;
  }

  /** Absolute position of the vector's first element and its length, or null when absent. */
  private vector(id: number, kind: keyof typeof ELEM_SIZE, what: string): { start: number; length: number } | null {
    const p = this.field(id, 4);
    if (!p) return null;
    const at = this.file.deref(p, `${this.what}: ${what}`);
    const length = this.file.bb.readUint32(at);
    this.file.need(at + 4, length * ELEM_SIZE[kind], `${this.what}: ${what} (${length} elements)`);
    return { start: at + 4, length };
  }

  /** Vector of int32, or null when absent. */
  i32s(id: number, what: string): Int32Array | null {
    const v = this.vector(id, 'i32', what);
    if (!v) return null;
    const out = new Int32Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.file.bb.readInt32(v.start + 4 * i);
    return out;
  }

  /** Vector of int64 converted to numbers (must be safe integers), or null when absent. */
  i64s(id: number, what: string): number[] | null {
    const v = this.vector(id, 'i64', what);
    if (!v) return null;
    const out: number[] = [];
    for (let i = 0; i < v.length; i++) {
      const x = this.file.bb.readInt64(v.start + 8 * i);
      if (x > BigInt(Number.MAX_SAFE_INTEGER) || x < BigInt(Number.MIN_SAFE_INTEGER)) {
        this.file.fail(`${this.what}: ${what}[${i}] = ${x} is out of range`);
      }
      out.push(Number(x));
    }
    return out;
  }

  /** Vector of float32 widened to float64, or null when absent. */
  f32s(id: number, what: string): Float64Array | null {
    const v = this.vector(id, 'f32', what);
    if (!v) return null;
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.file.bb.readFloat32(v.start + 4 * i);
    return out;
  }

  /** Vector of bytes as a view into the file, or null when absent. */
  bytes(id: number, what: string): Uint8Array | null {
    const v = this.vector(id, 'u8', what);
    if (!v) return null;
    return this.file.bb.bytes().subarray(v.start, v.start + v.length);
  }

  /** UTF-8 string field, or `dflt` when absent. */
  str(id: number, what: string, dflt: string): string {
    const b = this.bytes(id, what);
    return b ? new TextDecoder().decode(b) : dflt;
  }

  /** Vector of tables, or null when absent. */
  tables(id: number, what: string): FlatTable[] | null {
    const v = this.vector(id, 'offset', what);
    if (!v) return null;
    const out: FlatTable[] = [];
    for (let i = 0; i < v.length; i++) {
      const label = `${what.replace(/s$/, '')} ${i}`;
      out.push(this.file.table(this.file.deref(v.start + 4 * i, label), label));
    }
    return out;
  }
}
