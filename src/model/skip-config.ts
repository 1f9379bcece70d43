/**
 * Skip configuration files: which weights of which layers an approximate
 * model leaves out. Format (JSON, version 1):
 *
 * ```json
 * { "version": 1,
 *   "model": "resnet8",
 *   "masks": { "0": "<base64>", "4": "<base64>" } }
 * ```
 *
 * `model` is the model's name (manifest name, or file name without extension).
 * Each key of `masks` is the index of a maskable operator (CONV_2D,
 * DEPTHWISE_CONV_2D, FULLY_CONNECTED) in the model's operator list; the value
 * is the base64 of the mask bytes: one byte per weight of that operator's
 * weight tensor, in the tensor's storage order (see `SkipMask` in ir.ts),
 * 1 = skipped (the weight counts as zero), 0 = kept. Operators not listed are
 * exact.
 */
import { readFileSync } from 'node:fs';
import { FileError } from '../util/errors.js';
import { ModelError } from './errors.js';
import { isMaskable, type Graph, type SkipMask, type SkipMasks } from './ir.js';

/** Version written and accepted. */
export const SKIP_CONFIG_VERSION = 1;

/** Weights a mask skips (0 for none). */
export function skippedCount(mask: SkipMask | null | undefined): number {
  let n = 0;
  if (mask) for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

/** Weights skipped by all the masks of a configuration together (0 for none). */
export function skippedWeights(masks: SkipMasks | null | undefined): number {
  let n = 0;
  for (const m of masks?.values() ?? []) n += skippedCount(m);
  return n;
}

/** Number of weights (mask entries) of operator `opIndex`, or throws when it is not maskable. */
export function maskLength(graph: Graph, opIndex: number): number {
  const op = graph.ops[opIndex];
  if (!op) throw new ModelError(`${graph.name}: operator ${opIndex} does not exist (the model has ${graph.ops.length})`);
  if (!isMaskable(op)) throw new ModelError(`${graph.name}: operator ${opIndex} (${op.kind}) is not maskable; only CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED are`);
  return graph.tensors[op.inputs[1]].shape.reduce((a, b) => a * b, 1);
}

/**
 * Validates skip configuration JSON text against a graph and returns the masks.
 * @param source file name for error messages
 */
export function parseSkipConfig(text: string, graph: Graph, source: string): SkipMasks {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ModelError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ModelError(`${source}: expected a JSON object`);
  const d = doc as Record<string, unknown>;
  if (d.version !== SKIP_CONFIG_VERSION) {
    throw new ModelError(`${source}: version ${JSON.stringify(d.version)} is not supported (expected ${SKIP_CONFIG_VERSION})`);
  }
  if (d.model !== graph.name) {
    throw new ModelError(`${source}: written for model ${JSON.stringify(d.model)}, not ${JSON.stringify(graph.name)}`);
  }
  if (typeof d.masks !== 'object' || d.masks === null || Array.isArray(d.masks)) {
    throw new ModelError(`${source}: "masks" must be an object {"<operator index>": "<base64>"}`);
  }
  const masks = new Map<number, SkipMask>();
  for (const [key, value] of Object.entries(d.masks as Record<string, unknown>)) {
    if (!/^(0|[1-9][0-9]*)$/.test(key)) throw new ModelError(`${source}: mask key ${JSON.stringify(key)} is not an operator index`);
    const opIndex = Number(key);
    const where = `${source}: mask of operator ${opIndex}`;
    let expected: number;
    try {
      expected = maskLength(graph, opIndex);
    } catch (err) {
      throw new ModelError(`${source}: ${(err as Error).message.replace(`${graph.name}: `, '')}`);
    }
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
      throw new ModelError(`${where} is not a base64 string`);
    }
    const bytes = new Uint8Array(Buffer.from(value, 'base64'));
    if (bytes.length !== expected) {
      throw new ModelError(`${where} has ${bytes.length} bytes, but the layer has ${expected} weights`);
    }
    const bad = bytes.findIndex((b) => b > 1);
    if (bad >= 0) throw new ModelError(`${where}: byte ${bad} is ${bytes[bad]} (expected 0 = kept or 1 = skipped)`);
    masks.set(opIndex, bytes);
  }
  return masks;
}

/** Reads and validates a skip configuration file (see the module comment for the format). */
export function readSkipConfig(path: string, graph: Graph): SkipMasks {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FileError(`cannot read skip configuration ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseSkipConfig(text, graph, path);
}

/** Serialises masks as skip configuration JSON text (keys in operator order). */
export function formatSkipConfig(graph: Graph, masks: SkipMasks): string {
  const entries = [...masks.entries()].sort((a, b) => a[0] - b[0]);
  for (const [opIndex, mask] of entries) {
    const n = maskLength(graph, opIndex);
    if (mask.length !== n) throw new ModelError(`${graph.name}: mask of operator ${opIndex} has ${mask.length} entries, expected ${n}`);
  }
  const obj = {
    version: SKIP_CONFIG_VERSION,
    model: graph.name,
    masks: Object.fromEntries(entries.map(([k, m]) => [String(k), Buffer.from(m).toString('base64')])),
  };
  return `${JSON.stringify(obj, null, 2)}\n`;
}
