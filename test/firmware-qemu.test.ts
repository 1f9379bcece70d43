import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { buildProject } from '../src/firmware/build.js';
import { exportFirmware } from '../src/firmware/export.js';
import { getFirmwareBoard } from '../src/firmware/firmware-boards.js';
import { readFirmwareRun } from '../src/firmware/firmware-run.js';
import { qemuVersion, runQemu } from '../src/firmware/qemu.js';
import { argmax, fakeImages, fakeInfer, fakeNetwork } from './helpers/firmware-fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'sim-dse-fw-qemu-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ready = compilerVersion() !== null && qemuVersion() !== null;
if (!ready) console.warn('firmware-qemu: qemu-system-arm or arm-none-eabi-gcc is not installed (apt-get install qemu-system-arm gcc-arm-none-eabi); the QEMU run is skipped');

for (const board of ['nucleo-f446re', 'nucleo-l4r5zi'] as const) {
  test.skipIf(!ready)(`${board}: the QEMU netduinoplus2 build prints the predictions of the network`, async () => {
    const images = fakeImages(5);
    const dir = join(tmp, board);
    exportFirmware({ network: fakeNetwork, images, board: getFirmwareBoard(board), outDir: dir });
    const { elf } = await buildProject(dir, 'qemu');
    const r = await runQemu(elf, 60_000);
    expect(r.kind).toBe('exited');
    const run = readFirmwareRun(r.output, 'qemu');
    // no RCC in QEMU: the clock set-up times out at the first ready flag and stays on the reset clock
    expect(run.board).toBe('qemu-netduinoplus2');
    expect(run.clock).toBe('timeout-hsi');
    expect(run.coreHz).toBe(16_000_000);
    const expected = images.inputs.map((b) => argmax(fakeInfer(new Int8Array(b.buffer, b.byteOffset, b.length))));
    expect(run.images.map((m) => m.pred)).toEqual(expected);
    expect(run.images.map((m) => m.label)).toEqual(images.labels);
    expect(run.correct).toBe(4);
    expect(run.images[0].layers.map((l) => l.name)).toEqual(['fully_connected#0', 'fully_connected#1']);
  }, 120_000);
}
