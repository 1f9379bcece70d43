/**
 * Every kernel style on every board of the issue-11 profile, with code placed: LeNet with conv#1
 * and conv#5 in the style under test (the rest baseline), on `ideal` and nucleo-f446re from flash
 * and on nucleo-l4r5zi with conv#1's code in the SRAM2 window, conv#5's code and constants in SRAM
 * (System bus) and the kernel library in the window; the output equals the reference engine byte
 * for byte under random masks skipping 10, 30 and 60 % of those layers' weights. Unpacked layers
 * take the structure chosen for the board and their code's home (profile's board-aware choice).
 */
import { describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import type { KernelStyle } from '../src/kernels/network/assemble.js';
import { parsePlace, type Placement } from '../src/kernels/placement/placement.js';
import { profileNetwork } from '../src/kernels/profile.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import type { SkipMask } from '../src/model/ir.js';
import { cifarInputs, loadModel } from './helpers/engine-fixtures.js';
import { randomMask } from './helpers/unpacked-fixtures.js';

const LAYERS = [1, 5];
const L4R5_PLACE = '1:alias/sram,5:sram/sram,lib:alias/flash';
const BOARDS: { id: string; place: string }[] = [
  { id: 'ideal', place: 'flash' },
  { id: 'nucleo-f446re', place: 'flash' },
  { id: 'nucleo-l4r5zi', place: L4R5_PLACE },
];

const placementOf = (text: string): Placement => {
  const r = parsePlace(text);
  if (r.kind !== 'fixed') throw new Error('not a fixed placement');
  return r.placement;
};

describe.skipIf(compilerVersion() === null)('placed kernels under random masks (LeNet conv#1 and conv#5)', () => {
  const graph = loadModel('lenet');
  const prepared = prepareGraph(graph);
  const [input] = cifarInputs('lenet', 1).inputs;
  for (const style of ['baseline', 'unpacked', 'sparse'] as const satisfies readonly KernelStyle[]) {
    it(`${style}: output = engine on ideal, nucleo-f446re and nucleo-l4r5zi (placed) at 10, 30 and 60 % skipped`, async () => {
      const layerCycles: Record<string, number[]> = {};
      for (const percent of [10, 30, 60]) {
        const masks = new Map<number, SkipMask>(
          LAYERS.map((k) => [k, randomMask(prepared.ops.find((o) => o.opIndex === k)!.weights!.length, percent, 1000 * percent + k)]),
        );
        const spec = { style: 'baseline' as const, masks, layerStyles: new Map(LAYERS.map((k) => [k, style])) };
        for (const b of BOARDS) {
          const { profile } = await profileNetwork(graph, spec, getBoard(b.id), input, { placement: placementOf(b.place) });
          expect([b.id, percent, profile.matchesEngine, profile.placement]).toEqual([b.id, percent, true, b.place]);
          const placed = profile.layers.filter((l) => LAYERS.includes(l.opIndex));
          const expectStyle = style === 'sparse' ? ['sparse', 'sparse'] : [style, style];
          expect(placed.map((l) => l.style)).toEqual(expectStyle);
          (layerCycles[b.id] ??= []).push(placed.reduce((s, l) => s + l.cycles, 0));
        }
      }
      // skip-aware styles: more skipped weights, fewer cycles in the two layers, on every board
      if (style !== 'baseline') {
        for (const c of Object.values(layerCycles)) expect(c[0] > c[1] && c[1] > c[2]).toBe(true);
      }
    }, 600_000);
  }
});
