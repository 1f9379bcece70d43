import koffi from 'koffi';
import { SimDseError, UsageError } from '../util/errors.js';
import type { BoardProfile, MemoryRegion } from './board.js';
import { memoryOf } from './memory-map.js';
import { fetchedOverSystemBus, unalignedPenaltyTable } from './timing/memory-rules.js';
import { NATIVE_CLASSES, breakdownFromTotals } from './breakdown.js';
import type { CallFault, CallOk, CallRequest, CallResult } from './call-types.js';
import { ElfError, type ElfImage, checkSegmentsFit, findSymbol } from './elf.js';
import type { FirmwareRequest, FirmwareResult } from './firmware-types.js';
import { OVERLAY_ID_REGISTER, inOverlay, overlayRangeOf, type OverlayRange } from './overlay.js';
import { peripheralRegisters } from './stm32-peripherals.js';
import { type BlockCost, type FlashGeometry, chargedInstructions, classIndex, classTriples, costBlock, costSequence } from './timing/block-cost.js';
import { type Special, scanCode } from './timing/specials.js';
import { type ReplayContext, replayProgram } from './timing/access-replay.js';
import {
  UC_ERR,
  UC_HOOK_BLOCK,
  UC_HOOK_CODE,
  UC_HOOK_INTR,
  UC_HOOK_MEM_INVALID,
  UC_HOOK_MEM_READ,
  UC_HOOK_MEM_WRITE,
  UC_PROT_ALL,
  UC_PROT_EXEC,
  UC_PROT_READ,
  coreRegId,
} from './unicorn/constants.js';
import { type CyclesApi, type Ptr, cyclesApi } from './unicorn/ffi.js';
import { Unicorn } from './unicorn/unicorn.js';

/** Where the called function returns to: a `wfi` that stops emulation (STM32 system memory area). */
const RETURN_TRAMPOLINE = 0x1fff0000;
const TRAMPOLINE_PAGE = 0x1000;
/** Thumb `wfi` (0xbf30), twice. */
const TRAMPOLINE_CODE = Uint8Array.from([0x30, 0xbf, 0x30, 0xbf]);
const WFI = 0xbf30;
const PAGE = 0x1000;
const DEFAULT_MAX_INSTRUCTIONS = 2e9;
/** SRAM kept free below the stack top when placing a call's buffer arguments. */
export const STACK_RESERVE = 16 * 1024;
const SPECIAL_KIND = { extra: 1, sdiv: 2, udiv: 3 } as const;
const PERIPHERAL_KIND = { register: 0, 'uart-data': 1, 'cycle-counter': 2 } as const;
/** Length of the native counters array (N_COUNTERS in native/sim.h) and the indices used here. */
const N_COUNTERS = 17;
const C = { cycles: 0, instructions: 1, fetchStalls: 2, dataStalls: 3, branchPenalty: 4, limitHit: 6, faultKind: 7, faultAddress: 8, intno: 9, tracePc: 11, uartBytes: 12, cyccntPending: 13, replayedAccesses: 14, hookedAccesses: 15, limitPc: 16 } as const;
/** Interrupt number Unicorn raises for BKPT. */
const EXCP_BKPT = 7;
/** LR at reset on a Cortex-M4 (ARMv7-M ARM B1.5.5). */
const RESET_LR = 0xffffffff;

/** Options of the {@link Machine} constructor. */
export interface MachineOptions {
  /**
   * Charge instruction fetch with the line-by-line reference walk of the ART
   * model instead of its fast path (same cycles by construction; for tests
   * that check exactly that).
   */
  readonly referenceFetch?: boolean;
  /**
   * Charge the data accesses of blocks whose addresses are known at entry from a replay
   * program (access-replay.ts) and run the blocks where that pays on Unicorn's fast memory path
   * (default true). false sends every access through the memory hook; 'every' replays every
   * block with a program from its first execution, fast path or not. Same cycles in all three:
   * for tests that check exactly that.
   */
  readonly memoryReplay?: boolean | 'every';
}

/** Options of {@link Machine.call}. */
export interface CallOptions {
  /** Run the call once before measuring, so the ART caches are warm (as on a board after a warm-up run). */
  readonly warm?: boolean;
}

const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;
const hex = (x: number): string => `0x${(x >>> 0).toString(16).padStart(8, '0')}`;

/** What one native run left behind, read from the shared counters. */
interface RunOutcome {
  readonly err: number;
  readonly cycles: number;
  readonly instructions: number;
  readonly limitHit: boolean;
  readonly faultKind: number;
  readonly faultAddress: number;
  readonly intno: number;
  readonly pc: number;
}

/**
 * An ELF loaded into an emulated Cortex-M4 of a given board, with the cycle
 * model attached. Functions are called by symbol name ({@link Machine.call});
 * whole firmware images run from reset ({@link Machine.runFirmware}). Each
 * run starts from the image's initial RAM contents and the peripherals'
 * reset state, with cold caches unless `warm`.
 *
 * Peripherals (for firmware and for kernels that time themselves): the
 * board's peripheral regions (0x40000000-0x5fffffff, 0xe0000000-0xe00fffff)
 * are memory-mapped registers served natively (native/peripherals.c):
 * - DWT_CYCCNT (0xe0001004) reads the cycle model's count at the reading
 *   instruction (cycles of every instruction before it since the run
 *   started), plus whatever a write to it set (`DWT->CYCCNT = 0` restarts it).
 *   It counts whether or not DEMCR.TRCENA / DWT_CTRL.CYCCNTENA are set
 *   (DWT_CTRL 0xe0001000 and DEMCR 0xe000edfc accept writes). The first time a
 *   basic block reads it, the run is repeated once with that block traced per
 *   instruction, so values are exact and deterministic; blocks stay traced.
 * - The registers of {@link peripheralRegisters} (STM32F4 or STM32L4 by board
 *   family): RCC/PWR/FLASH ready flags read as set, RCC_CFGR.SWS follows SW,
 *   USART status registers read TX-empty / transmission-complete, and bytes
 *   written to USART2 (F4: DR 0x40004404; L4: TDR 0x40004428) or LPUART1
 *   (L4: TDR 0x40008028) are captured ({@link FirmwareOk.uart}, {@link Machine.uartText}).
 * - Any other peripheral address is plain memory, zero at the start of a run.
 */
export class Machine {
  readonly image: ElfImage;
  readonly board: BoardProfile;
  readonly label: string;
  private readonly uc: Unicorn;
  private readonly native: CyclesApi;
  private readonly state: Ptr;
  private readonly missCallback: bigint;
  private readonly replayCallback: bigint;
  private readonly replayEvery: boolean;
  /** Address and size of each defined block, by native block id (to re-read a block for tracing). */
  private readonly blocks: Pick<BlockCost, 'address' | 'size'>[] = [];
  private readonly dynamicAddrs = new Set<number>();
  /** Instructions inside IT blocks of the image's code (a block can start inside one). */
  private readonly itCovered = new Set<number>();
  private readonly inIt = (address: number): boolean => this.itCovered.has(address);
  /** What block replay programs need beyond the block's bytes (access-replay.ts). */
  private readonly replayContext: ReplayContext = {
    readOnly: (a) => a - this.flash.base >= 0 && a - this.flash.base < this.flash.size,
    conditional: this.inIt,
  };
  private readonly flash: FlashGeometry;
  private readonly sram: MemoryRegion;
  private readonly heapStart: number;
  /** Views of the native state's shared memory (registers in/out, counters, class totals). */
  private readonly ioRegs: Uint32Array;
  private readonly ioCounters: Float64Array;
  private readonly ioClasses: Float64Array;
  private readonly overlays: OverlayRange | null;
  private closed = false;

  /** Loads `image` (already parsed; `label` names it in messages) into a fresh emulator for `board`. */
  constructor(image: ElfImage, board: BoardProfile, label: string, options: MachineOptions = {}) {
    checkSegmentsFit(image, board, label);
    this.image = image;
    this.board = board;
    this.label = label;
    const { flash: flashRegion, sram } = memoryOf(board);
    this.sram = sram;
    this.flash = { base: flashRegion.base, size: flashRegion.size, lineBytes: board.flashLineBytes };
    this.overlays = overlayRangeOf(image);
    this.uc = new Unicorn();
    this.native = cyclesApi();
    const params = Uint32Array.from([
      flashRegion.base,
      flashRegion.size,
      board.flashLineBytes,
      board.flashWaitStates,
      board.accelerator.icacheLines,
      board.accelerator.dcacheLines,
      board.accelerator.prefetch ? 1 : 0,
    ]);
    const state = this.native.sim_new(params);
    if (!state) throw new SimDseError('unicorn', 'out of memory creating the cycle model');
    this.state = state;
    if (options.referenceFetch) this.native.sim_set_reference_fetch(state, 1);
    this.native.sim_set_replay(state, REPLAY_MODE[String(options.memoryReplay ?? true)], RETURN_TRAMPOLINE, flashRegion.base, flashRegion.base + flashRegion.size);
    this.ioRegs = new Uint32Array(koffi.view(this.native.sim_io_regs(state), 16 * 4));
    this.ioCounters = new Float64Array(koffi.view(this.native.sim_io_counters(state), N_COUNTERS * 8));
    this.ioClasses = new Float64Array(koffi.view(this.native.sim_io_classes(state), (2 * NATIVE_CLASSES + 1) * 8));
    this.missCallback = koffi.register((addr: number, size: number) => this.defineBlock(addr, size), koffi.pointer(this.native.missCallbackType));
    this.native.sim_set_miss_callback(this.state, this.missCallback);
    this.replayEvery = options.memoryReplay === 'every';
    this.replayCallback = koffi.register((id: number) => this.giveReplayProgram(id), koffi.pointer(this.native.replayCallbackType));
    this.native.sim_set_replay_callback(this.state, this.replayCallback);
    try {
      this.mapMemory();
      this.heapStart = this.loadSegments();
      this.installHooks();
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Calls a function by symbol and returns its outputs and cycles, or the fault. */
  call(request: CallRequest, options: CallOptions = {}): CallResult {
    this.checkOpen();
    const symbol = findSymbol(this.image, request.symbol);
    const entry = symbol.value & ~1;
    this.checkEntry(request.symbol, entry);
    for (;;) {
      let result: CallResult | null = null;
      if (options.warm) {
        const first = this.run(entry, request, false);
        if (first.kind === 'fault') result = first;
      }
      result ??= this.run(entry, request, Boolean(options.warm));
      // a block read the cycle counter untraced: trace it and measure again, exactly
      if (!this.traceCycleCounterReaders()) return result;
    }
  }

  /**
   * Runs the image as firmware, from reset: SP from word 0 of the vector
   * table at the flash base, PC from word 1 (a Thumb address), every SRAM
   * region zeroed and the image's RAM segments loaded, peripherals at reset,
   * caches cold. Runs until the core executes `bkpt` or `wfi` (see
   * {@link FirmwareOk}), faults, or passes `maxInstructions`. Returns the
   * captured UART text with the cycles and instructions.
   */
  runFirmware(request: FirmwareRequest = {}): FirmwareResult {
    this.checkOpen();
    const vectors = this.uc.read(this.flash.base, 8);
    const words = new DataView(vectors.buffer, vectors.byteOffset, 8);
    const sp = words.getUint32(0, true);
    const reset = words.getUint32(4, true);
    const limit = request.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS;
    if ((reset & 1) === 0) {
      const message = `${this.label}: firmware: the reset vector ${hex(reset)} (word 1 at ${hex(this.flash.base)}) is not a Thumb address`;
      return { kind: 'fault', reason: 'exception', pc: reset, address: null, message, cycles: 0, instructions: 0, uart: '' };
    }
    const runOnce = (): RunOutcome => {
      for (const r of this.board.regions) if (r.kind === 'sram' || r.kind === 'ccm') this.uc.write(r.base, zeroes(r.size));
      this.ioRegs.fill(0);
      this.ioRegs[13] = sp & ~3;
      this.ioRegs[14] = RESET_LR;
      // `until` 0: never reached by firmware in flash, so only bkpt, wfi, faults and the limit stop it
      return this.runNative(reset & ~1, 0, limit, false);
    };
    let o = runOnce();
    while (this.traceCycleCounterReaders()) o = runOnce();
    const uart = this.uartText();
    const base = { cycles: o.cycles, instructions: o.instructions };
    const fault = (reason: CallFault['reason'], pc: number, address: number | null, what: string): FirmwareResult => ({
      kind: 'fault', reason, pc, address, message: `${this.label}: firmware: ${what} at pc ${hex(pc)}`, ...base, uart,
    });
    if (o.limitHit) return fault('instruction-limit', o.pc, null, `stopped after ${o.instructions} instructions (limit ${limit})`);
    const stop =
      o.faultKind === 2 && o.intno === EXCP_BKPT ? { kind: 'bkpt' as const, pc: o.pc } : o.err === UC_ERR.OK && o.faultKind === 0 ? this.wfiAt(o.pc) : null;
    if (stop !== null) {
      return { kind: 'ok', stop: stop.kind, pc: stop.pc, uart, ...base, registers: copyRegisters(this.ioRegs), breakdown: this.currentBreakdown() };
    }
    const pc = o.faultKind === 1 ? this.faultingPc(runOnce) : o.pc;
    const f = this.classifyFault(o);
    return fault(f.reason, pc, f.address, f.what);
  }

  /**
   * Refuses to call a symbol that is not code of the image: one at the
   * harness's own return stub would "return" at once with 0 cycles, one
   * outside every loaded segment would run whatever the memory holds.
   */
  private checkEntry(name: string, entry: number): void {
    if (entry >= RETURN_TRAMPOLINE && entry < RETURN_TRAMPOLINE + TRAMPOLINE_PAGE) {
      throw new ElfError(`${this.label}: symbol '${name}' is at ${hex(entry)}, the emulator's return stub (${hex(RETURN_TRAMPOLINE)}..${hex(RETURN_TRAMPOLINE + TRAMPOLINE_PAGE)}), not a function of the image`);
    }
    if (!this.image.segments.some((s) => s.memsz > 0 && entry >= s.vaddr && entry < s.vaddr + s.memsz)) {
      throw new ElfError(`${this.label}: symbol '${name}' is at ${hex(entry)}, outside every loaded segment of the image (not a function it holds)`);
    }
  }

  /** Reads emulated memory (e.g. a result buffer after a call, before the next call restores RAM). */
  readMemory(address: number, length: number): Uint8Array {
    return this.uc.read(address, length);
  }

  /** What the last run (call or firmware) wrote to the UART data registers, one character per byte (latin1). */
  uartText(): string {
    this.checkOpen();
    const n = this.ioCounters[C.uartBytes];
    if (n === 0) return '';
    const bytes = new Uint8Array(n);
    this.native.sim_uart_read(this.state, bytes, n);
    return Buffer.from(bytes).toString('latin1');
  }

  /**
   * How the last run charged its data accesses: `replayed` from block replay programs at block
   * entry (fast memory path), `hooked` through the memory hook (slow path). A replayed access
   * that crosses a page counts once.
   */
  accessCounts(): { replayed: number; hooked: number } {
    return { replayed: this.ioCounters[C.replayedAccesses], hooked: this.ioCounters[C.hookedAccesses] };
  }

  /** Whether buffer arguments of these lengths fit between the loaded image and the stack reserve (else {@link call} refuses them). */
  argumentsFit(lengths: readonly number[]): boolean {
    return this.bufferLayout(lengths).overflow === null;
  }

  /** The initial stack pointer: the top of SRAM, 8-byte aligned. */
  private stackTop(): number {
    return (this.sram.base + this.sram.size) & ~7;
  }

  /**
   * Where {@link call} places buffer arguments of these lengths: one after the other from the end of
   * the loaded image, 8-byte aligned, below the stack reserve; `overflow` is the index of the first
   * that does not fit (null when all do).
   */
  private bufferLayout(lengths: readonly number[]): { readonly addresses: readonly number[]; readonly overflow: number | null } {
    const limit = this.stackTop() - STACK_RESERVE;
    const addresses: number[] = [];
    let cursor = alignUp(this.heapStart, 8);
    for (const [k, n] of lengths.entries()) {
      if (cursor + n > limit) return { addresses, overflow: k };
      addresses.push(cursor);
      cursor = alignUp(cursor + n, 8);
    }
    return { addresses, overflow: null };
  }

  /** Releases the emulator and the native state. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.uc.close();
    this.native.sim_free(this.state);
    koffi.unregister(this.missCallback);
    koffi.unregister(this.replayCallback);
  }

  private checkOpen(): void {
    if (this.closed) throw new SimDseError('unicorn', `machine for ${this.label} is closed`);
  }

  /** One native run (registers already in ioRegs); reads the outcome from the shared counters. */
  private runNative(begin: number, until: number, limit: number, keepCaches: boolean): RunOutcome {
    const err = this.native.sim_run(this.state, this.uc.ptr, begin, until, limit, keepCaches ? 1 : 0);
    const c = this.ioCounters;
    return {
      err,
      cycles: c[C.cycles],
      instructions: c[C.instructions],
      limitHit: c[C.limitHit] !== 0,
      faultKind: c[C.faultKind],
      faultAddress: c[C.faultAddress],
      intno: c[C.intno],
      // the instruction limit stops before a block: its address, whatever Unicorn's PC says then
      pc: c[C.limitHit] !== 0 ? c[C.limitPc] : this.ioRegs[15],
    };
  }

  /** One call; `replaying` marks the traced replay of a faulting call (which must not replay again). */
  private run(entry: number, request: CallRequest, keepCaches: boolean, replaying = false): CallResult {
    const args = request.args ?? [];
    if (args.length > 4) throw new UsageError(`at most 4 register arguments, got ${args.length}`);
    const bufferArgs = args.flatMap((arg, i) => (typeof arg === 'number' ? [] : [{ i, arg }]));
    const layout = this.bufferLayout(bufferArgs.map((b) => b.arg.length));
    if (layout.overflow !== null) {
      const b = bufferArgs[layout.overflow];
      throw new UsageError(`buffer arguments do not fit in ${this.board.id}'s SRAM (${b.arg.length} bytes for argument ${b.i})`);
    }
    const regs = this.ioRegs;
    regs.fill(0);
    args.forEach((arg, i) => {
      if (typeof arg === 'number') regs[i] = arg >>> 0;
    });
    const placed = bufferArgs.map(({ i, arg }, k) => {
      const address = layout.addresses[k];
      this.uc.write(address, arg);
      regs[i] = address;
      return { address, length: arg.length };
    });
    regs[13] = this.stackTop();
    regs[14] = RETURN_TRAMPOLINE | 1;
    const limit = request.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS;
    const o = this.runNative(entry, RETURN_TRAMPOLINE + TRAMPOLINE_CODE.length, limit, keepCaches);
    if (o.limitHit) return this.callFault(request, o, 'instruction-limit', o.pc, null, `stopped after ${o.instructions} instructions (limit ${limit})`);
    if (o.err !== UC_ERR.OK || o.faultKind !== 0 || o.pc < RETURN_TRAMPOLINE || o.pc > RETURN_TRAMPOLINE + TRAMPOLINE_CODE.length) {
      const pc = o.faultKind === 1 && !replaying ? this.faultingPc(() => this.run(entry, request, false, true)) : o.pc;
      const f = this.classifyFault(o);
      return this.callFault(request, o, f.reason, f.pc ?? pc, f.address, f.what);
    }
    const buffers = placed.map((p) => this.uc.read(p.address, p.length));
    const registers = copyRegisters(regs);
    const result: CallOk = {
      kind: 'ok',
      returnValue: registers[0],
      registers,
      buffers,
      cycles: o.cycles,
      instructions: o.instructions,
      breakdown: this.currentBreakdown(),
    };
    return result;
  }

  /** The last run's breakdown, from the native class totals and stall counters. */
  private currentBreakdown(): CallOk['breakdown'] {
    const c = this.ioCounters;
    return breakdownFromTotals(this.ioClasses, { fetchStalls: c[C.fetchStalls], dataStalls: c[C.dataStalls], branchPenalty: c[C.branchPenalty] });
  }

  private callFault(request: CallRequest, o: RunOutcome, reason: CallFault['reason'], pc: number, address: number | null, what: string): CallFault {
    return { kind: 'fault', reason, pc, address, message: `${this.label}: ${request.symbol}: ${what} at pc ${hex(pc)}`, cycles: o.cycles, instructions: o.instructions };
  }

  /** Reason, data address and description of a run that did not end normally. */
  private classifyFault(o: RunOutcome): { reason: CallFault['reason']; address: number | null; what: string; pc?: number } {
    const err = o.err;
    if (err === UC_ERR.WRITE_PROT && o.faultAddress >= this.flash.base && o.faultAddress < this.flash.base + this.flash.size) {
      // RM0090/RM0390 (F4) and RM0351/RM0432 (L4) FLASH_SR.PGSERR: a write to the flash while FLASH_CR is not set up for
      // programming is not performed and only sets PGSERR; a kernel that stores to flash computes garbage, so stop there
      return { reason: 'memory', address: o.faultAddress, what: `store to flash address ${hex(o.faultAddress)} (flash is read-only to stores: the board drops the write and sets FLASH_SR.PGSERR)` };
    }
    if (o.faultKind === 1 || (err >= UC_ERR.READ_UNMAPPED && err <= UC_ERR.FETCH_UNMAPPED) || (err >= UC_ERR.WRITE_PROT && err <= UC_ERR.FETCH_PROT)) {
      return { reason: 'memory', address: o.faultAddress, what: `invalid memory access to ${hex(o.faultAddress)} (${this.uc.describe(err)})` };
    }
    if (err === UC_ERR.INSN_INVALID) return { reason: 'undefined-instruction', address: null, what: 'undefined instruction' };
    if (o.faultKind === 2) {
      const name = o.intno === 1 ? 'undefined instruction' : o.intno === EXCP_BKPT ? 'breakpoint' : 'CPU exception';
      return { reason: 'exception', address: null, what: `exception ${o.intno} (${name})` };
    }
    const wfi = err === UC_ERR.OK && o.faultKind === 0 ? this.wfiAt(o.pc) : null;
    if (wfi !== null) {
      return { reason: 'exception', address: null, pc: wfi.pc, what: 'wfi (wait for interrupt; nothing raises an interrupt in a measured call, so the core would sleep forever)' };
    }
    return { reason: 'exception', address: null, what: `emulation stopped unexpectedly (${this.uc.describe(err)})` };
  }

  /** The `wfi` that stopped a run at `pc` (Unicorn leaves the PC on it or just after it), or null. */
  private wfiAt(pc: number): { kind: 'wfi'; pc: number } | null {
    for (const at of [pc, pc - 2]) {
      try {
        const b = this.uc.read(at, 2);
        if ((b[0] | (b[1] << 8)) === WFI) return { kind: 'wfi', pc: at };
      } catch {
        // unmapped: not a wfi
      }
    }
    return null;
  }

  /**
   * Traces, per instruction, the blocks that read the cycle counter untraced
   * in the last run(s), so their reads are exact from the next run on.
   * Returns true when any was traced (the caller runs again).
   */
  private traceCycleCounterReaders(): boolean {
    const pending = this.ioCounters[C.cyccntPending];
    if (!pending) return false;
    const ids = new Uint32Array(pending);
    const n = this.native.sim_take_cyccnt_blocks(this.state, ids, pending);
    this.ioCounters[C.cyccntPending] = 0;
    for (const id of ids.subarray(0, n)) {
      const b = this.blocks[id];
      const insns = chargedInstructions(this.uc.read(b.address, b.size), b.address, (a) => this.dynamicAddrs.has(a), this.inIt);
      const err = this.native.sim_trace_block(this.state, this.uc.ptr, id, insns, insns.length / 2);
      if (err !== 0) throw new SimDseError('unicorn', `tracing the cycle-counter read at ${hex(b.address)} failed (${err})`);
    }
    return n > 0;
  }

  /**
   * Replays a run that hit a memory fault with a per-instruction trace hook
   * (Unicorn reports the block's first PC) and returns the faulting
   * instruction's address: the last one traced.
   */
  private faultingPc(replay: () => unknown): number {
    this.uc.flushTranslations();
    const hook = this.uc.addNativeHook(UC_HOOK_CODE, this.native.sim_trace_hook_fn(), this.state);
    try {
      replay();
      return this.ioCounters[C.tracePc];
    } finally {
      this.uc.deleteHook(hook);
      this.uc.flushTranslations();
    }
  }

  private defineBlock(addr: number, size: number): void {
    let cost: BlockCost;
    if ((addr & ~1) === RETURN_TRAMPOLINE) {
      cost = { address: addr, size, instructions: 0, base: 0, takenPenalty: 0, endKind: 0, lineCycles: new Uint16Array(0), classCycles: {}, classCounts: {}, systemBus: null };
    } else {
      cost = costBlock(this.uc.read(addr, size), addr, this.board.flashWaitStates > 0 ? this.flash : null, (a) => this.dynamicAddrs.has(a), this.inIt);
    }
    const classes = classTriples(cost);
    const id = this.native.sim_define_block(
      this.state, cost.address, cost.size, cost.base, cost.instructions, cost.takenPenalty, cost.endKind, cost.lineCycles, cost.lineCycles.length,
      classes, classes.length / 3,
    );
    if (id !== this.blocks.length) throw new SimDseError('unicorn', `cycle model block table out of step at ${hex(addr)}`);
    if (cost.systemBus) this.native.sim_set_block_sbus(this.state, id, cost.systemBus.fetchCycles, cost.systemBus.dataTransfers);
    this.blocks.push({ address: cost.address, size: cost.size });
    if (this.replayEvery && (addr & ~1) !== RETURN_TRAMPOLINE) this.giveReplayProgram(id);
  }

  /**
   * Gives block `id` its replay program (access-replay.ts), when it has one: asked by the native
   * model for a flash block that ran often (its bytes cannot have changed since it was defined),
   * or at once for every block in `memoryReplay: 'every'`.
   */
  private giveReplayProgram(id: number): void {
    const b = this.blocks[id];
    const program = replayProgram(costSequence(this.uc.read(b.address, b.size), b.address), this.replayContext);
    if (program && this.native.sim_set_block_replay(this.state, id, program.ops, program.count, program.regs) !== 0) {
      throw new SimDseError('unicorn', 'out of memory keeping a block replay program');
    }
  }

  private mapMemory(): void {
    for (const region of this.board.regions) {
      if (region.kind === 'peripheral') {
        const err = this.native.sim_mmio_map(this.state, this.uc.ptr, region.base, alignUp(region.size, PAGE));
        if (err !== 0) throw new SimDseError('unicorn', `mapping the peripheral region ${region.name} at ${hex(region.base)} failed (${err})`);
        continue;
      }
      // flash takes no stores (see classifyFault); the host's loads of the image still write it
      // host memory the native model keeps (block replay reads the values of loads there)
      const perms = region.kind === 'flash' ? UC_PROT_READ | UC_PROT_EXEC : UC_PROT_ALL;
      const err = this.native.sim_map_memory(this.state, this.uc.ptr, region.base, alignUp(region.size, PAGE), perms);
      if (err !== 0) throw new SimDseError('unicorn', `mapping ${region.name} at ${hex(region.base)} failed (${err})`);
    }
    const trampolineErr = this.native.sim_map_memory(this.state, this.uc.ptr, RETURN_TRAMPOLINE, TRAMPOLINE_PAGE, UC_PROT_READ | UC_PROT_EXEC);
    if (trampolineErr !== 0) throw new SimDseError('unicorn', `mapping the return stub at ${hex(RETURN_TRAMPOLINE)} failed (${trampolineErr})`);
    this.uc.write(RETURN_TRAMPOLINE, TRAMPOLINE_CODE);
    for (const r of peripheralRegisters(this.board)) {
      const copy = r.copy ?? { from: 0, to: 0, width: 0 };
      const copyMask = copy.width >= 32 ? 0xffffffff : (1 << copy.width) - 1;
      if (this.native.sim_periph_define(this.state, r.address, PERIPHERAL_KIND[r.kind], r.reset, r.readOr, r.readAndNot, copy.from, copy.to, copyMask) !== 0) {
        throw new SimDseError('unicorn', 'out of memory defining the peripheral registers');
      }
    }
  }

  /** Writes every PT_LOAD segment; registers the RAM ones to restore before each run. Returns the end of RAM data. */
  private loadSegments(): number {
    let ramEnd = this.sram.base;
    for (const seg of this.image.segments) {
      if (seg.memsz === 0) continue;
      const bytes = new Uint8Array(seg.memsz);
      bytes.set(seg.data.subarray(0, Math.min(seg.data.length, seg.memsz)));
      this.uc.write(seg.paddr, bytes);
      const inRam = this.board.regions.some((r) => r.kind !== 'flash' && r.kind !== 'peripheral' && seg.vaddr >= r.base && seg.vaddr < r.base + r.size);
      // an overlay is copied to its run address by the image's loader when needed, not at start-up
      if (inRam && !inOverlay(this.overlays, seg.vaddr)) {
        // initialised data is copied to its run address (vaddr) by startup code on a board; here directly
        if (this.native.sim_add_ram_segment(this.state, seg.vaddr, bytes, bytes.length) !== 0) {
          throw new SimDseError('unicorn', 'out of memory keeping the initial RAM contents');
        }
        if (seg.vaddr >= this.sram.base && seg.vaddr < this.sram.base + this.sram.size) ramEnd = Math.max(ramEnd, seg.vaddr + seg.memsz);
      }
    }
    return ramEnd;
  }

  private installHooks(): void {
    const n = this.native;
    const specials: Special[] = [];
    for (const range of codeRanges(this.image)) {
      const scan = scanCode(range.bytes, range.address);
      for (const sp of scan.specials) specials.push(sp);
      for (const a of scan.conditional) this.itCovered.add(a);
    }
    for (const s of specials) {
      if (s.kind === 'extra') {
        n.sim_add_special(this.state, s.address, SPECIAL_KIND.extra, s.extra, 0, 0, classIndex(s.cls));
        this.dynamicAddrs.add(s.address);
      } else {
        n.sim_add_special(this.state, s.address, SPECIAL_KIND[s.kind], 0, coreRegId(s.rn), coreRegId(s.rm), classIndex('div'));
      }
    }
    n.sim_sort_specials(this.state);
    this.uc.addNativeHook(UC_HOOK_BLOCK, n.sim_block_hook_fn(), this.state);
    for (const s of specials) this.uc.addNativeHook(UC_HOOK_CODE, n.sim_code_hook_fn(), this.state, s.address, s.address);
    const ov = this.overlays;
    if (ov !== null) {
      // specials are hooked by address, which overlays share: refused rather than charged to the wrong code
      const shared = specials.find((s) => inOverlay(ov, s.address));
      if (shared) {
        throw new SimDseError('unicorn', `${this.label}: overlay code at ${hex(shared.address)} has an instruction timed when it runs (${shared.kind}); overlays must not`, { address: shared.address });
      }
      n.sim_set_overlay_range(this.state, ov.lo, ov.hi, coreRegId(OVERLAY_ID_REGISTER));
      this.uc.addNativeHook(UC_HOOK_CODE, n.sim_overlay_hook_fn(), this.state, ov.loaded, ov.loaded);
    }
    // One native hook over code and SRAM (0x0000_0000..0x3fff_ffff), reads and writes:
    // unaligned LDR/LDRH/STR/STRH pay extra cycles (memory-rules.ts unaligned-*; peripherals take
    // aligned accesses only); flash reads go through the ART data cache when flash has wait states;
    // code fetched over the System bus needs the D-Code reads counted (system-bus-data-contention).
    const systemBusCode = codeRanges(this.image).some((r) => fetchedOverSystemBus(r.address));
    const codeSram = memoryOf(this.board).codeSram;
    const countFlash = this.board.flashWaitStates > 0 || systemBusCode;
    const countSram = systemBusCode && codeSram !== null;
    n.sim_set_dcode_ranges(this.state, countFlash ? this.flash.size : 0, countSram ? codeSram.base : 0, countSram ? codeSram.size : 0);
    n.sim_set_unaligned(this.state, unalignedPenaltyTable());
    const memErr = n.sim_install_mem_hook(this.state, this.uc.ptr, 0, DATA_MEMORY_END);
    if (memErr !== 0) throw new SimDseError('unicorn', `adding the data-memory hook failed (${memErr})`);
    this.uc.addNativeHook(UC_HOOK_MEM_INVALID, n.sim_unmapped_hook_fn(), this.state);
    this.uc.addNativeHook(UC_HOOK_INTR, n.sim_intr_hook_fn(), this.state);
  }
}

/** r0..r15 as a plain array (a loop: Array.from on a typed array is several times slower here). */
function copyRegisters(regs: Uint32Array): number[] {
  const out = new Array<number>(16);
  for (let i = 0; i < 16; i++) out[i] = regs[i];
  return out;
}

/** sim_set_replay's mode for each MachineOptions.memoryReplay (REPLAY_EVERY in native/sim.h). */
const REPLAY_MODE: Record<string, number> = { false: 0, true: 1, every: 2 };

/** Last address of code and SRAM (the Cortex-M4 code and SRAM regions; peripherals start at 0x4000_0000). */
const DATA_MEMORY_END = 0x3fff_ffff;

let zeroBuffer = new Uint8Array(0);

/** A zero-filled buffer of at least `size` bytes (shared, never written). */
function zeroes(size: number): Uint8Array {
  if (zeroBuffer.length < size) zeroBuffer = new Uint8Array(size);
  return zeroBuffer.subarray(0, size);
}

/** Code ranges of an image: executable sections, minus `$d` data regions marked by mapping symbols. */
export function codeRanges(image: ElfImage): { address: number; bytes: Uint8Array }[] {
  const SHF_EXECINSTR = 0x4;
  const out: { address: number; bytes: Uint8Array }[] = [];
  for (const sec of image.sections) {
    if (!(sec.flags & SHF_EXECINSTR) || sec.size === 0) continue;
    const bytes = sectionBytes(image, sec.addr, sec.size);
    if (!bytes) continue;
    const marks = image.mappingSymbols.filter((m) => m.address >= sec.addr && m.address < sec.addr + sec.size);
    if (marks.length === 0) {
      out.push({ address: sec.addr, bytes });
      continue;
    }
    for (let i = 0; i < marks.length; i++) {
      if (marks[i].kind !== 't') continue;
      const end = i + 1 < marks.length ? marks[i + 1].address : sec.addr + sec.size;
      out.push({ address: marks[i].address, bytes: bytes.subarray(marks[i].address - sec.addr, end - sec.addr) });
    }
  }
  return out;
}

function sectionBytes(image: ElfImage, addr: number, size: number): Uint8Array | null {
  for (const seg of image.segments) {
    if (addr >= seg.vaddr && addr + size <= seg.vaddr + seg.data.length) return seg.data.subarray(addr - seg.vaddr, addr - seg.vaddr + size);
  }
  return null;
}
