/**
 * Configurations go to worker lanes by prefix (src/explore/pool/lanes.ts) and the lane evaluator
 * (laneEvaluator in accuracy-pool.ts) runs each lane's share in chunks, lends a lane's last chunks to a
 * lane that ran out, and cuts the full test set into one part per lane; the bench evaluates one part of
 * an image set (accuracy-bench.ts partRange).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointBudget, createAccuracyBench, partRange, type ImagePart, type ImageSet, type MaskList } from '../src/explore/pool/accuracy-bench.js';
import { laneEvaluator, prefixOrder } from '../src/explore/pool/accuracy-pool.js';
import { assignLanes } from '../src/explore/pool/lanes.js';
import type { SkipMask, SkipMasks } from '../src/model/ir.js';
import { resolveModel } from '../src/model/registry.js';
import { sharedDir } from '../src/util/paths.js';

const m = (...b: number[]): SkipMask => Uint8Array.from(b);
const A = m(1, 0);
const B = m(0, 1);
const C = m(1, 1);

describe('lanes by prefix', () => {
  it('keeps a prefix on the lane it went to before while that lane has room', () => {
    const homes = new Map<string, number>();
    // ops 1 and 3 are the prefix; op 5 varies
    const batch1: MaskList[] = [
      [[1, A], [3, A], [5, A]],
      [[1, A], [3, A], [5, B]],
      [[1, B], [3, A]],
      [[1, B], [3, A], [5, C]],
    ];
    const first = assignLanes(batch1, prefixOrder(batch1), 2, homes);
    // prefix order (masks as bytes: absent < 01 < 10): the B/A prefix first, to lane 0, which it fills
    expect(first).toEqual([[2, 3], [1, 0]]);
    const batch2: MaskList[] = [
      [[1, A], [3, A], [5, C]],
      [[1, B], [3, A], [5, B]],
      [[1, A], [3, A]],
      [[1, C], [3, C]],
    ];
    // the A/A prefix goes home to lane 1, B/A to lane 0, the new C/C prefix to the lane with room
    expect(assignLanes(batch2, prefixOrder(batch2), 2, homes)).toEqual([[1, 3], [2, 0]]);
    expect(homes.size).toBe(3);
  });

  it('gives each lane at most its share, whatever the homes', () => {
    const homes = new Map<string, number>();
    const same: MaskList[] = Array.from({ length: 5 }, () => [[1, A]]);
    const lanes = assignLanes(same, [0, 1, 2, 3, 4], 2, homes);
    expect(lanes.map((l) => l.length)).toEqual([3, 2]);
    expect(assignLanes(same, [0, 1, 2, 3, 4], 2, homes)).toEqual([[0, 1, 2], [3, 4]]);
  });
});

describe('checkpoint budget', () => {
  it('gives each worker an eighth of the memory shared between them, between 192 MiB and 1 GiB for the search set', () => {
    const MiB = 2 ** 20;
    const GiB = 2 ** 30;
    expect(checkpointBudget(24 * GiB, 2)).toEqual({ search: 1024 * MiB, full: 682 * MiB });
    expect(checkpointBudget(8 * GiB, 4)).toEqual({ search: 256 * MiB, full: 170 * MiB });
    expect(checkpointBudget(2 * GiB, 2)).toEqual({ search: 192 * MiB, full: 128 * MiB });
    expect(checkpointBudget(64 * GiB, 16)).toEqual({ search: 512 * MiB, full: 341 * MiB });
  });
});

describe('lane evaluator', () => {
  const masks = (k: number): SkipMasks => new Map([[1, m(k & 1, (k >> 1) & 1)], [3, m(k % 3 === 0 ? 1 : 0, 0)]]);
  const value = (list: MaskList): number => list.reduce((s, [op, mk]) => s + op * 10 * (mk[0] + 2 * mk[1]), 0);

  it('returns every configuration its own count, in the batch order, whichever lane ran it', async () => {
    const seen: { lane: number; n: number }[] = [];
    const evaluate = laneEvaluator(async (lane, _set, points) => {
      seen.push({ lane, n: points.length });
      // lane 1 is slow: lane 0 takes its last chunks
      await new Promise((r) => setTimeout(r, lane === 1 ? 20 : 1));
      return points.map(value);
    }, 2);
    const configs = Array.from({ length: 24 }, (_, k) => masks(k));
    const got = await Promise.all(evaluate('search', configs));
    expect(got).toEqual(configs.map((c) => value([...c.entries()])));
    expect(seen.reduce((s, x) => s + x.n, 0)).toBe(24);
    // 12 configurations each, in chunks of 2: 12 chunks; the slow lane ran fewer than its 6
    expect(seen.length).toBe(12);
    expect(seen.every((x) => x.n === 2)).toBe(true);
    expect(seen.filter((x) => x.lane === 1).length).toBeLessThan(6);
  });

  it('cuts each full-set configuration into one part of the images per lane and adds the counts', async () => {
    const parts: (ImagePart | undefined)[] = [];
    const evaluate = laneEvaluator(async (lane, set: ImageSet, points, part) => {
      expect(set).toBe('full');
      expect(part?.index).toBe(lane);
      parts.push(part);
      return points.map((p) => value(p) + lane);
    }, 3);
    const got = await Promise.all(evaluate('full', [masks(1), masks(2)]));
    expect(got).toEqual([3 * value([...masks(1).entries()]) + 3, 3 * value([...masks(2).entries()]) + 3]);
    expect(parts).toEqual([0, 1, 2, 0, 1, 2].map((index) => ({ index, of: 3 })));
  });

  it('rejects the configurations of a failed chunk and of the chunks not yet run', async () => {
    const evaluate = laneEvaluator(async () => {
      throw new Error('worker died');
    }, 2);
    const got = await Promise.allSettled(evaluate('search', Array.from({ length: 10 }, (_, k) => masks(k))));
    expect(got.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'worker died')).toBe(true);
  });
});

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));

describe.skipIf(!have)('image parts on LeNet', () => {
  it('splits a set into near-equal contiguous parts whose correct counts add up to the whole', () => {
    expect(partRange(1000, { index: 0, of: 3 })).toEqual([0, 333]);
    expect(partRange(1000, { index: 2, of: 3 })).toEqual([666, 1000]);
    expect(partRange(1000)).toEqual([0, 1000]);
    const model = resolveModel('lenet');
    const bench = createAccuracyBench({ modelBytes: model.bytes, modelName: model.name, preprocess: model.preprocess, searchImages: 60, fullImages: 500 });
    const mask: MaskList = [[3, Uint8Array.from({ length: 18432 }, (_, i) => (i % 4 === 0 ? 1 : 0))]];
    const whole = bench.run({ set: 'full', points: [[], mask] });
    const parts = [0, 1].map((index) => bench.run({ set: 'full', points: [[], mask], part: { index, of: 2 } }));
    expect(parts[0].map((c, i) => c + parts[1][i])).toEqual(whole);
    expect(whole[0]).toBe(346); // exact LeNet: 346 of the first 500 test images
  });
});
