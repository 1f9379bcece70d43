import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { latencySources } from '../src/explore/evaluate/latency-sources.js';
import { createMacsLatency } from '../src/explore/evaluate/macs-latency.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { defaultEmitters } from '../src/kernels/emitters.js';
import { assembleNetwork } from '../src/kernels/network/assemble.js';
import { buildNetwork } from '../src/kernels/network/build.js';
import { ESTIMATE_RATIO, estimateNetworkSize, fitVerdict } from '../src/kernels/network/size-estimate.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import { resolveModel } from '../src/model/registry.js';
import { sharedDir } from '../src/util/paths.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'models', 'resnet8-cifar10-int8.tflite'));

describe.skipIf(!have)('analytic latency (the fake provider of tests and --latency macs)', () => {
  it('costs LeNet cycles from kept weights, flash from the pre-compile estimate scaled by kept SMLAD words, fits from fitVerdict', async () => {
    const graph = resolveModel('lenet').graph;
    const board = getBoard('nucleo-f446re');
    const p = createMacsLatency(graph, board);
    // flash: the estimate build and profile check before compiling (unpacked LeNet is over twice nucleo-f446re's 512 KB;
    // baseline 147,788 before the 3x3 plane path (h12b): its code in two layer units, LeNet conv_2d#1's weights as int16)
    expect(await p.reference()).toEqual({ baseline: { cycles: 4_874_320, flashBytes: 151_852 }, unpackedExact: { cycles: 9_422_928, flashBytes: 1_166_030 } });
    const prepared = prepareGraph(graph);
    expect(estimateNetworkSize(assembleNetwork(prepared, { style: 'unpacked' }, defaultEmitters())).flash).toBe(1_166_030);
    expect(estimateNetworkSize(assembleNetwork(prepared, { style: 'baseline' }, defaultEmitters())).flash).toBe(151_852);
    const exact = await p.point(new Map());
    expect(exact.perLayer).toEqual([
      { opIndex: 1, cycles: 1_785_600 },
      { opIndex: 3, cycles: 6_316_544 },
      { opIndex: 5, cycles: 1_187_840 },
      { opIndex: 7, cycles: 131_584 },
      { opIndex: 8, cycles: 1_360 },
    ]);
    expect([exact.cycles, exact.flashBytes, exact.fits]).toEqual([9_422_928, 1_166_030, false]);
    expect(exact.perLayer[1].cycles).toBe(169 * (2 * 18_432 + 8 * 64));
    // skipping the first 100 weights of op 3 (a conv with 13 x 13 = 169 output positions, 64 channels) saves 2 cycles per weight
    // and position; flash: its 50 pairs held 49 of op 3's 9,214 kept SMLAD words (one pair is all zero): 356,672 estimated bytes * 9,165 / 9,214
    const mask = new Uint8Array(18_432);
    mask.fill(1, 0, 100);
    const cut = await p.point(new Map([[3, mask]]));
    expect([cut.cycles, cut.flashBytes, cut.perLayer[1].cycles, cut.fits]).toEqual([9_422_928 - 169 * 200, 1_166_030 - 356_672 + 354_775, 6_316_544 - 169 * 200, false]);
    // one weight of each of 100 pairs: the same cycles, but a pair with one kept weight is still a word (only the 3 left with a zero go: 9,211 words)
    const halves = new Uint8Array(18_432);
    for (let i = 0; i < 100; i++) halves[2 * i] = 1;
    expect((await p.point(new Map([[3, halves]]))).flashBytes).toBe(1_166_030 - 356_672 + 356_556);
    // on the 2 MB nucleo-l4r5zi the same points fit
    const big = createMacsLatency(graph, getBoard('nucleo-l4r5zi'));
    expect([(await big.point(new Map())).fits, (await big.point(new Map([[3, mask]]))).flashBytes]).toEqual([true, 1_164_133]);
    expect(latencySources.macs.summary).toContain('analytic');
    expect(p.description).toContain('not a measurement');
  });

  it('a point whose inference does not fit the SRAM does not fit, whatever its flash', async () => {
    const graph = resolveModel('lenet').graph;
    const l4 = getBoard('nucleo-l4r5zi');
    // arena 36,000 + scratch 16,320 + input/output 3,088 + stack 16,384 = 71,792 bytes of SRAM
    const small = { ...l4, regions: l4.regions.map((r) => (r.name === 'sram1' || r.name === 'sram' ? { ...r, size: 64 * 1024, banks: undefined } : r)) };
    const p = createMacsLatency(graph, small);
    const e = estimateNetworkSize(assembleNetwork(prepareGraph(graph), { style: 'unpacked' }, defaultEmitters()));
    expect([e.sram, e.arena, e.scratch, e.buffers, e.stack]).toEqual([71_792, 36_000, 16_320, 3_088, 16_384]);
    expect(fitVerdict(e, small)).toMatchObject({ fits: 'no', region: 'sram', bytesOver: 71_792 - 65_536 });
    const skipped = new Uint8Array(65_536).fill(1);
    for (const masks of [new Map(), new Map([[7, skipped]])]) {
      const pt = await p.point(masks);
      expect(pt.flashBytes).toBeLessThan(2 * 1024 * 1024);
      expect(pt.fits).toBe(false);
    }
    expect((await createMacsLatency(graph, l4).point(new Map([[7, skipped]]))).fits).toBe(true);
  });

  describe.skipIf(compilerVersion() === null)('exact flash against a real unpacked build', () => {
    for (const [name, flash] of [['lenet', 1_166_030], ['resnet8', 911_818]] as const) {
      it(`${name}: the proxy's exact flash is the pre-compile estimate, within ESTIMATE_RATIO of the built image`, async () => {
        const graph = resolveModel(name).graph;
        const board = getBoard('nucleo-l4r5zi');
        const exact = await createMacsLatency(graph, board).point(new Map());
        expect([exact.flashBytes, exact.fits]).toEqual([flash, true]);
        const image = await buildNetwork(prepareGraph(graph), { style: 'unpacked' }, board, defaultEmitters());
        const ratio = exact.flashBytes / image.sizes.flash;
        expect(ratio).toBeGreaterThanOrEqual(ESTIMATE_RATIO.min);
        expect(ratio).toBeLessThanOrEqual(ESTIMATE_RATIO.max);
      }, 300_000);
    }
  });
});
