import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { buildProject } from '../src/firmware/build.js';
import { exportFirmware, projectFiles } from '../src/firmware/export.js';
import { fakeImages, fakeNetwork } from './helpers/firmware-fixtures.js';
import { getFirmwareBoard } from '../src/firmware/firmware-boards.js';

const tmp = mkdtempSync(join(tmpdir(), 'sim-dse-fw-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hasCompiler = compilerVersion() !== null;
if (!hasCompiler) console.warn('firmware-export-build: arm-none-eabi-gcc is not installed; the make builds are skipped');

describe('export of a fake network', () => {
  test('the project files are a deterministic function of the inputs', () => {
    const req = { network: fakeNetwork, images: fakeImages(3), board: getFirmwareBoard('nucleo-f446re'), outDir: 'unused' };
    const a = projectFiles(req);
    expect(projectFiles(req)).toEqual(a);
    expect(a.map((f) => f.path)).toEqual([
      'Makefile', 'README.md', 'firmware.json', 'ld/board.ld', 'ld/qemu.ld',
      'src/simdse_board.h', 'src/startup.c', 'src/main.c', 'src/board_stm32f4.c', 'src/simdse_config.h',
      'src/simdse_report.h', 'src/simdse_report.c', 'src/simdse_images.c', 'net/fake_net.c',
      ...readdirSync('src/kernels/c').filter((n) => n.endsWith('.h')).sort().map((n) => `kernels/${n}`),
    ]);
    const config = a.find((f) => f.path === 'src/simdse_config.h')!.content;
    expect(config).toContain('#define SIMDSE_BOARD "nucleo-f446re"\n#define SIMDSE_LAYERS 2u\n#define SIMDSE_POINT "-"\n#define SIMDSE_POINT_CAPACITY 160u\n#define SIMDSE_INPUT_BYTES 16u\n#define SIMDSE_OUTPUT_BYTES 4u\n');
    const ld = a.find((f) => f.path === 'ld/board.ld')!.content;
    expect(ld).toContain('FLASH (rx)  : ORIGIN = 0x08000000, LENGTH = 0x00080000');
    expect(ld).toContain('SRAM  (rwx) : ORIGIN = 0x20000000, LENGTH = 0x00020000');
    // The images follow all code and constants: their number moves nothing the network runs.
    expect(ld.indexOf('*(.rodata .rodata.*)')).toBeLessThan(ld.indexOf('KEEP(*(.simdse_images))'));
    expect(a.find((f) => f.path === 'src/simdse_images.c')!.content).toContain('const uint32_t simdse_image_count SIMDSE_IMAGES_SECTION = 3u;');
    const l4 = projectFiles({ ...req, board: getFirmwareBoard('nucleo-l4r5zi') });
    expect(l4.find((f) => f.path === 'ld/board.ld')!.content).toContain('LENGTH = 0x00200000');
    expect(l4.map((f) => f.path)).toContain('src/board_stm32l4.c');
    expect(l4.find((f) => f.path === 'ld/qemu.ld')!.content).toContain('FLASH (rx)  : ORIGIN = 0x08000000, LENGTH = 0x00100000');
  });

  test('bad inputs are refused with one clear message', () => {
    const req = { network: fakeNetwork, images: fakeImages(2), board: getFirmwareBoard('nucleo-f446re'), outDir: join(tmp, 'bad') };
    expect(() => getFirmwareBoard('nucleo-f401re')).toThrow("cannot export firmware for board 'nucleo-f401re' (supported: nucleo-f446re, nucleo-l4r5zi)");
    expect(() => exportFirmware({ ...req, images: { inputs: [new Uint8Array(15)], labels: [0] } })).toThrow('image 0 has 15 bytes; the network input has 16');
    expect(() => exportFirmware({ ...req, network: { ...fakeNetwork, layerNames: ['a b', 'c'] } })).toThrow('layer 0 name "a b" must be one word');
    expect(() => exportFirmware({ ...req, network: { ...fakeNetwork, sources: [{ name: 'main.c', code: '' }] } })).toThrow('network source name main.c collides');
    const busy = join(tmp, 'busy');
    exportFirmware({ ...req, outDir: busy });
    writeFileSync(join(tmp, 'other.txt'), 'x');
    expect(() => exportFirmware({ ...req, outDir: tmp })).toThrow(`${tmp} is not empty and holds no previous export (firmware.json)`);
    expect(() => exportFirmware({ ...req, outDir: busy })).not.toThrow();
  });

  for (const board of ['nucleo-f446re', 'nucleo-l4r5zi'] as const) {
    test.skipIf(!hasCompiler)(`${board}: the Makefile builds the board image and the QEMU variant`, async () => {
      const dir = join(tmp, board);
      exportFirmware({ network: fakeNetwork, images: fakeImages(3), board: getFirmwareBoard(board), outDir: dir });
      for (const target of ['board', 'qemu'] as const) {
        const r = await buildProject(dir, target);
        expect(r.kind).toBe('built');
        const elf = readFileSync(r.elf);
        expect([...elf.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
      }
      // the binary starts with the vector table: initial SP at the top of SRAM, a Thumb reset address in flash
      const bin = readFileSync(join(dir, 'build', 'firmware.bin'));
      const sramTop = board === 'nucleo-f446re' ? 0x20020000 : 0x200a0000;
      expect(bin.readUInt32LE(0)).toBe(sramTop);
      const reset = bin.readUInt32LE(4);
      expect(reset & 1).toBe(1);
      expect(reset >>> 24).toBe(0x08);
    }, 120_000);
  }
});
