/**
 * The configuration space: per-layer settings (./config.ts), discrete spaces
 * and their enumeration (./space.ts), presets (./presets.ts), masks of a
 * configuration (./masks.ts) and option parsers (./parse.ts).
 */
export {
  canonicalConfiguration,
  checkConfiguration,
  checkSettingValue,
  configurationHash,
  configurationId,
  configurationJson,
  parseConfigurationJson,
  type Configuration,
  type LayerSetting,
  type SettingKind,
  type SkipUnit,
} from './config.js';
export {
  buildSpace,
  checkLevels,
  configurationAt,
  configurationFromLevels,
  convOps,
  DEFAULT_FRACTION_LEVELS,
  levelsAt,
  maskableOps,
  SEED_THRESHOLD_LEVELS,
  spaceSize,
  type ConfigSpace,
  type SpaceLayer,
  type SpaceOptions,
} from './space.js';
export { PRESETS, presetSpace, type PresetName, type PresetOptions } from './presets.js';
export { layerMask, masksFor } from './masks.js';
export { skippedCount } from '../../model/skip-config.js';
export { parseLayers, parseLevels, parseSettingKind } from './parse.js';
