/**
 * `sim-dse run --compensate` on the real LeNet: the store records the
 * compensation, every point's top-1 is the engine's on the compensated
 * graph (and not the plain masks'), two runs give the same store, a resume
 * without the flag is refused (a cluster run: explore-cluster-compensate); `--metric obs`
 * ranks the pairs by their error after refitting.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executeRun } from '../src/explore/run/execute.js';
import { planRun, type RunOptions } from '../src/explore/run/plan.js';
import { sharedDir } from '../src/util/paths.js';
import { resolveModel } from '../src/model/registry.js';
import { files } from './helpers/run-files.js';
import { generatedModels } from './helpers/generated-models.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));

/** A grid over conv_2d#1 and #3 with SMLAD pairs: 9 points on 1,000 images, the analytic latency. */
const base: RunOptions = {
  model: 'lenet', layers: '1,3', levels: '0,0.1,0.3', skipUnit: 'pair', search: 'grid', images: '1000', fullImages: '1000',
  latency: 'macs', seedGrid: false, id: 'r', threads: '2',
};
// grid order: conv_2d#1 at 0, 10, 30 %, each with conv_2d#3 at 0, 10, 30 %
const PLAIN = [715, 717, 704, 692, 694, 688, 512, 515, 495];
const COMP = [715, 718, 715, 717, 716, 711, 690, 690, 691];
// the same grid ranked by --metric obs (compensated)
const OBS = [715, 719, 713, 720, 715, 715, 710, 709, 706];
// weights skipped per layer (all five listed): conv_2d#1 at 0, 10, 30 % of 864, conv_2d#3 of 18,432 (whole pairs)
const SKIPPED = [0, 86, 258].flatMap((a) => [0, 1821, 5460].map((b) => [a, b, 0, 0, 0]));
const rowsOf = (dir: string): { correct: number; layers: { skipped: number }[] }[] =>
  readFileSync(join(dir, 'points.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe.skipIf(!have)('run --compensate', () => {
  it('stores compensated top-1, deterministically; refuses a resume without the flag', async () => {
    const plain = await executeRun(planRun({ ...base, out: mkdtempSync(join(tmpdir(), 'dse-plain-')) }));
    const a = await executeRun(planRun({ ...base, compensate: true, out: mkdtempSync(join(tmpdir(), 'dse-comp-a-')) }));
    const b = await executeRun(planRun({ ...base, compensate: true, out: mkdtempSync(join(tmpdir(), 'dse-comp-b-')) }));
    expect([plain.kind, a.kind, b.kind]).toEqual(['complete', 'complete', 'complete']);
    expect(files(b.dir)).toEqual(files(a.dir));
    expect(JSON.parse(readFileSync(join(a.dir, 'config.json'), 'utf8')).compensation).toEqual({ damping: 0.01 });
    expect(JSON.parse(readFileSync(join(plain.dir, 'config.json'), 'utf8')).compensation).toBeUndefined();
    // the same masks (skipped counts equal), other weights: correct of 1,000 per grid point
    const [p, c] = [rowsOf(plain.dir), rowsOf(a.dir)];
    expect(c.map((r) => r.layers.map((l) => l.skipped))).toEqual(p.map((r) => r.layers.map((l) => l.skipped)));
    expect(p.map((r) => r.correct)).toEqual(PLAIN);
    expect(c.map((r) => r.correct)).toEqual(COMP);
    expect(readFileSync(join(a.dir, 'report.md'), 'utf8')).toContain('| compensation | kept weights and bias of each masked layer refitted by least squares over the 128 calibration images');
    await expect(executeRun(planRun({ ...base, out: join(a.dir, '..') }))).rejects.toThrow(/compensation/);
  });

  it('ranks SMLAD pairs by OBS saliency with --metric obs: the same grid keeps more top-1 at 30 %', async () => {
    const obs = await executeRun(planRun({ ...base, compensate: true, metric: 'obs', out: mkdtempSync(join(tmpdir(), 'dse-obs-')) }));
    expect(obs.kind).toBe('complete');
    const rows = rowsOf(obs.dir);
    expect(rows.map((r) => r.correct)).toEqual(OBS);
    expect(rows.map((r) => r.layers.map((l) => l.skipped))).toEqual(SKIPPED);
    expect(JSON.parse(readFileSync(join(obs.dir, 'config.json'), 'utf8')).metric).toBe('obs');
    expect(readFileSync(join(obs.dir, 'report.md'), 'utf8')).toContain('| significance | obs (Optimal Brain Surgeon saliency of SMLAD pairs after refitting, greedy per channel), from 128 calibration images (data_batch_1) |');
  });

  it('refuses --metric obs without --compensate', () => {
    expect(() => planRun({ ...base, metric: 'obs', out: tmpdir() })).toThrow('--metric obs ranks skip units by the error left after refitting the kept weights: use it with --compensate');
  });

  it('is refused for a space with a depthwise layer, accepted without it', () => {
    const { mobilenet } = generatedModels();
    const ops = resolveModel(mobilenet).graph.ops;
    const firstDepthwise = ops.findIndex((o) => o.kind === 'DEPTHWISE_CONV_2D');
    const convs = ops.flatMap((o, i) => (o.kind === 'CONV_2D' ? [i] : []));
    const o = { model: mobilenet, latency: 'macs', compensate: true, out: tmpdir() };
    expect(() => planRun(o)).toThrow(`--compensate: layer ${firstDepthwise} (DEPTHWISE_CONV_2D) of the default space cannot be refitted (CONV_2D and FULLY_CONNECTED only); leave it out with --layers`);
    expect(planRun({ ...o, layers: convs.join(','), levels: '0,0.1' }).config.compensation).toEqual({ damping: 0.01 });
  });
});
