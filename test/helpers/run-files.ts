import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file of a run directory, by name (sorted), with its text. */
export function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}
