import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialGenomes, rowEvaluation } from '../src/explore/run/search-phase.js';
import type { PointRow } from '../src/explore/store/rows.js';
import { configurationFromLevels } from '../src/explore/space/index.js';
import { planRun, workerCount } from '../src/explore/run/plan.js';
import { sharedDir } from '../src/util/paths.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));

describe.skipIf(!have)('run plans', () => {
  it('default LeNet run: NSGA-II over 5 layers x 10 fractions, 1,000 + 10,000 images, the seed grid beside it', () => {
    const p = planRun({ model: 'lenet', latency: 'macs', threads: '2' });
    expect(p.config.search).toEqual({ strategy: 'nsga2', budget: 1000, population: 50, seed: 1, maxLoss: 10, sensitivity: true });
    expect(planRun({ model: 'lenet', latency: 'macs', threads: '2', sensitivity: false }).config.search.sensitivity).toBeUndefined();
    expect(planRun({ model: 'lenet', latency: 'macs', threads: '2', search: 'grid', levels: '0,0.1', layers: '3' }).config.search.sensitivity).toBeUndefined();
    expect(p.config.images).toEqual({ search: 1000, full: 10000, dataset: 'cifar10 test_batch.bin' });
    expect(p.space.layers.map((l) => l.opIndex)).toEqual([1, 3, 5, 7, 8]);
    expect(p.seedGridSpace!.layers.map((l) => [l.opIndex, l.levels.length])).toEqual([[3, 11], [5, 11]]);
    expect([p.config.seedGrid, p.threads, p.board.id, p.stopAfter]).toEqual([true, 2, 'nucleo-f446re', null]);
    expect(p.dir).toMatch(/\/runs\/lenet-[0-9a-f]{10}$/);
  });

  it('--threads beyond the CPUs starts one worker per CPU (no oversubscription)', () => {
    expect([workerCount(16, 2), workerCount(2, 2), workerCount(1, 2), workerCount(4, 8), workerCount(3, 0)]).toEqual([2, 2, 1, 4, 1]);
    const p = planRun({ model: 'lenet', latency: 'macs', threads: '256' });
    expect([p.threads, p.workers]).toEqual([256, workerCount(256)]);
  });

  it('the seed-grid preset alone is a 121-point grid with nothing beside it', () => {
    const p = planRun({ model: 'lenet', preset: 'seed-grid', latency: 'macs' });
    expect([p.config.search.strategy, p.config.search.budget, p.config.metric, p.seedGridSpace]).toEqual(['grid', 121, 'seed', null]);
  });

  it('--skip-unit pair: every configuration of the space skips whole SMLAD pairs, and the run directory differs', () => {
    const p = planRun({ model: 'lenet', latency: 'macs', skipUnit: 'pair' });
    expect(p.space.unit).toBe('pair');
    expect(configurationFromLevels(p.space, [1, 0, 0, 0, 0]).unit).toBe('pair');
    expect(p.dir).not.toBe(planRun({ model: 'lenet', latency: 'macs' }).dir);
    expect(planRun({ model: 'lenet', latency: 'macs', skipUnit: 'weight' }).space.unit).toBeUndefined();
    expect(() => planRun({ model: 'lenet', skipUnit: 'tap' })).toThrow('--skip-unit "tap": expected weight, pair or sparse');
  });

  it('rejects contradictory or out-of-range options', () => {
    expect(() => planRun({ model: 'lenet', preset: 'default', levels: '0,0.1' })).toThrow('--preset cannot be combined with --kind, --layers or --levels');
    expect(() => planRun({ model: 'lenet', images: '2000', fullImages: '1000' })).toThrow('--images: 2000 is out of range (1 to 1000)');
    expect(() => planRun({ model: 'lenet', latency: 'stopwatch' })).toThrow("--latency: 'stopwatch' is not one of macs") // (more sources follow as they are registered);
    expect(() => planRun({ model: 'lenet', preset: 'seed-grid', metric: 'magnitude' })).toThrow('--metric magnitude: the seed-grid preset uses the seed metric');
    expect(() => planRun({ model: 'lenet', seed: '-1' })).toThrow('--seed: -1 is out of range (0 to 4294967295)');
    expect(() => planRun({ model: 'lenet', maxLoss: '0' })).toThrow('--max-loss: 0 is out of range (more than 0, at most 100)');
    expect(() => planRun({ model: 'lenet', board: 'arduino' })).toThrow("unknown board 'arduino'");
  });
});

describe('NSGA-II seeds', () => {
  it('start from the exact configuration and every uniform level', () => {
    const space = { name: 's', metric: 'contribution' as const, kind: 'fraction' as const, layers: [{ opIndex: 1, levels: [0, 0.5] }, { opIndex: 3, levels: [0, 0.2, 0.4] }] };
    expect(initialGenomes(space)).toEqual([[0, 0], [1, 1], [1, 2]]);
  });
});

describe('search objectives', () => {
  it('maximise correct, minimise cycles; loss beyond the limit and flash overflow violate', () => {
    const row = (correct: number, fits: boolean) => ({ correct, images: 1000, cycles: 500, fits }) as PointRow;
    expect(rowEvaluation(row(700, true), 750, 10)).toEqual({ objectives: [-700, 500], violation: 0 });
    expect(rowEvaluation(row(600, true), 750, 10)).toEqual({ objectives: [-600, 500], violation: 5 });
    expect(rowEvaluation(row(760, false), 750, 10)).toEqual({ objectives: [-760, 500], violation: 100 });
  });
});
