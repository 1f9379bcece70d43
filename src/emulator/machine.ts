import koffi from 'koffi';
import { SimDseError } from '../util/errors.js';
import type { BoardProfile, MemoryRegion } from './board.js';
import type { CallOk, CallRequest, CallResult, CycleBreakdown } from './call-types.js';
import { type ElfImage, checkSegmentsFit, findSymbol } from './elf.js';
import { type BlockCost, type FlashGeometry, costBlock } from './timing/block-cost.js';
import { type Special, findSpecials } from './timing/specials.js';
import type { InsnClass } from './thumb/insn.js';
import {
  UC_ERR,
  UC_HOOK_BLOCK,
  UC_HOOK_CODE,
  UC_HOOK_INTR,
  UC_HOOK_MEM_INVALID,
  UC_HOOK_MEM_READ,
  UC_PROT_ALL,
  coreRegId,
} from './unicorn/constants.js';
import { type CyclesApi, type Ptr, cyclesApi } from './unicorn/ffi.js';
import { Unicorn } from './unicorn/unicorn.js';

/** Where the called function returns to: a `wfi` that stops emulation (STM32 system memory area). */
const RETURN_TRAMPOLINE = 0x1fff0000;
const TRAMPOLINE_PAGE = 0x1000;
/** Thumb `wfi` (0xbf30), twice. */
const TRAMPOLINE_CODE = Uint8Array.from([0x30, 0xbf, 0x30, 0xbf]);
const PAGE = 0x1000;
const DEFAULT_MAX_INSTRUCTIONS = 2e9;
const STACK_RESERVE = 16 * 1024;
const SPECIAL_KIND = { extra: 1, sdiv: 2, udiv: 3 } as const;
const COUNTERS = 12;

/** Options of {@link Machine.call}. */
export interface CallOptions {
  /** Run the call once before measuring, so the ART caches are warm (as on a board after a warm-up run). */
  readonly warm?: boolean;
}

const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;
const hex = (x: number): string => `0x${(x >>> 0).toString(16).padStart(8, '0')}`;

/**
 * An ELF loaded into an emulated Cortex-M4 of a given board, with the cycle
 * model attached. Functions are called by symbol name; each call starts from
 * the image's initial RAM contents, with cold caches unless `warm`.
 */
export class Machine {
  readonly image: ElfImage;
  readonly board: BoardProfile;
  readonly label: string;
  private readonly uc: Unicorn;
  private readonly native: CyclesApi;
  private readonly state: Ptr;
  private readonly missCallback: bigint;
  private readonly blocks: BlockCost[] = [];
  private readonly dynamicAddrs = new Set<number>();
  private readonly specialClass = new Map<number, InsnClass>();
  private readonly flash: FlashGeometry | null;
  private readonly sram: MemoryRegion;
  private readonly ramSegments: { address: number; bytes: Uint8Array }[] = [];
  private readonly heapStart: number;
  private closed = false;

  /** Loads `image` (already parsed; `label` names it in messages) into a fresh emulator for `board`. */
  constructor(image: ElfImage, board: BoardProfile, label: string) {
    checkSegmentsFit(image, board, label);
    this.image = image;
    this.board = board;
    this.label = label;
    const flashRegion = board.regions.find((r) => r.kind === 'flash');
    const sram = board.regions.find((r) => r.kind === 'sram');
    if (!flashRegion || !sram) throw new SimDseError('board', `board '${board.id}' needs a flash and an sram region`);
    this.sram = sram;
    this.flash = { base: flashRegion.base, size: flashRegion.size, lineBytes: board.flashLineBytes };
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
    this.missCallback = koffi.register((addr: number, size: number) => this.defineBlock(addr, size), koffi.pointer(this.native.missCallbackType));
    this.native.sim_set_miss_callback(this.state, this.missCallback);
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
    if (this.closed) throw new SimDseError('unicorn', `machine for ${this.label} is closed`);
    const symbol = findSymbol(this.image, request.symbol);
    const entry = symbol.value & ~1;
    if (options.warm) {
      const first = this.run(entry, request, false);
      if (first.kind === 'fault') return first;
    }
    return this.run(entry, request, Boolean(options.warm));
  }

  /** Reads emulated memory (e.g. a result buffer after a call, before the next call restores RAM). */
  readMemory(address: number, length: number): Uint8Array {
    return this.uc.read(address, length);
  }

  /** Releases the emulator and the native state. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.uc.close();
    this.native.sim_free(this.state);
    koffi.unregister(this.missCallback);
  }

  private run(entry: number, request: CallRequest, keepCaches: boolean, tracing = false): CallResult {
    const args = request.args ?? [];
    if (args.length > 4) throw new SimDseError('usage', `at most 4 register arguments, got ${args.length}`);
    for (const seg of this.ramSegments) this.uc.write(seg.address, seg.bytes);
    const stackTop = (this.sram.base + this.sram.size) & ~7;
    let cursor = alignUp(this.heapStart, 8);
    const placed: { address: number; length: number }[] = [];
    const regs = new Uint32Array(16);
    args.forEach((arg, i) => {
      if (typeof arg === 'number') {
        regs[i] = arg >>> 0;
        return;
      }
      if (cursor + arg.length > stackTop - STACK_RESERVE) {
        throw new SimDseError('usage', `buffer arguments do not fit in ${this.board.id}'s SRAM (${arg.length} bytes for argument ${i})`);
      }
      this.uc.write(cursor, arg);
      regs[i] = cursor;
      placed.push({ address: cursor, length: arg.length });
      cursor = alignUp(cursor + arg.length, 8);
    });
    regs[13] = stackTop;
    regs[14] = RETURN_TRAMPOLINE | 1;
    this.native.sim_write_core(this.uc.ptr, regs);
    this.native.sim_set_limit(this.state, request.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS);
    this.native.sim_reset(this.state, keepCaches ? 1 : 0);
    const err = this.uc.start(entry, RETURN_TRAMPOLINE + TRAMPOLINE_CODE.length);
    const counters = new Float64Array(COUNTERS);
    this.native.sim_counters(this.state, counters);
    const [cycles, instructions, fetchStalls, dataStalls, branchPenalty, , limitHit, faultKind, faultAddress, intno] = counters;
    const pc = faultKind === 1 && !tracing ? this.faultingPc(entry, request) : this.uc.readCore(15);
    const fault = (reason: 'memory' | 'undefined-instruction' | 'instruction-limit' | 'exception', address: number | null, what: string): CallResult => ({
      kind: 'fault',
      reason,
      pc,
      address,
      message: `${this.label}: ${request.symbol}: ${what} at pc ${hex(pc)}`,
      cycles,
      instructions,
    });
    if (limitHit) return fault('instruction-limit', null, `stopped after ${instructions} instructions (limit ${request.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS})`);
    if (err !== UC_ERR.OK || faultKind !== 0 || pc < RETURN_TRAMPOLINE || pc > RETURN_TRAMPOLINE + TRAMPOLINE_CODE.length) {
      if (faultKind === 1 || (err >= UC_ERR.READ_UNMAPPED && err <= UC_ERR.FETCH_UNMAPPED) || (err >= UC_ERR.WRITE_PROT && err <= UC_ERR.FETCH_PROT)) {
        return fault('memory', faultAddress, `invalid memory access to ${hex(faultAddress)} (${this.uc.describe(err)})`);
      }
      if (err === UC_ERR.INSN_INVALID) return fault('undefined-instruction', null, 'undefined instruction');
      if (faultKind === 2) return fault('exception', null, `exception ${intno} (${intno === 1 ? 'undefined instruction' : intno === 7 ? 'breakpoint' : 'CPU exception'})`);
      return fault('exception', null, `emulation stopped unexpectedly (${this.uc.describe(err)})`);
    }
    const buffers = placed.map((p) => this.uc.read(p.address, p.length));
    this.native.sim_read_core(this.uc.ptr, regs);
    const registers = Array.from(regs);
    // The breakdown is aggregated only when read (reporting), from counts snapshotted now.
    const counts = this.snapshotCounts();
    let breakdown: CycleBreakdown | undefined;
    const result = { kind: 'ok', returnValue: registers[0], registers, buffers, cycles, instructions } as const;
    return Object.defineProperty(result, 'breakdown', {
      enumerable: true,
      get: () => (breakdown ??= this.breakdown(counts, fetchStalls, dataStalls, branchPenalty)),
    }) as unknown as CallOk;
  }

  /**
   * Replays a call that hit a memory fault with a per-instruction trace hook
   * (Unicorn reports the block's first PC) and returns the faulting instruction's address.
   */
  private faultingPc(entry: number, request: CallRequest): number {
    this.uc.flushTranslations();
    const hook = this.uc.addNativeHook(UC_HOOK_CODE, this.native.sim_trace_hook_fn(), this.state);
    try {
      this.run(entry, request, false, true);
      const counters = new Float64Array(COUNTERS);
      this.native.sim_counters(this.state, counters);
      return counters[11];
    } finally {
      this.uc.deleteHook(hook);
      this.uc.flushTranslations();
    }
  }

  private snapshotCounts(): { exec: Float64Array; specialAddr: Float64Array; specialExtra: Float64Array } {
    const n = this.blocks.length;
    if (this.execBuffer.length < n) {
      this.execBuffer = new Float64Array(n * 2);
      this.takenBuffer = new Float64Array(n * 2);
    }
    this.native.sim_block_counts(this.state, n, this.execBuffer, this.takenBuffer);
    const exec = this.execBuffer.slice(0, n);
    const ns = this.dynamicAddrs.size + this.divides;
    if (ns === 0) return { exec, specialAddr: new Float64Array(0), specialExtra: new Float64Array(0) };
    const specialAddr = new Float64Array(ns);
    const specialExtra = new Float64Array(ns);
    this.native.sim_special_counts(this.state, ns, specialAddr, new Float64Array(ns), specialExtra);
    return { exec, specialAddr, specialExtra };
  }

  private execBuffer = new Float64Array(0);
  private takenBuffer = new Float64Array(0);

  private breakdown(
    counts: { exec: Float64Array; specialAddr: Float64Array; specialExtra: Float64Array },
    fetchStalls: number,
    dataStalls: number,
    branchPenalty: number,
  ): CycleBreakdown {
    const { exec, specialAddr, specialExtra } = counts;
    const byClass: Partial<Record<InsnClass, number>> = {};
    const countByClass: Partial<Record<InsnClass, number>> = {};
    for (let b = 0; b < exec.length; b++) {
      if (!exec[b]) continue;
      const block = this.blocks[b];
      for (const [cls, cyc] of Object.entries(block.classCycles) as [InsnClass, number][]) byClass[cls] = (byClass[cls] ?? 0) + cyc * exec[b];
      for (const [cls, cnt] of Object.entries(block.classCounts) as [InsnClass, number][]) countByClass[cls] = (countByClass[cls] ?? 0) + cnt * exec[b];
    }
    let divideExtra = 0;
    for (let i = 0; i < specialAddr.length; i++) {
      const cls = this.specialClass.get(specialAddr[i]);
      if (cls === 'div') divideExtra += specialExtra[i];
      else if (cls) byClass[cls] = (byClass[cls] ?? 0) + specialExtra[i];
    }
    return { byClass, countByClass, branchPenalty, fetchStalls, dataStalls, divideExtra };
  }

  private divides = 0;

  private defineBlock(addr: number, size: number): void {
    let cost: BlockCost;
    if ((addr & ~1) === RETURN_TRAMPOLINE) {
      cost = { address: addr, size, instructions: 0, base: 0, takenPenalty: 0, endKind: 0, lineCycles: new Uint16Array(0), classCycles: {}, classCounts: {} };
    } else {
      cost = costBlock(this.uc.read(addr, size), addr, this.board.flashWaitStates > 0 ? this.flash : null, (a) => this.dynamicAddrs.has(a));
    }
    const id = this.native.sim_define_block(
      this.state, cost.address, cost.size, cost.base, cost.instructions, cost.takenPenalty, cost.endKind, cost.lineCycles, cost.lineCycles.length,
    );
    if (id !== this.blocks.length) throw new SimDseError('unicorn', `cycle model block table out of step at ${hex(addr)}`);
    this.blocks.push(cost);
  }

  private mapMemory(): void {
    for (const region of this.board.regions) {
      if (region.kind === 'peripheral') continue;
      this.uc.map(region.base, alignUp(region.size, PAGE), UC_PROT_ALL);
    }
    this.uc.map(RETURN_TRAMPOLINE, TRAMPOLINE_PAGE, UC_PROT_ALL);
    this.uc.write(RETURN_TRAMPOLINE, TRAMPOLINE_CODE);
  }

  /** Writes every PT_LOAD segment; remembers the RAM ones to restore before each call. Returns the end of RAM data. */
  private loadSegments(): number {
    let ramEnd = this.sram.base;
    for (const seg of this.image.segments) {
      if (seg.memsz === 0) continue;
      const bytes = new Uint8Array(seg.memsz);
      bytes.set(seg.data.subarray(0, Math.min(seg.data.length, seg.memsz)));
      this.uc.write(seg.paddr, bytes);
      const inRam = this.board.regions.some((r) => r.kind !== 'flash' && seg.vaddr >= r.base && seg.vaddr < r.base + r.size);
      if (inRam) {
        // initialised data is copied to its run address (vaddr) by startup code on a board; here directly
        this.ramSegments.push({ address: seg.vaddr, bytes });
        if (seg.vaddr >= this.sram.base && seg.vaddr < this.sram.base + this.sram.size) ramEnd = Math.max(ramEnd, seg.vaddr + seg.memsz);
      }
    }
    return ramEnd;
  }

  private installHooks(): void {
    const n = this.native;
    const specials: Special[] = [];
    for (const range of codeRanges(this.image)) specials.push(...findSpecials(range.bytes, range.address));
    for (const s of specials) {
      if (s.kind === 'extra') {
        n.sim_add_special(this.state, s.address, SPECIAL_KIND.extra, s.extra, 0, 0);
        this.dynamicAddrs.add(s.address);
        this.specialClass.set(s.address, s.cls);
      } else {
        n.sim_add_special(this.state, s.address, SPECIAL_KIND[s.kind], 0, coreRegId(s.rn), coreRegId(s.rm));
        this.specialClass.set(s.address, 'div');
        this.divides++;
      }
    }
    n.sim_sort_specials(this.state);
    this.uc.addNativeHook(UC_HOOK_BLOCK, n.sim_block_hook_fn(), this.state);
    for (const s of specials) this.uc.addNativeHook(UC_HOOK_CODE, n.sim_code_hook_fn(), this.state, s.address, s.address);
    if (this.flash && this.board.flashWaitStates > 0) {
      this.uc.addNativeHook(UC_HOOK_MEM_READ, n.sim_mem_read_hook_fn(), this.state, this.flash.base, this.flash.base + this.flash.size - 1);
    }
    this.uc.addNativeHook(UC_HOOK_MEM_INVALID, n.sim_unmapped_hook_fn(), this.state);
    this.uc.addNativeHook(UC_HOOK_INTR, n.sim_intr_hook_fn(), this.state);
  }
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
