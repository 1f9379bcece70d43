/**
 * The compensation's disk cache (src/explore/significance/compensation-cache.ts)
 * on the real LeNet: computed once, then read back bit for bit (the same
 * digest as computing it again); a damaged file is recomputed and replaced;
 * another damping or other calibration images are another file.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compensationDigest, computeCompensation } from '../src/model/compensation/index.js';
import { resolveModel } from '../src/model/registry.js';
import { calibrationInputs } from '../src/explore/significance/calibration.js';
import { decodeCompensation, encodeCompensation, loadCompensation } from '../src/explore/significance/compensation-cache.js';
import { sharedDir } from '../src/util/paths.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'datasets', 'cifar10', 'data_batch_1.bin')) && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite'));

describe.skipIf(!have)('compensation cache', () => {
  const model = have ? resolveModel('lenet') : null!;
  const inputs = have ? calibrationInputs(model.graph, model.preprocess, 16) : [];

  it('computes once, then reads the same inverses back (same digest as a fresh computation)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dse-comp-cache-'));
    const first = loadCompensation(model.graph, inputs, 0.01, dir);
    const second = loadCompensation(model.graph, inputs, 0.01, dir);
    expect([first.source.kind, second.source.kind]).toEqual(['computed', 'cache']);
    expect(second.path).toBe(first.path);
    expect(first.path).toMatch(/\/lenet\S*-n16-[0-9a-f]{16}\.comp$/);
    const fresh = compensationDigest(computeCompensation(model.graph, inputs, 0.01));
    expect(compensationDigest(second.compensation)).toBe(fresh);
    expect(compensationDigest(first.compensation)).toBe(fresh);
    expect([...second.compensation.inverses.keys()].sort((a, b) => a - b)).toEqual([1, 3, 5, 7, 8]);
    expect([second.compensation.calibration, second.compensation.damping]).toEqual([16, 0.01]);
    // another damping, fewer images: other files
    loadCompensation(model.graph, inputs, 0.02, dir);
    loadCompensation(model.graph, inputs.slice(0, 8), 0.01, dir);
    expect(readdirSync(dir).filter((f) => f.endsWith('.comp'))).toHaveLength(3);
  });

  it('recomputes and replaces a damaged file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dse-comp-bad-'));
    const good = loadCompensation(model.graph, inputs, 0.01, dir);
    const bytes = readFileSync(good.path);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 100] ^= 1; // one bit of the last inverse
    writeFileSync(good.path, flipped);
    const again = loadCompensation(model.graph, inputs, 0.01, dir);
    expect(again.source).toEqual({ kind: 'recomputed', reason: 'checksum differs' });
    expect(readFileSync(good.path).equals(bytes)).toBe(true);
    writeFileSync(good.path, bytes.subarray(0, 20));
    expect(loadCompensation(model.graph, inputs, 0.01, dir).source).toEqual({ kind: 'recomputed', reason: 'not a compensation file' });
  });

  it('decodes what it encodes; refuses bytes that are not a compensation file', () => {
    const c = computeCompensation(model.graph, inputs.slice(0, 4), 0.01);
    const bytes = encodeCompensation('k', c);
    const back = decodeCompensation(bytes);
    expect(back.kind === 'ok' && back.key).toBe('k');
    expect(back.kind === 'ok' && compensationDigest(back.value)).toBe(compensationDigest(c));
    expect(decodeCompensation(new Uint8Array(8))).toEqual({ kind: 'corrupt', reason: 'not a compensation file' });
  });
});
