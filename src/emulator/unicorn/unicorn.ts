import { SimDseError } from '../../util/errors.js';
import {
  UC_ARCH_ARM,
  UC_CPU_ARM_CORTEX_M4,
  UC_CTL_READ_CPU_MODEL,
  UC_CTL_WRITE_CPU_MODEL,
  UC_CTL_WRITE_TB_FLUSH,
  UC_ERR_NAMES,
  UC_MODE_THUMB,
  coreRegId,
} from './constants.js';
import { type Ptr, unicornApi, type UnicornApi } from './ffi.js';

/** A Unicorn call that returned an error code. */
export class UnicornError extends SimDseError<'unicorn'> {
  /** The uc_err value. */
  readonly code: number;
  constructor(operation: string, code: number, message: string) {
    super('unicorn', `${operation} failed: ${message}${message.includes('UC_ERR_') ? '' : ` (${UC_ERR_NAMES[code] ?? `uc_err ${code}`})`}`, { code });
    this.name = 'UnicornError';
    this.code = code;
  }
}

/** Handle of an installed hook. */
export type HookHandle = bigint;

/**
 * A Unicorn engine opened as an Arm Cortex-M4 (Thumb mode with the CPU model
 * set by uc_ctl before first use; see the project notes on 2.0.1's MCLASS
 * mode). A small typed wrapper: every non-zero uc_err becomes a
 * {@link UnicornError}. Not thread-safe; one per worker.
 */
export class Unicorn {
  private readonly api: UnicornApi;
  private handle: Ptr | null;
  private readonly reg = new Uint32Array(1);

  constructor() {
    this.api = unicornApi();
    const out: [Ptr | null] = [null];
    this.check('uc_open', this.api.uc_open(UC_ARCH_ARM, UC_MODE_THUMB, out));
    this.handle = out[0];
    this.check('uc_ctl(CPU_MODEL)', this.api.uc_ctl(this.ptr, UC_CTL_WRITE_CPU_MODEL, 'int', UC_CPU_ARM_CORTEX_M4));
  }

  /** The native uc_engine pointer (for hooks implemented in native code). */
  get ptr(): Ptr {
    if (this.handle === null) throw new SimDseError('unicorn', 'the Unicorn engine was already closed');
    return this.handle;
  }

  /** The CPU model as Unicorn reports it (9 = UC_CPU_ARM_CORTEX_M4). */
  cpuModel(): number {
    const out = new Int32Array(1);
    this.check('uc_ctl(READ CPU_MODEL)', this.api.uc_ctl(this.ptr, UC_CTL_READ_CPU_MODEL, 'int *', out));
    return out[0];
  }

  /** Unicorn library version as `major.minor.patch`. */
  static version(): string {
    const v = unicornApi().uc_version(null, null);
    return `${(v >>> 24) & 0xff}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}`;
  }

  /** Maps `size` bytes at `address` (both 4 KiB aligned) with the given UC_PROT_* permissions. */
  map(address: number, size: number, perms: number): void {
    this.check(`uc_mem_map(0x${address.toString(16)}, ${size})`, this.api.uc_mem_map(this.ptr, BigInt(address), size, perms));
  }

  /** Writes bytes to emulated memory. */
  write(address: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.check(`uc_mem_write(0x${address.toString(16)})`, this.api.uc_mem_write(this.ptr, BigInt(address), bytes, bytes.length));
  }

  /** Reads `length` bytes of emulated memory. */
  read(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    if (length === 0) return out;
    this.check(`uc_mem_read(0x${address.toString(16)})`, this.api.uc_mem_read(this.ptr, BigInt(address), out, length));
    return out;
  }

  /** Reads a register by Unicorn id (unsigned 32-bit). */
  readReg(regId: number): number {
    this.check('uc_reg_read', this.api.uc_reg_read(this.ptr, regId, this.reg));
    return this.reg[0];
  }

  /** Writes a register by Unicorn id. */
  writeReg(regId: number, value: number): void {
    this.reg[0] = value >>> 0;
    this.check('uc_reg_write', this.api.uc_reg_write(this.ptr, regId, this.reg));
  }

  /** Reads core register Rn (0..15). */
  readCore(n: number): number {
    return this.readReg(coreRegId(n));
  }

  /** Writes core register Rn (0..15). */
  writeCore(n: number, value: number): void {
    this.writeReg(coreRegId(n), value);
  }

  /**
   * Adds a hook whose callback is a native function pointer (see
   * src/emulator/native/cycles.c). `begin > end` means every address.
   */
  addNativeHook(type: number, callback: Ptr, userData: Ptr, begin = 1, end = 0): HookHandle {
    const out = new BigUint64Array(1);
    this.check('uc_hook_add', this.api.uc_hook_add(this.ptr, out, type, callback, userData, BigInt(begin), BigInt(end)));
    return out[0];
  }

  /** Removes a hook. */
  deleteHook(hook: HookHandle): void {
    this.check('uc_hook_del', this.api.uc_hook_del(this.ptr, hook));
  }

  /** Drops every translated block (after code in memory changed). */
  flushTranslations(): void {
    this.check('uc_ctl(TB_FLUSH)', this.api.uc_ctl(this.ptr, UC_CTL_WRITE_TB_FLUSH));
  }

  /**
   * Runs from `begin` (Thumb bit added) until the PC reaches `until` or a
   * hook stops it. Returns the raw uc_err so callers can tell faults apart;
   * use {@link Unicorn.describe} for the message.
   */
  start(begin: number, until: number): number {
    return this.api.uc_emu_start(this.ptr, BigInt((begin | 1) >>> 0), BigInt(until >>> 0), 0n, 0);
  }

  /** Stops a running emulation (from a hook). */
  stop(): void {
    this.check('uc_emu_stop', this.api.uc_emu_stop(this.ptr));
  }

  /** Unicorn's message for an error code. */
  describe(code: number): string {
    return this.api.uc_strerror(code);
  }

  /** Releases the engine. Safe to call twice. */
  close(): void {
    if (this.handle !== null) {
      this.api.uc_close(this.handle);
      this.handle = null;
    }
  }

  private check(operation: string, code: number): void {
    if (code !== 0) throw new UnicornError(operation, code, this.api.uc_strerror(code));
  }
}
