/**
 * Issue 6 end to end on the real models: a small DSE run with emulated
 * latency, export of its fastest front point as nucleo-f446re firmware,
 * `make` with the generated Makefile, the firmware emulated from reset: its
 * predictions equal the reference engine's, and its DWT-measured cycles per
 * layer and per inference match what the DSE predicted for the point
 * (layer variants timed alone: within 1 % per layer, 0.1 % in total), and
 * the project's QEMU variant prints the same predicted classes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compilerVersion } from '../src/kernels/build/toolchain.js';
import { cli } from './helpers/cli.js';

const have = compilerVersion() !== null;
const qemu = spawnSync('qemu-system-arm', ['--version']).status === 0;

describe.skipIf(!have).each([
  { model: 'lenet', layer: '1' },
  { model: 'resnet8', layer: '0' },
])('$model: DSE point -> firmware -> emulated board', ({ model, layer }) => {
  test('builds with make; predictions equal the engine; cycles match the DSE prediction', async () => {
    const dir = mkdtempSync(join(tmpdir(), `sim-dse-e2e-${model}-`));
    const runs = join(dir, 'runs');
    const run = await cli([
      'run', '--model', model, '--board', 'nucleo-f446re', '--threads', '1', '--metric', 'magnitude',
      '--kind', 'fraction', '--layers', layer, '--levels', '0,0.3', '--search', 'grid',
      '--images', '50', '--full-images', '100', '--no-seed-grid', '--out', runs, '--id', 'e2e', '--json',
    ]);
    expect(run.err.split('\n').filter((l) => l.startsWith('sim-dse:'))).toEqual([]);
    expect(run.code).toBe(0);
    const front = JSON.parse(readFileSync(join(runs, 'e2e', 'front.json'), 'utf8')) as { front: { id: number; cycles: number }[] };
    const fastest = [...front.front].sort((a, b) => a.cycles - b.cycles)[0];

    const fw = join(dir, 'fw');
    const exp = await cli(['export', '--run', 'e2e', '--runs', runs, '--point', String(fastest.id), '--board', 'nucleo-f446re', '--out', fw, '--images', '2']);
    expect(exp.code).toBe(0);
    const make = spawnSync('make', ['-C', fw], { encoding: 'utf8' });
    expect(make.status, make.stderr).toBe(0);

    const emu = await cli(['emulate-firmware', fw]);
    expect(emu.code).toBe(0);
    expect(emu.err).toContain('the 2 predictions equal the reference engine');
    if (qemu) {
      // The same project's QEMU variant (netduinoplus2): same predicted classes, no timing.
      const q = await cli(['emulate-firmware', fw, '--qemu']);
      expect(q.code).toBe(0);
      expect(q.err).toContain('the 2 predictions equal the reference engine');
      const preds = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('SIMDSE image')).map((l) => l.replace(/ cycles \d+\s*$/, ''));
      expect(preds(q.out)).toEqual(preds(emu.out));
    } else {
      console.warn('qemu-system-arm is not installed: skipping the QEMU run of the exported firmware');
    }
    const log = join(dir, 'board.log');
    writeFileSync(log, emu.out);
    const val = await cli(['validate', '--log', log, '--run', 'e2e', '--runs', runs, '--point', String(fastest.id), '--json']);
    expect(val.code).toBe(0);
    const v = JSON.parse(val.out) as { layers: { name: string; errorPercent: number | null }[]; total: { errorPercent: number } };
    const predicted = v.layers.filter((l) => l.errorPercent !== null);
    expect(predicted.length).toBeGreaterThan(0);
    for (const l of predicted) expect(Math.abs(l.errorPercent!), l.name).toBeLessThan(1);
    expect(Math.abs(v.total.errorPercent)).toBeLessThan(0.1);
  }, 1_800_000);
});
