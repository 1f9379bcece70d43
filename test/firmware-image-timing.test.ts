/**
 * Whole-firmware timing (src/firmware/image-timing.ts): the board image built
 * through the object cache is the image the project's Makefile builds (same
 * loaded bytes), so its timing is what `emulate-firmware` prints; and the
 * number of embedded images moves nothing the network runs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseElf } from '../src/emulator/elf.js';
import { compileAndLink } from '../src/kernels/compile/compile.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { boardImageInputs, exportFirmware } from '../src/firmware/export.js';
import { timeFirmware, timeFittingFirmware } from '../src/firmware/image-timing.js';
import { getBoard } from '../src/emulator/boards.js';
import { getFirmwareBoard } from '../src/firmware/firmware-boards.js';

const F446 = getFirmwareBoard('nucleo-f446re');
import { isErrorKind, type SimDseError } from '../src/util/errors.js';
import { cli, fakeImages, fakeNetwork } from './helpers/firmware-fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'sim-dse-fw-timing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hasCompiler = compilerVersion() !== null;

/** The loaded segments of an ELF (addresses, sizes, bytes): what runs where. */
function loaded(elf: Uint8Array): { paddr: number; vaddr: number; memsz: number; sha: string }[] {
  return parseElf(elf, 'x').segments.map((s) => ({ paddr: s.paddr, vaddr: s.vaddr, memsz: s.memsz, sha: createHash('sha256').update(s.data).digest('hex') }));
}

describe.skipIf(!hasCompiler)('whole-firmware timing', () => {
  test.each(['nucleo-f446re', 'nucleo-l4r5zi'])('%s: the cached build loads the same bytes as make, and times what emulate-firmware prints', async (board) => {
    const request = { network: fakeNetwork, images: fakeImages(3), board: getFirmwareBoard(board) };
    const dir = join(tmp, board);
    exportFirmware({ ...request, outDir: dir });
    const make = spawnSync('make', ['-C', dir], { encoding: 'utf8' });
    expect(make.status, make.stderr).toBe(0);
    const inputs = boardImageInputs(request);
    const { elf } = await compileAndLink({ sources: [...inputs.headers, ...inputs.units], board: getBoard(board), linkScript: inputs.linkScript });
    expect(loaded(elf)).toEqual(loaded(new Uint8Array(readFileSync(join(dir, 'build', 'firmware.elf')))));

    const timing = await timeFirmware(request);
    const emu = await cli(['emulate-firmware', dir]);
    expect(emu.code).toBe(0);
    const printed = emu.out.split('\n').filter((l) => l.startsWith('SIMDSE layer')).map((l) => Number(/cycles (\d+)/.exec(l)![1]));
    // image-major in the log: image 0's layers, then image 1's, ...
    expect(printed).toEqual([0, 1, 2].flatMap((i) => timing.layers.map((l) => l.cycles[i])));
    expect([timing.board, timing.images, timing.layers.map((l) => l.name)]).toEqual([board, 3, ['fully_connected#0', 'fully_connected#1']]);
  }, 300_000);

  test('image i is timed alike in firmware of 1, 3 and 40 images: the count moves nothing the network runs', async () => {
    const many = fakeImages(40);
    const time = (n: number) => timeFirmware({ network: fakeNetwork, images: { inputs: many.inputs.slice(0, n), labels: many.labels.slice(0, n) }, board: F446 });
    const [one, three, forty] = [await time(1), await time(3), await time(40)];
    const first = (t: typeof one, n: number) => [t.layers.map((l) => l.cycles.slice(0, n)), t.inference.slice(0, n)];
    expect(first(three, 1)).toEqual(first(one, 1));
    expect(first(forty, 3)).toEqual(first(three, 3));
    // 39 more images of 16 bytes and their labels (the section's alignment padding aside)
    expect(forty.flashBytes - one.flashBytes).toBeGreaterThanOrEqual(39 * 16);
    expect(forty.flashBytes - one.flashBytes).toBeLessThanOrEqual(39 * 17 + 8);
  }, 300_000);
});

describe.skipIf(!hasCompiler)('whole-firmware timing when the images do not all fit the flash', () => {
  const F446_FLASH = 512 * 1024;
  /** The fake network with `bytes` of constants beside it (a network that nearly fills the flash). */
  const padded = (bytes: number) => ({
    ...fakeNetwork,
    sources: [...fakeNetwork.sources, { name: 'filler.c', code: `#include <stdint.h>\n__attribute__((used)) const int8_t filler[${bytes}] = {1};\n` }],
  });
  const images = fakeImages(10);

  test('as many of the first images as fit are embedded and timed alike; none fitting: too-large', async () => {
    const alone = await timeFirmware({ network: padded(4), images: { inputs: images.inputs.slice(0, 1), labels: images.labels.slice(0, 1) }, board: F446 });
    // room for the first image and about four more (17 bytes each)
    const room = padded(F446_FLASH - alone.flashBytes - 4 * 17);
    const fit = await timeFittingFirmware({ network: room, images, board: F446 });
    expect(fit.kind).toBe('timed');
    if (fit.kind !== 'timed') return;
    expect(fit.timing.images).toBeGreaterThanOrEqual(4);
    expect(fit.timing.images).toBeLessThanOrEqual(5);
    expect(fit.timing.flashBytes).toBeLessThanOrEqual(F446_FLASH);
    expect(fit.timing.layers.map((l) => l.cycles[0])).toEqual(alone.layers.map((l) => l.cycles[0]));
    const none = await timeFittingFirmware({ network: padded(F446_FLASH), images, board: F446 });
    expect(none.kind).toBe('too-large');
    if (none.kind === 'too-large') expect(none.reason).toMatch(/^firmware for nucleo-f446re needs \d+ bytes of flash, the board has 524288 \(\d+ over\)$/);
    // the bytes over the size check finds are the bytes over ld reports linking with the board's own script
    const request = { network: padded(F446_FLASH), images, board: F446 };
    const over = await timeFirmware(request).catch((e: unknown) => e);
    expect(isErrorKind(over, 'too-large')).toBe(true);
    const inputs = boardImageInputs(request);
    const linked = await compileAndLink({ sources: [...inputs.headers, ...inputs.units], board: getBoard('nucleo-f446re'), linkScript: inputs.linkScript }).catch((e: unknown) => e);
    expect((linked as Error).message).toContain(`region \`FLASH' overflowed by ${(over as SimDseError<'too-large'>).data.bytesOver} bytes`);
  }, 300_000);
});
