import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { flashCapacity } from '../src/explore/evaluate/board-flash.js';
import { latencySources } from '../src/explore/evaluate/latency-sources.js';
import { createMacsLatency } from '../src/explore/evaluate/macs-latency.js';
import { resolveModel } from '../src/model/registry.js';
import { sharedDir } from '../src/util/paths.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite'));

describe.skipIf(!have)('analytic latency (the fake provider of tests and --latency macs)', () => {
  it('costs LeNet exactly from kept weights, per layer, and marks points that do not fit', async () => {
    const graph = resolveModel('lenet').graph;
    const board = getBoard('nucleo-f446re');
    expect(flashCapacity(board)).toBe(512 * 1024);
    const p = createMacsLatency(graph, board);
    expect(await p.reference()).toEqual({ baseline: { cycles: 4_874_320, flashBytes: 128_392 }, unpackedExact: { cycles: 9_422_928, flashBytes: 494_024 } });
    const exact = await p.point(new Map());
    expect(exact.perLayer).toEqual([
      { opIndex: 1, cycles: 1_785_600 },
      { opIndex: 3, cycles: 6_316_544 },
      { opIndex: 5, cycles: 1_187_840 },
      { opIndex: 7, cycles: 131_584 },
      { opIndex: 8, cycles: 1_360 },
    ]);
    expect(exact.fits).toBe(true);
    expect(exact.perLayer[1].cycles).toBe(169 * (2 * 18_432 + 8 * 64));
    // skipping 100 weights of op 3 (a conv with 13 x 13 = 169 output positions, 64 channels) saves 2 cycles per weight and position, and 4 flash bytes per weight
    const mask = new Uint8Array(18_432);
    mask.fill(1, 0, 100);
    const cut = await p.point(new Map([[3, mask]]));
    expect([cut.cycles, cut.flashBytes, cut.perLayer[1].cycles]).toEqual([9_422_928 - 169 * 200, 494_024 - 400, 6_316_544 - 169 * 200]);
    const small = { ...board, regions: board.regions.map((r) => (r.kind === 'flash' ? { ...r, size: 400_000 } : r)) };
    expect((await createMacsLatency(graph, small).point(new Map())).fits).toBe(false);
    expect(latencySources.macs.summary).toContain('analytic');
  });
});
