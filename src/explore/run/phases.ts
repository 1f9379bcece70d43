/**
 * The phases of a run, in the order they run: the one list to change to add
 * a phase (see ./phase.ts for the interface and the resume rule).
 */
import { finalPhase } from './final-phase.js';
import { firmwarePhase } from './firmware-phase.js';
import type { RunPhase } from './phase.js';
import { referencesPhase } from './references-phase.js';
import { reportPhase } from './report-phase.js';
import { searchPhase, seedGridPhase } from './search-phase.js';

/** Every phase of a run, in order. */
export const RUN_PHASES: readonly RunPhase[] = [referencesPhase, searchPhase, seedGridPhase, finalPhase, firmwarePhase, reportPhase];
