/**
 * The pre-compile fit check (kernels/network/size-estimate.ts) applied to an
 * exported firmware: the network's estimated flash plus the embedded images
 * and the firmware around the network, its SRAM (arena, scratch, input and
 * output buffers) with the firmware's own stack reserve instead of the call
 * harness's. A firmware refused here would fail to link; nothing is compiled.
 */
import type { SizeEstimate } from '../kernels/network/size-estimate.js';
import { fitVerdict } from '../kernels/network/size-estimate.js';
import { SimDseError } from '../util/errors.js';
import type { FirmwareBoard } from './firmware-boards.js';
import { STACK_RESERVE } from './link-script.js';

/** Flash of the firmware around the network: startup, board support, line printers, main (measured: under 3 KB). */
export const FIRMWARE_FLASH_OVERHEAD = 4096;

/** The size estimate of a firmware: `network` (estimated from its sources) with `imageBytes` of embedded images. */
export function firmwareEstimate(network: SizeEstimate, imageBytes: number): SizeEstimate {
  return {
    ...network,
    flash: network.flash + imageBytes + FIRMWARE_FLASH_OVERHEAD,
    stack: STACK_RESERVE,
    sram: network.sram - network.stack + STACK_RESERVE,
  };
}

/**
 * Refuses, before anything is compiled, a firmware that cannot fit the board.
 * @throws SimDseError (kind `too-large`), one line naming what does not fit
 */
export function checkFirmwareFits(network: SizeEstimate, imageBytes: number, board: FirmwareBoard, what: string): void {
  const v = fitVerdict(firmwareEstimate(network, imageBytes), board.profile);
  if (v.fits === 'no') throw new SimDseError('too-large', `${what} cannot fit ${board.profile.id} (checked before compiling): ${v.reason}`, { unit: what, region: v.region, bytesOver: v.bytesOver });
}
