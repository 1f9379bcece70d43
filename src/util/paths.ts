import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the sim-dse checkout (the folder holding package.json), from src/ or dist/. */
export const projectRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The shared data folder (`../shared` beside the checkout) when it exists.
 * `SIM_DSE_SHARED` overrides it.
 */
export function sharedDir(): string | undefined {
  const env = process.env.SIM_DSE_SHARED;
  if (env) return resolve(env);
  const guess = resolve(projectRoot, '..', 'shared');
  return existsSync(guess) ? guess : undefined;
}
