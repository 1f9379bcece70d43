/**
 * Issue 6 end to end on the real models: a small DSE run with emulated
 * latency, export of its fastest front point as nucleo-f446re firmware,
 * `make` with the generated Makefile, the firmware emulated from reset: its
 * predictions equal the reference engine's, its DWT-measured cycles of every
 * layer and every inference equal, image for image, the whole-firmware timing
 * the DSE stored for the point (the DSE timed 10 images, the export embeds 2:
 * the count moves nothing the network runs), `validate` on that log reports
 * zero error everywhere, and the project's QEMU variant prints the same
 * predicted classes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { qemuVersion } from '../src/firmware/qemu.js';
import type { TimedFirmwareRow } from '../src/explore/store/rows.js';
import { firmwareCandidates } from '../src/explore/run/firmware-phase.js';
import { readStore } from '../src/explore/store/run-store.js';
import { cli } from './helpers/cli.js';

const have = compilerVersion() !== null;
const qemu = qemuVersion() !== null;

describe.skipIf(!have).each([
  // timed: the images of the 10 that fit the F446's flash beside the fastest point's firmware
  { model: 'lenet', layer: '1', timed: 10 },
  { model: 'resnet8', layer: '0', timed: 10 },
])('$model: DSE point -> firmware -> emulated board', ({ model, layer, timed }) => {
  test('builds with make; predictions equal the engine; cycles match the DSE prediction', async () => {
    const dir = mkdtempSync(join(tmpdir(), `sim-dse-e2e-${model}-`));
    const runs = join(dir, 'runs');
    const run = await cli([
      'run', '--model', model, '--board', 'nucleo-f446re', '--threads', '1', '--metric', 'magnitude',
      '--kind', 'fraction', '--layers', layer, '--levels', '0,0.3', '--search', 'grid',
      '--images', '50', '--full-images', '100', '--max-loss', '100', '--no-seed-grid', '--out', runs, '--id', 'e2e', '--json',
    ]);
    expect(run.err.split('\n').filter((l) => l.startsWith('sim-dse:'))).toEqual([]);
    expect(run.code).toBe(0);
    const front = JSON.parse(readFileSync(join(runs, 'e2e', 'front.json'), 'utf8')) as { front: { id: number; hash: string; cycles: number }[] };
    const fastest = [...front.front].sort((a, b) => a.cycles - b.cycles)[0];
    const timings = readFileSync(join(runs, 'e2e', 'firmware.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TimedFirmwareRow);
    // Every front point was re-evaluated (--max-loss 100); those on the front of full-test-set top-1 against
    // cycles were timed as whole firmware, the fastest among them.
    expect(timings.map((t) => t.hash)).toEqual(firmwareCandidates(readStore(join(runs, 'e2e'))).map((p) => p.hash));
    const timing = timings.find((t) => t.hash === fastest.hash)!;
    expect([timing.kind, timing.images]).toEqual(['timed', timed]);

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
    // The emulated firmware measures exactly what the DSE stored, layer by layer, image by image.
    const lines = emu.out.split('\n');
    const measured = (k: number, i: number): number => Number(/cycles (\d+)/.exec(lines.find((l) => l.startsWith(`SIMDSE layer image ${i} index ${k} `))!)![1]);
    for (const i of [0, 1]) {
      expect(timing.layers.map((_, k) => measured(k, i))).toEqual(timing.layers.map((l) => l.cycles[i]));
      expect(Number(/cycles (\d+)/.exec(lines.find((l) => l.startsWith(`SIMDSE image index ${i} `))!)![1])).toBe(timing.inference[i]);
    }
    const log = join(dir, 'board.log');
    writeFileSync(log, emu.out);
    const val = await cli(['validate', '--log', log, '--run', 'e2e', '--runs', runs, '--point', String(fastest.id), '--json']);
    expect(val.code).toBe(0);
    const v = JSON.parse(val.out) as { source: string; predictedImages: number; layers: { name: string; errorPercent: number | null }[]; total: { errorPercent: number } };
    expect([v.source, v.predictedImages]).toEqual(['firmware', 2]);
    expect(v.layers.map((l) => [l.name, l.errorPercent])).toEqual(timing.layers.map((l) => [l.name, 0]));
    expect(v.total.errorPercent).toBe(0);
  }, 1_800_000);
});
