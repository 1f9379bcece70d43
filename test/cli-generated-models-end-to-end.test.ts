/**
 * Issue 16 end to end on models other than the shared two, written by the
 * project's own .tflite writer (scripts/generate-models.mjs): the 128x128x3
 * MobileNet-style model (depthwise, PAD, MEAN; CIFAR-10 images resized
 * bilinear) and ResNet-14 (deeper than ResNet-8) go through eval, profile,
 * build, run, export and emulate-firmware on nucleo-f446re and
 * nucleo-l4r5zi, on real CIFAR-10 images. `run` twice: a 100-configuration
 * search with the analytic latency (fast), and an emulated grid of two
 * points on one layer (compiled variants, per-layer kernel choice, the
 * whole-firmware phase) whose fastest front point is exported for each
 * board, built and emulated from reset.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { cli } from './helpers/cli.js';
import { SHARED } from './helpers/engine-fixtures.js';
import { generatedModels } from './helpers/generated-models.js';

const have = compilerVersion() !== null && existsSync(join(SHARED, 'datasets', 'cifar10', 'test_batch.bin'));
const BOARDS = ['nucleo-f446re', 'nucleo-l4r5zi'] as const;

/** Lines of a run store file of one board (0 when it is missing). */
const rows = (dir: string, board: string, file: string): unknown[] => {
  const path = join(dir, board, file);
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown) : [];
};

describe.skipIf(!have)('generated models end to end on both boards', () => {
  const cases = [
    // name, its operators' layer count in a profile, the maskable layer the emulated grid varies,
    // eval's top-1 line on the first 20 CIFAR-10 test images (the generator's weights are seeded: untrained, near chance)
    { name: 'mobilenet', model: 'mobilenet-128', layers: 11, layer: '7', top1: 'top-1     10.00 % (2 / 20)' },
    { name: 'resnet14', model: 'resnet14', layers: 24, layer: '12', top1: 'top-1     5.00 % (1 / 20)' },
  ] as const;
  for (const c of cases) {
    it(`${c.model}: eval, profile, build, run (budget 100 analytic; emulated grid), export and emulate-firmware on ${BOARDS.join(' and ')}`, async () => {
      const model = generatedModels()[c.name];
      const dir = mkdtempSync(join(tmpdir(), `sim-dse-e2e-${c.name}-`));
      const runs = join(dir, 'runs');

      const ev = await cli(['eval', '--model', model, '--images', '20']);
      expect(ev.code).toBe(0);
      expect(ev.out.split('\n').filter((l) => l.startsWith('top-1'))).toEqual([c.top1]);

      const prof = await cli(['profile', '--model', model, '--board', BOARDS.join(','), '--kernels', 'baseline', '--place', 'flash', '--json']);
      expect(prof.code).toBe(0);
      const profiles = JSON.parse(prof.out) as { board: string; fits: boolean; matchesEngine: boolean; layers: unknown[] }[];
      expect(profiles.map((p) => [p.board, p.fits, p.matchesEngine, p.layers.length])).toEqual(BOARDS.map((b) => [b, true, true, c.layers]));

      for (const board of BOARDS) {
        const built = await cli(['build', '--model', model, '--board', board, '--kernels', 'baseline', '--json']);
        expect(built.code).toBe(0);
        expect(JSON.parse(built.out)).toMatchObject({ model: c.model, board, kernels: 'baseline', fits: true, layers: c.layers });
      }

      const small = ['--images', '20', '--full-images', '20', '--calibration', '5', '--threads', '2', '--out', runs, '--board', BOARDS.join(',')];
      const macs = await cli(['run', '--model', model, '--latency', 'macs', '--budget', '100', ...small, '--id', 'macs']);
      expect(macs.err.split('\n').filter((l) => l.startsWith('sim-dse:') && !l.startsWith('sim-dse: note:'))).toEqual([]);
      expect(macs.code).toBe(0);
      for (const board of BOARDS) expect(rows(join(runs, 'macs'), board, 'points.jsonl').length).toBeGreaterThanOrEqual(100);

      const grid = ['--kind', 'fraction', '--layers', c.layer, '--levels', '0,0.5', '--search', 'grid', '--budget', '2', '--max-loss', '100', '--no-seed-grid'];
      const emu = await cli(['run', '--model', model, ...grid, ...small, '--id', 'emu']);
      expect(emu.err.split('\n').filter((l) => l.startsWith('sim-dse:') && !l.startsWith('sim-dse: note:'))).toEqual([]);
      expect(emu.code).toBe(0);

      for (const board of BOARDS) {
        const front = JSON.parse(readFileSync(join(runs, 'emu', board, 'front.json'), 'utf8')) as { front: { id: number; hash: string; cycles: number }[] };
        const fastest = [...front.front].sort((a, b) => a.cycles - b.cycles)[0];
        // the run timed its front as whole firmware on this board: the point builds there
        const timed = rows(join(runs, 'emu'), board, 'firmware.jsonl') as { hash: string; kind: string }[];
        expect(timed.find((t) => t.hash === fastest.hash)?.kind).toBe('timed');
        const fw = join(dir, `fw-${board}`);
        const exported = await cli(['export', '--runs', runs, '--run', 'emu', '--point', String(fastest.id), '--board', board, '--out', fw, '--images', '2']);
        expect(exported.code).toBe(0);
        expect(exported.out).toContain(`(${c.model}) for ${board}, ${c.layers} layers, 2 test images`);
        const run = await cli(['emulate-firmware', fw]);
        expect(run.code).toBe(0);
        expect(run.err).toContain('the 2 predictions equal the reference engine');
      }
    }, 1_200_000);
  }
});
