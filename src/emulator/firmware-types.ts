import type { CallFault, CycleBreakdown } from './call-types.js';

/** What {@link Machine.runFirmware} runs. */
export interface FirmwareRequest {
  /** Stop with a fault result after this many instructions (default 2e9). */
  readonly maxInstructions?: number;
}

/**
 * Firmware that stopped the way firmware ends in the emulator: it executed
 * `bkpt` (any immediate) or `wfi`. No interrupt is modelled, so nothing is
 * ever pending and a `wfi` never wakes up: either one ends the run.
 */
export interface FirmwareOk {
  readonly kind: 'ok';
  /** The instruction that ended the run. */
  readonly stop: 'bkpt' | 'wfi';
  /** Address of that instruction. */
  readonly pc: number;
  /** Bytes written to the UART data registers, one character per byte (latin1). */
  readonly uart: string;
  /** Cycles from reset to the end, the stopping instruction included. */
  readonly cycles: number;
  readonly instructions: number;
  /** r0..r15 at the end (unsigned 32-bit). */
  readonly registers: readonly number[];
  readonly breakdown: CycleBreakdown;
}

/** Firmware that faulted, ran into the instruction limit or stopped unexpectedly. */
export interface FirmwareFault extends CallFault {
  /** What the firmware printed before it stopped. */
  readonly uart: string;
}

/** Result of {@link Machine.runFirmware}, a tagged union on `kind`. */
export type FirmwareResult = FirmwareOk | FirmwareFault;
