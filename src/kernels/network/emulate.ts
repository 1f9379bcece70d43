/**
 * Runs a network image in the emulator: `sim_infer` on an int8 input, the
 * int8 output back, total cycles of the call and per-layer cycles from the
 * DWT marks the runtime records.
 */
import type { CycleBreakdown } from '../../emulator/call-types.js';
import { Machine } from '../../emulator/machine.js';
import { SimDseError } from '../../util/errors.js';
import { withRoomToPlace } from '../placement/fit.js';
import { withLargeFlash, type NetworkImage } from './build.js';

/** One emulated inference. */
export interface NetworkRun {
  readonly output: Uint8Array;
  /** Cycles of the whole `sim_infer` call. */
  readonly cycles: number;
  readonly instructions: number;
  /** Cycles of each layer (from the DWT marks), in layer order. */
  readonly layerCycles: readonly number[];
  readonly breakdown: CycleBreakdown;
}

/** An emulator holding one network image; infer() as often as needed, then close(). */
export class NetworkRunner {
  private readonly machine: Machine;
  private readonly marksAddress: number;
  readonly image: NetworkImage;

  constructor(image: NetworkImage) {
    this.image = image;
    // An image that does not fit the part still runs, on the same timing with a larger flash (and SRAM, when linked so).
    const large = withLargeFlash(image.board);
    const board = image.roomInSram ? withRoomToPlace(large) : image.fit.fits ? image.board : large;
    this.machine = new Machine(image.image, board, image.image.fileName);
    const marks = image.image.symbols.get('sim_marks');
    if (!marks) throw new SimDseError('kernels', `${image.image.fileName}: no sim_marks symbol (not a sim-dse network image)`);
    this.marksAddress = marks.value;
  }

  /** One inference; `warm` runs it once before measuring (caches warm, as after a firmware warm-up run). */
  infer(input: Uint8Array, warm = true): NetworkRun {
    const { plan } = this.image.source;
    if (input.byteLength !== plan.inputBytes) {
      throw new SimDseError('kernels', `network input has ${input.byteLength} bytes, expected ${plan.inputBytes}`);
    }
    const r = this.machine.call({ symbol: 'sim_infer', args: [input, new Uint8Array(plan.outputBytes)] }, { warm });
    if (r.kind === 'fault') throw new SimDseError('fault', `${this.image.image.fileName}: sim_infer ${r.message}`, { unit: this.image.image.fileName, pc: r.pc, address: r.address });
    const n = plan.layers.length;
    const raw = this.machine.readMemory(this.marksAddress, 4 * (n + 1));
    const marks = new Uint32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const layerCycles = Array.from({ length: n }, (_, k) => (marks[k + 1] - marks[k]) >>> 0);
    return { output: r.buffers[1], cycles: r.cycles, instructions: r.instructions, layerCycles, breakdown: r.breakdown };
  }

  close(): void {
    this.machine.close();
  }
}
