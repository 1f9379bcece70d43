/**
 * `firmware.json`: what an exported project holds, for the commands that
 * use it later (emulate-firmware, validate): the board, the network's
 * layers, the embedded images' labels, and where the point came from with
 * the cycles the DSE predicted for it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileError, SimDseError } from '../util/errors.js';
import type { Prediction } from './validate.js';

/** Format version written and accepted. */
export const MANIFEST_VERSION = 1;

/** File name of the manifest inside an exported project. */
export const MANIFEST_FILE = 'firmware.json';

/** The design point a firmware was exported from. */
export interface PointOrigin {
  readonly run: string;
  readonly point: number;
  readonly model: string;
}

/** Contents of firmware.json. */
export interface FirmwareManifest {
  readonly version: typeof MANIFEST_VERSION;
  readonly board: string;
  readonly layers: readonly string[];
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly labels: readonly number[];
  /** Paths (relative to the project) of the built images. */
  readonly elf: { readonly board: string; readonly qemu: string };
  readonly origin: PointOrigin | null;
  /** The DSE's cycle prediction for this network on this board. */
  readonly predicted: Prediction | null;
  /** The reference engine's predicted class of each embedded image, when known. */
  readonly expected: readonly number[] | null;
}

/** The manifest as JSON text (stable key order). */
export function formatManifest(m: FirmwareManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** Reads and checks `DIR/firmware.json`. */
export function readManifest(dir: string): FirmwareManifest {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FileError(`${dir} is not an exported firmware project: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: Partial<FirmwareManifest>;
  try {
    doc = JSON.parse(text) as Partial<FirmwareManifest>;
  } catch (err) {
    throw new SimDseError('firmware', `${path}: not valid JSON (${(err as Error).message})`);
  }
  if (doc.version !== MANIFEST_VERSION) throw new SimDseError('firmware', `${path}: version ${JSON.stringify(doc.version)} is not supported (expected ${MANIFEST_VERSION})`);
  if (typeof doc.board !== 'string' || !Array.isArray(doc.layers) || !Array.isArray(doc.labels) || typeof doc.elf?.board !== 'string' || typeof doc.elf?.qemu !== 'string') {
    throw new SimDseError('firmware', `${path}: missing board, layers, labels or elf`);
  }
  return doc as FirmwareManifest;
}
