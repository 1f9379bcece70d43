import type { InsnClass } from './thumb/insn.js';

/**
 * An argument of an emulated call: a number goes into the next argument
 * register as is (two's complement for negatives); a byte buffer is copied
 * into SRAM, its address goes into the register, and its contents after the
 * call come back in {@link CallOk.buffers}, in argument order.
 */
export type CallArg = number | Uint8Array;

/** What to call. */
export interface CallRequest {
  /** Function symbol in the ELF (Thumb bit handled by the harness). */
  readonly symbol: string;
  /** Up to four arguments (r0..r3). */
  readonly args?: readonly CallArg[];
  /** Stop with a fault result after this many instructions (default 2e9). */
  readonly maxInstructions?: number;
}

/** Where the cycles of a call went. Sums to {@link CallOk.cycles}. */
export interface CycleBreakdown {
  /** Core pipeline cycles by instruction class, zero-wait-state memory. */
  readonly byClass: Readonly<Partial<Record<InsnClass, number>>>;
  /** Instructions executed by class. */
  readonly countByClass: Readonly<Partial<Record<InsnClass, number>>>;
  /** Pipeline refills after taken branches and PC writes. */
  readonly branchPenalty: number;
  /** Stalls waiting for instruction fetch from flash (wait states not hidden by the ART). */
  readonly fetchStalls: number;
  /** Stalls of data loads from flash (constants) that missed the ART data cache. */
  readonly dataStalls: number;
  /** Operand-dependent extra cycles of SDIV/UDIV beyond the table's base cost. */
  readonly divideExtra: number;
}

/** A call that returned. */
export interface CallOk {
  readonly kind: 'ok';
  /** r0 at return. */
  readonly returnValue: number;
  /** r0..r15 at return (unsigned 32-bit). */
  readonly registers: readonly number[];
  /** Contents of each buffer argument after the call, in argument order. */
  readonly buffers: readonly Uint8Array[];
  readonly cycles: number;
  readonly instructions: number;
  readonly breakdown: CycleBreakdown;
}

/** A call that did not return normally. */
export interface CallFault {
  readonly kind: 'fault';
  readonly reason: 'memory' | 'undefined-instruction' | 'instruction-limit' | 'exception';
  /** PC of the faulting instruction (or where the limit was hit). */
  readonly pc: number;
  /** Faulting data address for memory faults; null otherwise. */
  readonly address: number | null;
  /** One line: what happened, where. */
  readonly message: string;
  readonly cycles: number;
  readonly instructions: number;
}

/** Result of an emulated call, as a tagged union on `kind`. */
export type CallResult = CallOk | CallFault;
