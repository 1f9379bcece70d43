/**
 * Exported firmware with placed code and constants: LeNet on the baseline
 * kernels, layer constants in SRAM and the kernel library's code in SRAM or
 * in the L4R5 SRAM2 window. The reset handler copies them (.data and
 * .code_sram); `make` builds the same loaded bytes as the cached build;
 * `emulate-firmware` prints the reference engine's predictions and exactly
 * the per-layer cycles the whole-firmware timing computes; the QEMU image
 * (no SRAM window there: that code runs from SRAM) predicts alike.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runEmulateFirmware } from '../src/cli/commands/emulate-firmware.js';
import { getBoard } from '../src/emulator/boards.js';
import { parseElf } from '../src/emulator/elf.js';
import { boardImageInputs, exportFirmware, type ProjectRequest } from '../src/firmware/export.js';
import { timeFirmware } from '../src/firmware/image-timing.js';
import { testImages, unpackedNetwork } from '../src/firmware/network.js';
import { qemuVersion } from '../src/firmware/qemu.js';
import { compileAndLink } from '../src/kernels/compile/compile.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { parsePlace, type Placement } from '../src/kernels/placement/placement.js';
import { resolveModel } from '../src/model/registry.js';
import { getFirmwareBoard } from '../src/firmware/firmware-boards.js';

const tmp = mkdtempSync(join(tmpdir(), 'sim-dse-fw-placement-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const model = resolveModel('lenet');
const baseline = new Map(model.graph.ops.map((_, i) => [i, 'baseline' as const]));
const network = unpackedNetwork(model.graph, new Map(), baseline);
const images = testImages(model.graph, model.preprocess, new Map(), 2);
const fixed = (text: string): Placement => {
  const r = parsePlace(text);
  if (r.kind !== 'fixed') throw new Error('not fixed');
  return r.placement;
};
const loaded = (elf: Uint8Array): unknown =>
  parseElf(elf, 'x').segments.map((s) => ({ paddr: s.paddr, vaddr: s.vaddr, memsz: s.memsz, sha: createHash('sha256').update(s.data).digest('hex') }));

/** Exports the project to `dir` and builds it (board and QEMU images). */
function exportAndMake(request: ProjectRequest, dir: string): void {
  exportFirmware({ ...request, outDir: dir });
  const make = spawnSync('make', ['-C', dir, 'all', 'qemu'], { encoding: 'utf8' });
  expect(make.status, make.stderr).toBe(0);
}

/** emulate-firmware of the built project: no mismatch, predictions = engine, per-layer cycles = the timing; QEMU's predictions too. */
async function expectRunsAsTimed(request: ProjectRequest, dir: string): Promise<void> {
  const timing = await timeFirmware(request);
  const emu = await runEmulateFirmware(dir, { timeout: '120' });
  expect(emu.mismatches).toEqual([]);
  expect(emu.run.images.map((m) => m.pred)).toEqual(images.expected);
  expect(emu.run.images.flatMap((m) => m.layers.map((l) => l.cycles))).toEqual([0, 1].flatMap((i) => timing.layers.map((l) => l.cycles[i])));
  if (qemuVersion()) {
    const q = await runEmulateFirmware(dir, { qemu: true, timeout: '120' });
    expect(q.run.images.map((m) => m.pred)).toEqual(images.expected);
  }
}

describe.skipIf(compilerVersion() === null)('exported firmware with placed code and constants', () => {
  test.each([
    { board: 'nucleo-l4r5zi', place: '1:flash/sram,3:flash/sram,lib:alias' },
    { board: 'nucleo-f446re', place: '3:flash/sram,lib:sram' },
  ])('$board --place $place: make = cached build, emulate-firmware = timing, predictions = engine', async ({ board, place }) => {
    const request = { network, images, board: getFirmwareBoard(board), expected: images.expected, placement: fixed(place) };
    const dir = join(tmp, board);
    exportAndMake(request, dir);
    const inputs = boardImageInputs(request);
    const { elf } = await compileAndLink({ sources: [...inputs.headers, ...inputs.units], board: getBoard(board), linkScript: inputs.linkScript });
    const made = new Uint8Array(readFileSync(join(dir, 'build', 'firmware.elf')));
    expect(loaded(elf)).toEqual(loaded(made));
    // the placed units run where they were placed
    const sym = parseElf(made, 'firmware.elf').symbols;
    expect(sym.get('snn_conv_s8')!.value >>> 28).toBe(board === 'nucleo-l4r5zi' ? 0x1 : 0x2);
    expect(sym.get('layer_3_weights')!.value >>> 28).toBe(0x2);

    await expectRunsAsTimed(request, dir);
  }, 600_000);

  test('nucleo-l4r5zi with two paged overlays (unpacked conv_2d#3 and fully_connected#8, their pages taking turns in the window): emulate-firmware = timing, predictions = engine, QEMU runs the pages from flash', async () => {
    const placement = fixed('3:overlay/flash,8:overlay/sram'); // conv_2d#3's weight tables in SRAM leave the QEMU machine's 128 KB no stack
    const styles = new Map(model.graph.ops.map((_, i) => [i, i === 3 || i === 8 ? ('unpacked' as const) : ('baseline' as const)]));
    const overlaid = unpackedNetwork(model.graph, new Map(), styles, placement);
    const request = { network: overlaid, images, board: getFirmwareBoard('nucleo-l4r5zi'), expected: images.expected, placement };
    const dir = join(tmp, 'overlays');
    exportAndMake(request, dir);
    const sym = parseElf(new Uint8Array(readFileSync(join(dir, 'build', 'firmware.elf'))), 'firmware.elf').symbols;
    // each layer function stays in flash and loads its pages, which run from the overlay region in the window
    const [lo, hi] = [sym.get('sim_overlay_lo')!.value, sym.get('sim_overlay_hi')!.value];
    expect(lo >>> 28).toBe(0x1);
    expect(overlaid.pages).toEqual(new Map([['layer_3', 32], ['layer_8', 1]]));
    for (const fn of ['layer_3', 'layer_8']) expect(sym.get(fn)!.value >>> 24).toBe(0x08);
    for (const page of ['layer_3_p0', 'layer_3_p2', 'layer_8_p0']) expect((sym.get(page)!.value & ~1) >= lo && (sym.get(page)!.value & ~1) < hi).toBe(true);
    await expectRunsAsTimed(request, dir);
  }, 600_000);
});
