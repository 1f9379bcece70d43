import type { ThumbInsn } from '../thumb/insn.js';

/**
 * Memory-system rules of the Cortex-M4 bus interfaces, as data: what an
 * instruction fetch or a data access costs beyond the core timing of
 * table.ts, by the bus that serves it. Flash wait states and the ART are
 * the board profile's (native/cycles.c); these rules hold on every board.
 *
 * Sources: Arm Cortex-M4 TRM r0p1 (DDI 0439) section 2.3.1 "Bus interfaces"
 * (I-Code, D-Code, System interface), section 3.3.2 "Load/store timings";
 * RM0390 (STM32F446) section 2.1/2.3 and RM0432 (STM32L4R5) section 2.1/2.2
 * (bus matrix, memory map, SRAM2 alias).
 */
export interface MemoryRule {
  readonly id: string;
  /** Cycles the rule charges (per unit it names). */
  readonly cycles: number;
  readonly source: string;
}

/** The rules, by id. */
export const MEMORY_RULES = {
  /**
   * Code at 0x2000_0000 and up is fetched over the System bus, one 32-bit word per fetch; fetch
   * requests there are registered, so each takes two cycles and two cannot be back to back: the
   * fetch unit delivers at most one word per 2 cycles. A block of W words needs at least 2W cycles.
   */
  systemBusFetchWord: {
    id: 'system-bus-fetch-word',
    cycles: 2,
    source:
      'TRM 2.3.1 System interface: "instruction fetch requests to this bus are registered ... instructions fetched ' +
      'from the System bus take two cycles ... back-to-back instruction fetches from the System bus are not possible"',
  },
  /** The registered fetch adds one cycle of latency to the first fetch of a block (its branch target). */
  systemBusFetchLatency: {
    id: 'system-bus-fetch-latency',
    cycles: 1,
    source: 'TRM 2.3.1 System interface: registering the fetch request "results in an additional cycle of latency"',
  },
  /**
   * Data accesses and fetches share the System bus; data wins arbitration, so each data transfer
   * to the System bus in a block fetched over it delays the block's fetch stream by one cycle.
   * Data read from the code region (flash constants, the SRAM2 alias) goes over D-Code instead and
   * does not contend; the native model counts those reads at run time and leaves them out.
   */
  systemBusDataContention: {
    id: 'system-bus-data-contention',
    cycles: 1,
    source:
      'TRM 2.3.1 System interface: "for simultaneous accesses to this bus, the arbitration order in decreasing ' +
      'priority is: data accesses, instruction and vector fetches, debug"; RM0390 2.1 / RM0432 2.1 bus matrix (S-bus)',
  },
  /**
   * Code in the code region (flash, the L4 SRAM2 alias at 0x1000_0000) is fetched over I-Code, in
   * parallel with data on D-Code: from zero-wait SRAM at the core timing alone.
   */
  codeBusSram: {
    id: 'code-bus-sram',
    cycles: 0,
    source: 'RM0432 2.2.1 and table 3: SRAM2 aliased at 0x1000_0000, reached by the I-Code/D-Code buses, zero wait states',
  },
  /**
   * Unaligned single loads and stores (LDR, LDRH, LDRSH, STR, STRH; the only ones the M4 allows
   * unaligned: LDRD/STRD/LDM/STM/VLDR fault) are split by the bus interface into aligned
   * transactions, one more cycle per extra transaction. Charged at run time by the native data
   * access hook (native/cycles.c, unaligned_hook), into the data stalls. Each extra transaction
   * also occupies the bus for a cycle, which the block's own extra cycle pays for: a block fetched
   * over the System bus settles its fetch stall against its base cycles unchanged.
   */
  unalignedHalfword: {
    id: 'unaligned-halfword',
    cycles: 1,
    source:
      'TRM r0p1 3.3.2 Load/store timings: "a byte aligned halfword load or store adds one extra cycle to perform ' +
      'the operation as two bytes"; TRM 2.3.1/3.3: unaligned accesses become several aligned bus transactions',
  },
  unalignedWordHalfwordAligned: {
    id: 'unaligned-word-halfword-aligned',
    cycles: 1,
    source: 'TRM r0p1 3.3.2 Load/store timings: "a halfword aligned word load or store adds one extra cycle to perform the operation as two halfwords"',
  },
  unalignedWordByteAligned: {
    id: 'unaligned-word-byte-aligned',
    cycles: 2,
    source:
      'TRM r0p1 3.3.2 Load/store timings: "a byte-aligned word load or store adds two extra cycles to perform the ' +
      'operation as a byte, a halfword, and a byte"',
  },
} as const satisfies Readonly<Record<string, MemoryRule>>;

/** Whether a fetch from `address` goes over the System bus (TRM 2.3.1: 0x2000_0000 and up). */
export function fetchedOverSystemBus(address: number): boolean {
  return address >>> 0 >= 0x2000_0000;
}

/** What a block fetched over the System bus needs from it. */
export interface SystemBusDemand {
  /** Cycles the fetch stream alone takes: 2 per fetched word plus the first fetch's latency. */
  readonly fetchCycles: number;
  /** Data words the block's instructions transfer (each delays the fetch stream by a cycle when on the S-bus). */
  readonly dataTransfers: number;
}

/** Fetch and data demand of the block of `size` bytes at `address` holding `insns`. Pure. */
export function systemBusDemand(address: number, size: number, insns: readonly ThumbInsn[]): SystemBusDemand {
  const firstWord = Math.floor(address / 4);
  const lastWord = Math.floor((address + size - 1) / 4);
  const words = size > 0 ? lastWord - firstWord + 1 : 0;
  let dataTransfers = 0;
  for (const i of insns) dataTransfers += i.regCount;
  return {
    fetchCycles: words * MEMORY_RULES.systemBusFetchWord.cycles + MEMORY_RULES.systemBusFetchLatency.cycles,
    dataTransfers: dataTransfers * MEMORY_RULES.systemBusDataContention.cycles,
  };
}

/**
 * Extra cycles of one data access of `size` bytes at `address` for its alignment (rules
 * unaligned-*): 0 for bytes and aligned accesses. Pure; the native hook applies the same table.
 */
export function unalignedPenalty(address: number, size: number): number {
  if (size === 2) return address & 1 ? MEMORY_RULES.unalignedHalfword.cycles : 0;
  if (size !== 4 || (address & 3) === 0) return 0;
  return address & 1 ? MEMORY_RULES.unalignedWordByteAligned.cycles : MEMORY_RULES.unalignedWordHalfwordAligned.cycles;
}

/** The unaligned penalties as the native model takes them: [halfword at an odd address, word at 2 mod 4, word at an odd address]. */
export function unalignedPenaltyTable(): Uint32Array {
  return Uint32Array.from([unalignedPenalty(1, 2), unalignedPenalty(2, 4), unalignedPenalty(1, 4)]);
}
