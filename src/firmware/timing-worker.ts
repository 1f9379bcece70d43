/** The piscina worker of createFirmwareTimer (./timing-pool.ts): times one firmware per task, its board resolved at entry (see timeTask). */
export { timeTask as default } from './timing-pool.js';
