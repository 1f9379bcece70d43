/** The piscina worker of createFirmwareTimer (./timing-pool.ts): times one firmware per task (see timeFittingFirmware). */
export { timeFittingFirmware as default } from './image-timing.js';
