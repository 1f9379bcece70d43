/** The piscina worker of {@link createFirmwareTimer}: times one firmware per task. */
import { type FirmwareTimingOutcome, timeFittingFirmware } from './image-timing.js';
import type { ProjectRequest } from './export.js';

/** Times the firmware of `request` (see timeFittingFirmware). */
export default function timeTask(request: ProjectRequest): Promise<FirmwareTimingOutcome> {
  return timeFittingFirmware(request);
}
