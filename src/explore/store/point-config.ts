/**
 * Reading a stored point back as a configuration: what `export`, `validate`
 * and the final phase need to rebuild a point's masks exactly as the run
 * did (same configuration, same metric, same calibration images).
 */
import { parseConfigurationJson, type Configuration } from '../space/config.js';
import type { PointRow } from './rows.js';

/** The configuration of a stored row (rows hold the space module's configuration JSON). */
export function rowConfiguration(row: Pick<PointRow, 'id' | 'config'>): Configuration {
  return parseConfigurationJson(JSON.stringify(row.config), `point ${row.id}`);
}
