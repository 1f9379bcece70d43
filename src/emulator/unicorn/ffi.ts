import { existsSync } from 'node:fs';
import { join } from 'node:path';
import koffi, { type LibraryHandle, type TypeObject } from 'koffi';
import { projectRoot } from '../../util/paths.js';
import { SimDseError } from '../../util/errors.js';

/** A native pointer as koffi 3 passes it (a BigInt address). */
export type Ptr = bigint;

const UNICORN_CANDIDATES = [
  process.env.SIM_DSE_LIBUNICORN,
  '/usr/lib/x86_64-linux-gnu/libunicorn.so.2',
  '/usr/lib/aarch64-linux-gnu/libunicorn.so.2',
  'libunicorn.so.2',
].filter((p): p is string => Boolean(p));

function loadLibrary(candidates: string[], what: string, hint: string): LibraryHandle {
  const errors: string[] = [];
  for (const path of candidates) {
    if (path.startsWith('/') && !existsSync(path)) continue;
    try {
      return koffi.load(path);
    } catch (err) {
      errors.push(`${path}: ${(err as Error).message}`);
    }
  }
  throw new SimDseError('unicorn', `cannot load ${what} (${hint})${errors.length ? `: ${errors[0]}` : ''}`);
}

/** Raw Unicorn 2 C API, as koffi functions. Prefer the typed wrapper in unicorn.ts. */
export interface UnicornApi {
  uc_open(arch: number, mode: number, out: [Ptr | null]): number;
  uc_close(uc: Ptr): number;
  uc_strerror(code: number): string;
  uc_version(major: null, minor: null): number;
  uc_mem_map(uc: Ptr, address: bigint, size: number, perms: number): number;
  uc_mem_write(uc: Ptr, address: bigint, bytes: Uint8Array, size: number): number;
  uc_mem_read(uc: Ptr, address: bigint, bytes: Uint8Array, size: number): number;
  uc_reg_write(uc: Ptr, regid: number, value: Uint32Array): number;
  uc_reg_read(uc: Ptr, regid: number, value: Uint32Array): number;
  uc_emu_start(uc: Ptr, begin: bigint, until: bigint, timeout: bigint, count: number): number;
  uc_emu_stop(uc: Ptr): number;
  uc_hook_add(uc: Ptr, out: BigUint64Array, type: number, callback: Ptr, userData: Ptr, begin: bigint, end: bigint): number;
  uc_hook_del(uc: Ptr, hook: bigint): number;
  uc_ctl(uc: Ptr, control: number, ...args: unknown[]): number;
}

let api: UnicornApi | undefined;

/** Loads Debian's libunicorn2 once per thread. */
export function unicornApi(): UnicornApi {
  if (api) return api;
  const lib = loadLibrary(UNICORN_CANDIDATES, 'libunicorn.so.2', 'apt-get install libunicorn2, or set SIM_DSE_LIBUNICORN');
  api = {
    uc_open: lib.func('int uc_open(int arch, int mode, _Out_ void **uc)'),
    uc_close: lib.func('int uc_close(void *uc)'),
    uc_strerror: lib.func('const char *uc_strerror(int code)'),
    uc_version: lib.func('unsigned int uc_version(unsigned int *major, unsigned int *minor)'),
    uc_mem_map: lib.func('int uc_mem_map(void *uc, uint64_t address, size_t size, uint32_t perms)'),
    uc_mem_write: lib.func('int uc_mem_write(void *uc, uint64_t address, const uint8_t *bytes, size_t size)'),
    uc_mem_read: lib.func('int uc_mem_read(void *uc, uint64_t address, _Out_ uint8_t *bytes, size_t size)'),
    uc_reg_write: lib.func('int uc_reg_write(void *uc, int regid, const uint32_t *value)'),
    uc_reg_read: lib.func('int uc_reg_read(void *uc, int regid, _Out_ uint32_t *value)'),
    uc_emu_start: lib.func('int uc_emu_start(void *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)'),
    uc_emu_stop: lib.func('int uc_emu_stop(void *uc)'),
    uc_hook_add: lib.func(
      'int uc_hook_add(void *uc, _Out_ uint64_t *hh, int type, void *callback, void *user_data, uint64_t begin, uint64_t end)',
    ),
    uc_hook_del: lib.func('int uc_hook_del(void *uc, uint64_t hh)'),
    uc_ctl: lib.func('int uc_ctl(void *uc, uint32_t control, ...)'),
  } as unknown as UnicornApi;
  return api;
}

/** The native half of the cycle model (src/emulator/native/cycles.c). */
export interface CyclesApi {
  sim_new(params: Uint32Array): Ptr | null;
  sim_free(state: Ptr): void;
  sim_set_miss_callback(state: Ptr, cb: unknown): void;
  sim_set_reference_fetch(state: Ptr, on: number): void;
  sim_define_block(
    state: Ptr, addr: number, size: number, base: number, instructions: number,
    takenPenalty: number, endKind: number, lineCycles: Uint16Array, nlines: number, classes: Uint32Array, nclasses: number,
  ): number;
  sim_add_special(state: Ptr, addr: number, kind: number, extra: number, rn: number, rm: number, cls: number): number;
  sim_set_block_sbus(state: Ptr, id: number, fetchCycles: number, dataWords: number): number;
  sim_sort_specials(state: Ptr): void;
  sim_block_hook_fn(): Ptr;
  sim_code_hook_fn(): Ptr;
  sim_mem_hook_fn(): Ptr;
  sim_map_memory(state: Ptr, uc: Ptr, base: number, size: number, perms: number): number;
  sim_install_mem_hook(state: Ptr, uc: Ptr, lo: number, hi: number): number;
  sim_set_replay(state: Ptr, on: number, stop: number, lo: number, hi: number): void;
  sim_set_block_replay(state: Ptr, id: number, ops: Int32Array, n: number, regs: number): number;
  sim_set_dcode_ranges(state: Ptr, flashSize: number, sramBase: number, sramSize: number): void;
  sim_set_overlay_range(state: Ptr, lo: number, hi: number, reg: number): void;
  sim_overlay_hook_fn(): Ptr;
  sim_unmapped_hook_fn(): Ptr;
  sim_intr_hook_fn(): Ptr;
  sim_trace_hook_fn(): Ptr;
  sim_set_unaligned(state: Ptr, penalty: Uint32Array): void;
  sim_add_ram_segment(state: Ptr, addr: number, bytes: Uint8Array, len: number): number;
  sim_io_regs(state: Ptr): Ptr;
  sim_io_counters(state: Ptr): Ptr;
  sim_io_classes(state: Ptr): Ptr;
  sim_run(state: Ptr, uc: Ptr, begin: number, until: number, limit: number, keepCaches: number): number;
  sim_take_cyccnt_blocks(state: Ptr, out: Uint32Array, max: number): number;
  sim_trace_block(state: Ptr, uc: Ptr, id: number, insns: Uint16Array, ninsns: number): number;
  sim_mmio_map(state: Ptr, uc: Ptr, base: number, size: number): number;
  sim_periph_define(
    state: Ptr, addr: number, kind: number, reset: number, readOr: number, readAndNot: number,
    copyFrom: number, copyTo: number, copyMask: number,
  ): number;
  sim_uart_read(state: Ptr, out: Uint8Array, max: number): number;
  /** koffi prototype of the block-miss callback: void (uint32 addr, uint32 size). */
  readonly missCallbackType: TypeObject;
  sim_set_replay_callback(state: Ptr, cb: unknown): void;
  /** koffi prototype of the replay-program callback: void (uint32 block id). */
  readonly replayCallbackType: TypeObject;
}

let cycles: CyclesApi | undefined;

/** Path of the compiled native cycle library. */
export const CYCLES_LIBRARY = join(projectRoot, 'build', 'native', 'libsimcycles.so');

/** Loads build/native/libsimcycles.so once per thread (built by `npm run build`). */
export function cyclesApi(): CyclesApi {
  if (cycles) return cycles;
  unicornApi(); // libsimcycles links against libunicorn.so.2: load it first
  if (!existsSync(CYCLES_LIBRARY)) {
    throw new SimDseError('unicorn', `native cycle model not built: ${CYCLES_LIBRARY} is missing (run npm run build)`);
  }
  const lib = loadLibrary([CYCLES_LIBRARY], 'the native cycle model', 'run npm run build');
  const missCallbackType = koffi.proto('void SimMissCallback(uint32_t addr, uint32_t size)');
  const replayCallbackType = koffi.proto('void SimReplayCallback(uint32_t id)');
  cycles = {
    sim_new: lib.func('void *sim_new(const uint32_t *params)'),
    sim_free: lib.func('void sim_free(void *s)'),
    sim_set_miss_callback: lib.func('void sim_set_miss_callback(void *s, SimMissCallback *cb)'),
    sim_set_reference_fetch: lib.func('void sim_set_reference_fetch(void *s, int on)'),
    sim_set_block_sbus: lib.func('int sim_set_block_sbus(void *s, uint32_t id, uint32_t fetch, uint32_t data)'),
    sim_define_block: lib.func(
      'int sim_define_block(void *s, uint32_t addr, uint32_t size, uint32_t base, uint32_t instructions, uint32_t taken, uint32_t end, const uint16_t *lines, uint32_t nlines, const uint32_t *classes, uint32_t nclasses)',
    ),
    sim_add_special: lib.func('int sim_add_special(void *s, uint32_t addr, uint32_t kind, uint32_t extra, uint32_t rn, uint32_t rm, uint32_t cls)'),
    sim_sort_specials: lib.func('void sim_sort_specials(void *s)'),
    sim_block_hook_fn: lib.func('void *sim_block_hook_fn(void)'),
    sim_code_hook_fn: lib.func('void *sim_code_hook_fn(void)'),
    sim_mem_hook_fn: lib.func('void *sim_mem_hook_fn(void)'),
    sim_map_memory: lib.func('int sim_map_memory(void *s, void *uc, uint32_t base, uint32_t size, uint32_t perms)'),
    sim_install_mem_hook: lib.func('int sim_install_mem_hook(void *s, void *uc, uint64_t lo, uint64_t hi)'),
    sim_set_replay: lib.func('void sim_set_replay(void *s, int on, uint32_t stop, uint32_t lo, uint32_t hi)'),
    sim_set_block_replay: lib.func('int sim_set_block_replay(void *s, uint32_t id, const int32_t *ops, uint32_t n, uint32_t regs)'),
    sim_set_dcode_ranges: lib.func('void sim_set_dcode_ranges(void *s, uint32_t flash_size, uint32_t sram_base, uint32_t sram_size)'),
    sim_set_overlay_range: lib.func('void sim_set_overlay_range(void *s, uint32_t lo, uint32_t hi, uint32_t reg)'),
    sim_overlay_hook_fn: lib.func('void *sim_overlay_hook_fn(void)'),
    sim_unmapped_hook_fn: lib.func('void *sim_unmapped_hook_fn(void)'),
    sim_intr_hook_fn: lib.func('void *sim_intr_hook_fn(void)'),
    sim_trace_hook_fn: lib.func('void *sim_trace_hook_fn(void)'),
    sim_set_unaligned: lib.func('void sim_set_unaligned(void *s, const uint32_t *penalty)'),
    sim_add_ram_segment: lib.func('int sim_add_ram_segment(void *s, uint32_t addr, const uint8_t *bytes, uint32_t len)'),
    sim_io_regs: lib.func('void *sim_io_regs(void *s)'),
    sim_io_counters: lib.func('void *sim_io_counters(void *s)'),
    sim_io_classes: lib.func('void *sim_io_classes(void *s)'),
    sim_run: lib.func('int sim_run(void *s, void *uc, uint32_t begin, uint32_t until, double limit, int keep)'),
    sim_take_cyccnt_blocks: lib.func('uint32_t sim_take_cyccnt_blocks(void *s, _Out_ uint32_t *out, uint32_t max)'),
    sim_trace_block: lib.func('int sim_trace_block(void *s, void *uc, uint32_t id, const uint16_t *insns, uint32_t ninsns)'),
    sim_mmio_map: lib.func('int sim_mmio_map(void *s, void *uc, uint32_t base, uint32_t size)'),
    sim_periph_define: lib.func(
      'int sim_periph_define(void *s, uint32_t addr, uint32_t kind, uint32_t reset, uint32_t or_mask, uint32_t andnot_mask, uint32_t copy_from, uint32_t copy_to, uint32_t copy_mask)',
    ),
    sim_uart_read: lib.func('uint32_t sim_uart_read(void *s, _Out_ uint8_t *out, uint32_t max)'),
    missCallbackType,
    sim_set_replay_callback: lib.func('void sim_set_replay_callback(void *s, SimReplayCallback *cb)'),
    replayCallbackType,
  } as unknown as CyclesApi;
  return cycles;
}
