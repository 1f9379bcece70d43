/**
 * An index in front of the layer-variant cost cache. costVariant's cache key
 * hashes the generated layer source, so even a cached variant costs a full
 * code generation (0.7-0.9 s for a large LeNet layer) on the main thread: in
 * a warm run that was most of the serial time. The index maps what the source
 * is generated from (the prepared operator's parameters and weights, style,
 * mask, inputs, board, compiler, flags, kernel C library, and the code of the
 * generators themselves) straight to the cost, so a warm lookup hashes a few
 * arrays and reads one small file.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { cycleModelHash } from '../../emulator/cycle-model-hash.js';
import { libraryHash } from '../../kernels/compile/compile.js';
import { CFLAGS, requireCompiler } from '../../kernels/compile/toolchain.js';
import type { LayerEmitters } from '../../kernels/network/assemble.js';
import { boardKey, costVariant, isVariantCost, variantPlacementKey, type VariantCost, type VariantRequest } from '../../kernels/variant-cost.js';
import { hashCodeTree } from '../../util/code-hash.js';
import { hashedJson } from '../../util/hashed-json.js';
import { readJsonEntry, writeJsonEntry } from '../../util/json-entries.js';

/** Folders whose code generates (kernels) or prepares (model) what a variant is compiled from. */
const GENERATOR_DIRS = ['../../kernels', '../../model'].map((d) => fileURLToPath(new URL(d, import.meta.url)));

let generatorsMemo: string | undefined;

/** Hash of the generators' code (read once per process): a changed emitter never reads an old entry. */
export function generatorsHash(): string {
  if (generatorsMemo === undefined) {
    const h = createHash('sha256');
    for (const dir of GENERATOR_DIRS) hashCodeTree(h, dir);
    generatorsMemo = h.digest('hex');
  }
  return generatorsMemo;
}

/** Index key of a request: every input of the generated source and of its cost, without generating it. */
export function variantIndexKey(request: VariantRequest): string {
  const h = createHash('sha256');
  const op = hashedJson(request.op);
  for (const part of ['variant-index 3', variantPlacementKey(request.placement), requireCompiler(), CFLAGS.join(' '), boardKey(request.board), libraryHash(), generatorsHash(), cycleModelHash(), request.style, op, String(request.outputBytes)]) {
    h.update(part).update('\0');
  }
  h.update(request.mask ?? 'exact').update('\0');
  for (const x of request.inputs) h.update(x).update('\0');
  return h.digest('hex');
}

/** The indexed cost of `request`, or null when the index has none (nothing generated, compiled or run). */
export function indexedVariantCost(request: VariantRequest): VariantCost | null {
  return readJsonEntry('variant-index', variantIndexKey(request), isVariantCost);
}

/** costVariant through the index: a hit returns the stored cost without generating the layer's source. */
export async function indexedCostVariant(request: VariantRequest, emitters: LayerEmitters): Promise<VariantCost> {
  const key = variantIndexKey(request);
  const cached = readJsonEntry('variant-index', key, isVariantCost);
  if (cached !== null) return cached;
  const cost = await costVariant(request, emitters);
  // A variant refused by its flash limit was not measured: nothing to remember (the key has no limit).
  if (cost.tooLarge !== true) writeJsonEntry('variant-index', key, cost);
  return cost;
}
