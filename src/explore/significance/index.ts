/**
 * Significance metrics of operands of maskable layers: definitions
 * (./accumulate.ts), computation on calibration images (./compute.ts),
 * the disk cache (./cache.ts).
 */
export { SIGNIFICANCE_METRICS, metricNeedsData, parseMetric, type SignificanceMetric } from './metric.js';
export { layoutOf, operandIndex, pairPartner, type LayerKind, type LayerLayout } from './layout.js';
export { layerSignificance, type LayerSignificance, type ModelSignificance } from './types.js';
export { computeSignificance, maskableLayers } from './compute.js';
export { calibrationInputs, CALIBRATION_FILE, DEFAULT_CALIBRATION_IMAGES } from './calibration.js';
export { graphHash, significanceKey, SIGNIFICANCE_VERSION } from './key.js';
export { decodeSignificance, encodeSignificance, type DecodeResult, type StoredLayer, type StoredSignificance } from './cache-format.js';
export { cacheFileName, loadSignificance, significanceCacheDir, type LoadedSignificance, type SignificanceRequest, type SignificanceSource } from './cache.js';
export { significanceForModel, type ModelSignificanceOptions } from './for-model.js';
