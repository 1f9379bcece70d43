import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runEmulateFirmware } from '../src/cli/commands/emulate-firmware.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { exportFirmware } from '../src/firmware/export.js';
import { readFirmwareRun } from '../src/firmware/firmware-run.js';
import { qemuVersion } from '../src/firmware/qemu.js';
import { argmax, cli, fakeImages, fakeInfer, fakeNetwork, fakeRow, writeFakeModel, writeFakeRun } from './helpers/firmware-fixtures.js';
import { getFirmwareBoard } from '../src/firmware/firmware-boards.js';

const tmp = mkdtempSync(join(tmpdir(), 'sim-dse-fw-emulate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hasCompiler = compilerVersion() !== null;
if (!hasCompiler) console.warn('firmware-emulate: arm-none-eabi-gcc is not installed; skipped');

const images = fakeImages(4);
const expected = images.inputs.map((b) => argmax(fakeInfer(new Int8Array(b.buffer, b.byteOffset, b.length))));

describe.skipIf(!hasCompiler)('sim-dse emulate-firmware', () => {
  for (const board of ['nucleo-f446re', 'nucleo-l4r5zi'] as const) {
    test(`${board}: the emulated firmware prints the board's lines, with the network's predictions`, async () => {
      const dir = join(tmp, board);
      exportFirmware({ network: fakeNetwork, images, board: getFirmwareBoard(board), outDir: dir, expected });
      const r = await cli(['emulate-firmware', dir]);
      expect(r.code).toBe(0);
      expect(r.err).toBe('sim-dse: the 4 predictions equal the reference engine\'s\n');
      const run = readFirmwareRun(r.out, 'emulator');
      // the clock set-up completes (the emulator's ready flags) at the profile's frequency
      expect([run.board, run.clock, run.coreHz]).toEqual([board, 'ok', board === 'nucleo-f446re' ? 180_000_000 : 120_000_000]);
      expect(run.images.map((m) => m.pred)).toEqual(expected);
      expect(run.images.map((m) => m.label)).toEqual(images.labels);
      for (const m of run.images) {
        expect(m.layers.map((l) => l.name)).toEqual(['fully_connected#0', 'fully_connected#1']);
        // the inference is timed around sim_infer, the layers inside it
        const layerSum = m.layers.reduce((s, l) => s + l.cycles, 0);
        expect(m.cycles).toBeGreaterThan(layerSum);
        expect(m.cycles - layerSum).toBeLessThan(100);
        expect(m.layers[0].cycles).toBeGreaterThan(16 * 4);
      }
      // deterministic: a second run prints the same bytes
      expect((await cli(['emulate-firmware', dir])).out).toBe(r.out);
    }, 120_000);
  }

  test('a log recorded from the emulator validates with zero error against the prediction it made', async () => {
    const dir = join(tmp, 'one');
    exportFirmware({ network: fakeNetwork, images: fakeImages(1), board: getFirmwareBoard('nucleo-f446re'), outDir: dir, origin: { run: 'fake', point: 0, model: 'fake' } });
    const r = await runEmulateFirmware(dir, { timeout: '60' });
    const m = r.run.images[0];
    const runs = join(tmp, 'runs');
    const modelFile = join(tmp, 'fake.tflite');
    writeFakeRun(join(runs, 'fake'), writeFakeModel(modelFile), 'nucleo-f446re', [
      fakeRow(0, m.layers.map((l, k) => ({ opIndex: k, cycles: l.cycles })), { cycles: m.cycles }),
    ]);
    const log = join(tmp, 'emulated.log');
    writeFileSync(log, r.output);
    const v = await cli(['validate', '--log', log, '--run', 'fake', '--point', '0', '--runs', runs, '--model', modelFile, '--json']);
    expect(v.err).toBe('');
    expect(v.code).toBe(0);
    const j = JSON.parse(v.out);
    expect(j.layers.map((l: { errorPercent: number }) => l.errorPercent)).toEqual([0, 0]);
    expect(j.total.errorPercent).toBe(0);
  }, 120_000);

  test.skipIf(!qemuVersion())('--qemu prints the same predictions as the emulator', async () => {
    const dir = join(tmp, 'nucleo-f446re');
    const q = await runEmulateFirmware(dir, { qemu: true, timeout: '60' });
    const e = await runEmulateFirmware(dir, { timeout: '60' });
    expect(q.target).toBe('qemu-netduinoplus2');
    expect(q.run.images.map((m) => m.pred)).toEqual(e.run.images.map((m) => m.pred));
    expect(q.mismatches).toEqual([]);
  }, 120_000);

  test('bad input: not a project, a board of another family', async () => {
    expect(await cli(['emulate-firmware', join(tmp, 'none')])).toEqual({
      code: 1,
      out: '',
      err: `sim-dse: ${join(tmp, 'none')} is not an exported firmware project: cannot read ${join(tmp, 'none', 'firmware.json')} (ENOENT)\n`,
    });
    const dir = join(tmp, 'nucleo-f446re');
    expect((await cli(['emulate-firmware', dir, '--board', 'nucleo-l476rg'])).err).toBe(
      `sim-dse: ${dir} was exported for nucleo-f446re; it cannot run on nucleo-l476rg (export it again with --board nucleo-l476rg)\n`,
    );
  });
});
