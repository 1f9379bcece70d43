/**
 * The emulated provider's exact references and its points' whole-firmware timings are indexed by what
 * they are computed from (src/explore/evaluate/references-index.ts, firmware-index.ts): a key changes
 * with every input that changes the result and not with the order a map was filled in; an entry reads
 * back as written, and a malformed one reads as missing (computed again and overwritten).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { firmwareIndexKey, imagesHash, indexedFirmware, storeFirmware } from '../src/explore/evaluate/firmware-index.js';
import { indexedReferences, referencesKey, storeReferences, type ExactReferences } from '../src/explore/evaluate/references-index.js';
import { getFirmwareBoard } from '../src/firmware/firmware-boards.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import { resolveModel } from '../src/model/registry.js';
import { writeJsonEntry } from '../src/util/json-entries.js';
import { sharedDir } from '../src/util/paths.js';
import { useTemporaryCache } from './helpers/temp-cache.js';

const cache = useTemporaryCache('sim-dse-indexes-');
const shared = sharedDir();
const have = compilerVersion() !== null && !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite'));

describe.skipIf(!have)('references and firmware indexes', () => {
  const model = () => resolveModel('lenet');

  test('a references key follows the graph, the input and the board; entries round-trip, malformed ones read as missing', () => {
    const prepared = prepareGraph(model().graph);
    const input = new Uint8Array(3072).fill(7);
    const f446 = getBoard('nucleo-f446re');
    const key = referencesKey(prepared, input, f446);
    expect(referencesKey(prepareGraph(model().graph), input.slice(), f446)).toBe(key);
    expect(referencesKey(prepared, input, getBoard('nucleo-l4r5zi'))).not.toBe(key);
    expect(referencesKey(prepared, new Uint8Array(3072).fill(8), f446)).not.toBe(key);
    // one weight of the first conv changed (on a copy)
    const conv = prepared.ops.findIndex((op) => op.kind === 'conv');
    const weights = Int8Array.from((prepared.ops[conv] as { weights: Int8Array }).weights);
    weights[0] ^= 1;
    const edited = { ...prepared, ops: prepared.ops.map((op, i) => (i === conv ? { ...op, weights } : op)) };
    expect(referencesKey(edited, input, f446)).not.toBe(key);

    const refs: ExactReferences = {
      baseline: { cycles: 7_795_392, flashBytes: 172_000 },
      unpackedExact: { built: false, flashEstimate: 1_400_000 },
      overhead: 41_234,
      baseFlash: 60_000,
      libraryFlash: 9_000,
      fixedSram: 40_000,
    };
    expect(indexedReferences(key)).toBeNull();
    storeReferences(key, refs);
    expect(indexedReferences(key)).toEqual(refs);
    expect(existsSync(join(cache, 'cache', 'references', key.slice(0, 2), `${key}.json`))).toBe(true);
    writeJsonEntry('references', key, { ...refs, baseline: { cycles: -1, flashBytes: 1 } });
    expect(indexedReferences(key)).toBeNull();
  });

  test('a firmware key follows the masks, kernels, placement, images and board, not the order of the maps', () => {
    const prepared = prepareGraph(model().graph);
    const mask = Uint8Array.from({ length: 18_432 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const images = { inputs: [new Uint8Array(3072), new Uint8Array(3072).fill(1)], labels: [3, 8] };
    const point = {
      prepared,
      masks: new Map([[3, mask], [1, new Uint8Array(864)]]),
      kernels: new Map([[3, 'unpacked' as const], [1, 'baseline' as const]]),
      images: imagesHash(images),
      board: getFirmwareBoard('nucleo-f446re'),
    };
    const key = firmwareIndexKey(point);
    expect(firmwareIndexKey({ ...point, masks: new Map([[1, new Uint8Array(864)], [3, mask.slice()]]), kernels: new Map([[1, 'baseline' as const], [3, 'unpacked' as const]]) })).toBe(key);
    const other = mask.slice();
    other[1] = 1;
    const differ = [
      { ...point, masks: new Map([[3, other], [1, new Uint8Array(864)]]) },
      { ...point, kernels: new Map([[3, 'baseline' as const], [1, 'baseline' as const]]) },
      { ...point, placement: new Map([['layer_3', { code: 'sram' as const, data: 'flash' as const }]]) },
      { ...point, images: imagesHash({ ...images, labels: [3, 9] }) },
      { ...point, board: getFirmwareBoard('nucleo-l4r5zi') },
    ];
    expect(new Set(differ.map(firmwareIndexKey)).size).toBe(differ.length);
    expect(differ.map(firmwareIndexKey)).not.toContain(key);

    const tooLarge = { kind: 'too-large' as const, reason: 'region FLASH overflowed by 2048 bytes' };
    expect(indexedFirmware(key)).toBeNull();
    storeFirmware(key, tooLarge);
    expect(indexedFirmware(key)).toEqual(tooLarge);
    const timed = { kind: 'timed' as const, timing: { board: 'nucleo-f446re', images: 2, flashBytes: 180_000, inference: [6_551_877, 6_551_901], layers: [{ name: 'conv_2d#1', cycles: [1_000, 1_000] }] } };
    storeFirmware(key, timed);
    expect(indexedFirmware(key)).toEqual(timed);
    writeJsonEntry('firmware-index', key, { ...timed, timing: { ...timed.timing, inference: [6_551_877] } });
    expect(indexedFirmware(key)).toBeNull();
  });
});
