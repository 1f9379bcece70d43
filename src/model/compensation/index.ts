/**
 * Compensation of skipped weights: least-squares updates of the kept weights
 * and bias of each masked layer over calibration activations (./compensate.ts).
 */
export { cholesky, choleskySolve, spdInverse } from './spd.js';
export { reductionGram, type ReductionGram } from './gram.js';
export { compensateLayer, gramInverse, DEFAULT_DAMPING, type CompensatedLayer, type GramInverse } from './compensate.js';
export { compensableLayers, compensatedGraph, computeCompensation, layerInverses } from './model.js';
export { compensationDigest, compensationRefit, refittedLayer, type Compensation } from './refit.js';
export { obsSaliency, GREEDY_FRACTION } from './saliency.js';
