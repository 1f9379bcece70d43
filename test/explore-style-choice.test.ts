/**
 * The per-layer style and placement choice (src/explore/evaluate/style-choice.ts)
 * on fake variant-cost tables: it picks the fastest combination that fits,
 * respects every budget (flash, SRAM with the scratch buffer, the window and
 * the bank the window takes away), and agrees with brute force.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { chooseStyles, scratchWords, type ChoiceBudget, type LibraryCase, type StyleOption } from '../src/explore/evaluate/style-choice.js';
import type { KernelStyle } from '../src/kernels/network/assemble.js';
import type { CodeHome, DataHome } from '../src/kernels/placement/placement.js';
import { xorshift32 } from './helpers/xorshift.js';

const opt = (style: KernelStyle, code: CodeHome, data: DataHome, cycles: number, flash: number, sram = 0, alias = 0, scratch = 0, overlay = 0): StyleOption => ({
  style,
  homes: { code, data },
  cycles,
  flashBytes: flash,
  sramBytes: sram,
  aliasBytes: alias,
  overlayBytes: overlay,
  scratchBytes: scratch,
});

/** Window bytes of code that stays and the overlay region after it (32-byte aligned). */
const windowOf = (alias: number, overlay: number): number => (overlay > 0 ? Math.ceil(alias / 32) * 32 + overlay : alias);

const flashCase = (layers: StyleOption[][], fixedCycles = 1000): LibraryCase => ({ library: 'flash', sramBytes: 0, aliasBytes: 0, fixedCycles, layers });
const roomy: ChoiceBudget = { flash: 1e9, sram: 1e9, sramWithAlias: 1e9, alias: 1e9 };
const label = (o: StyleOption): string => `${o.style}@${o.homes.code}/${o.homes.data}`;

describe('chooseStyles', () => {
  test('with room for everything, every layer takes its fastest option; cycles add the fixed part', () => {
    const layers = [
      [opt('baseline', 'flash', 'flash', 500, 100), opt('unpacked', 'flash', 'flash', 400, 900), opt('sparse', 'flash', 'flash', 450, 200)],
      [opt('baseline', 'flash', 'flash', 300, 100), opt('baseline', 'flash', 'sram', 250, 100, 80), opt('unpacked', 'flash', 'flash', 320, 700)],
    ];
    const c = chooseStyles([flashCase(layers)], roomy);
    expect(c.picks.map(label)).toEqual(['unpacked@flash/flash', 'baseline@flash/sram']);
    expect(c).toMatchObject({ cycles: 1000 + 400 + 250, flashBytes: 900 + 100, sramBytes: 80 + 4, aliasBytes: 0, fits: true, library: 'flash' });
  });

  test('the flash budget sends the layer that loses least to a smaller style', () => {
    // unpacked on both: 1,600 bytes; the budget holds 1,000: one must go (A loses 100 cycles, B 30)
    const layers = [
      [opt('baseline', 'flash', 'flash', 500, 100), opt('unpacked', 'flash', 'flash', 400, 800)],
      [opt('baseline', 'flash', 'flash', 330, 100), opt('sparse', 'flash', 'flash', 300, 800)],
    ];
    const c = chooseStyles([flashCase(layers)], { ...roomy, flash: 1000 });
    expect(c.picks.map(label)).toEqual(['unpacked@flash/flash', 'baseline@flash/flash']);
    expect(c.flashBytes).toBe(900);
  });

  test('the SRAM budget counts the placed bytes and the largest scratch of the chosen layers', () => {
    // placing both layers' constants (300 + 300) fits 700 bytes only without the 256-byte scratch of the sparse option
    const layers = [
      [opt('baseline', 'flash', 'flash', 500, 100, 0, 0, 40), opt('baseline', 'flash', 'sram', 420, 100, 300, 0, 40), opt('sparse', 'flash', 'flash', 410, 150, 0, 0, 256)],
      [opt('baseline', 'flash', 'flash', 500, 100, 0, 0, 40), opt('baseline', 'flash', 'sram', 420, 100, 300, 0, 40)],
    ];
    const c = chooseStyles([flashCase(layers)], { ...roomy, sram: 700 });
    // sparse + constants in SRAM: 410 + 420 (SRAM 300 + scratch 256 = 556) beats both constants in SRAM, 420 + 420 (600 + 40)
    expect(c.picks.map(label)).toEqual(['sparse@flash/flash', 'baseline@flash/sram']);
    expect(c.sramBytes).toBe(300 + 256);
    const tight = chooseStyles([flashCase(layers)], { ...roomy, sram: 550 });
    // 300 + 256 > 550: sparse forces its neighbour back to flash (410 + 500 = 910) against 420 + 500 (920) or 500 + 420
    expect(tight.picks.map(label)).toEqual(['sparse@flash/flash', 'baseline@flash/flash']);
    expect(tight.cycles).toBe(1000 + 910);
  });

  test('code in the SRAM window costs its bank: the SRAM budget shrinks once anything is placed there', () => {
    const layers = [[opt('unpacked', 'flash', 'flash', 1000, 500), opt('unpacked', 'alias', 'flash', 650, 500, 0, 400)], [opt('baseline', 'flash', 'flash', 900, 50), opt('baseline', 'flash', 'sram', 500, 50, 600)]];
    // window used: SRAM 500 (600 + 4 scratch does not fit); not used: SRAM 1000
    const budget = { flash: 1e9, sram: 1000, sramWithAlias: 500, alias: 512 };
    const c = chooseStyles([flashCase(layers)], budget);
    // both would need 600 + 4 bytes of SRAM beside the window: the window (saves 350) loses to the constants (400)
    expect(c.picks.map(label)).toEqual(['unpacked@flash/flash', 'baseline@flash/sram']);
    const better = chooseStyles([flashCase([[layers[0][0], opt('unpacked', 'alias', 'flash', 550, 500, 0, 400)], layers[1]])], budget);
    expect(better.picks.map(label)).toEqual(['unpacked@alias/flash', 'baseline@flash/flash']);
    expect(better).toMatchObject({ cycles: 1000 + 550 + 900, aliasBytes: 400, sramBytes: 4 });
  });

  test('the library case with the fastest feasible whole wins, its bytes counted', () => {
    const inFlash = flashCase([[opt('baseline', 'flash', 'flash', 800, 100)]], 2000);
    const inAlias: LibraryCase = { library: 'alias', sramBytes: 0, aliasBytes: 300, fixedCycles: 1500, layers: [[opt('baseline', 'flash', 'flash', 600, 100)]] };
    expect(chooseStyles([inFlash, inAlias], { ...roomy, alias: 512 })).toMatchObject({ library: 'alias', cycles: 2100, aliasBytes: 300 });
    expect(chooseStyles([inFlash, inAlias], { ...roomy, alias: 256 })).toMatchObject({ library: 'flash', cycles: 2800, aliasBytes: 0 });
  });

  test('nothing fits: the smallest image, all in flash, marked infeasible', () => {
    const layers = [[opt('unpacked', 'flash', 'flash', 400, 900), opt('baseline', 'flash', 'flash', 500, 100), opt('baseline', 'flash', 'sram', 450, 100, 50)]];
    const c = chooseStyles([flashCase(layers)], { ...roomy, flash: 50 });
    expect(c).toMatchObject({ fits: false, cycles: 1500, flashBytes: 100 });
    expect(c.picks.map(label)).toEqual(['baseline@flash/flash']);
  });

  test('16 layers of 14 options where only the SRAM window binds (the ResNet-14 on nucleo-l4r5zi shape): the fastest within the window, as a 1-D knapsack over window bytes finds it', () => {
    const rand = xorshift32(16);
    const r = (n: number): number => rand() % n;
    const homes: [CodeHome, DataHome][] = [['flash', 'flash'], ['flash', 'sram'], ['sram', 'flash'], ['sram', 'sram'], ['alias', 'flash'], ['alias', 'sram']];
    const layers = Array.from({ length: 16 }, () =>
      Array.from({ length: 14 }, (_, k) => {
        const [code, data] = homes[k % homes.length];
        const codeBytes = 4 * (500 + r(3000));
        return opt((['baseline', 'unpacked', 'sparse'] as const)[k % 3], code, data, 20_000 + r(200_000), codeBytes + 4 * r(500), code === 'sram' || data === 'sram' ? 4 * r(2000) : 0, code === 'alias' ? codeBytes : 0, 4 * r(2600));
      }),
    );
    const budget: ChoiceBudget = { flash: 2_058_988, sram: 623_500, sramWithAlias: 557_964, alias: 65_536 };
    const chosen = chooseStyles([flashCase(layers)], budget);
    // window bytes are multiples of 4: least cycles for each window use, layer by layer
    const slots = budget.alias / 4 + 1;
    let least = new Float64Array(slots).fill(Infinity);
    least[0] = 1000;
    for (const options of layers) {
      const next = new Float64Array(slots).fill(Infinity);
      for (let a = 0; a < slots; a++) {
        if (least[a] === Infinity) continue;
        for (const o of options) {
          const b = a + o.aliasBytes / 4;
          if (b < slots && least[a] + o.cycles < next[b]) next[b] = least[a] + o.cycles;
        }
      }
      least = next;
    }
    expect(chosen.fits).toBe(true);
    expect(chosen.cycles).toBe(Math.min(...least));
    expect(chosen.aliasBytes).toBeLessThanOrEqual(budget.alias);
  });

  test("ResNet-8 on nucleo-l4r5zi's real tables (SRAM, scratch and window all bind): the fastest whole, which a bounded depth-first search confirms", () => {
    type Row = [KernelStyle, CodeHome, DataHome, number, number, number, number, number];
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/resnet8-l4r5zi-style-tables.json', import.meta.url), 'utf8')) as {
      budget: ChoiceBudget;
      cases: (Omit<LibraryCase, 'layers'> & { layers: Row[][] })[];
    };
    const cases: LibraryCase[] = fixture.cases.map((c) => ({ ...c, layers: c.layers.map((l) => l.map((r) => opt(...r))) }));
    const chosen = chooseStyles(cases, fixture.budget);
    expect(chosen).toMatchObject({ library: 'flash', fits: true, cycles: 18_874_034 });
    // the window (65,536 bytes) holds the unpacked code of two layers; every other layer runs the baseline or sparse kernel with its constants in SRAM
    expect(chosen.picks.map(label)).toEqual([
      'unpacked@alias/sram', 'sparse@flash/sram', 'unpacked@alias/sram',
      ...Array.from({ length: 7 }, () => 'baseline@flash/sram'),
    ]);
    expect([chosen.aliasBytes, chosen.sramBytes, chosen.flashBytes]).toEqual([57_936, 132_924, 151_220]);
    // no feasible whole of any case is faster: depth-first, cut where even the least cycles of the rest cannot beat it
    let faster = 0;
    for (const c of cases) {
      const rest = c.layers.map((_, i) => c.layers.slice(i).reduce((t, l) => t + Math.min(...l.map((o) => o.cycles)), 0)).concat(0);
      const walk = (i: number, cycles: number, flash: number, sram: number, alias: number, scratch: number): void => {
        if (cycles + rest[i] >= chosen.cycles || flash > fixture.budget.flash || alias > fixture.budget.alias || sram > fixture.budget.sram) return;
        if (i === c.layers.length) {
          if (sram + scratchWords(scratch) <= (alias > 0 ? fixture.budget.sramWithAlias : fixture.budget.sram)) faster++;
          return;
        }
        for (const o of c.layers[i]) walk(i + 1, cycles + o.cycles, flash + o.flashBytes, sram + o.sramBytes, alias + o.aliasBytes, Math.max(scratch, o.scratchBytes));
      };
      walk(0, c.fixedCycles, 0, c.sramBytes, c.aliasBytes, 0);
    }
    expect(faster).toBe(0);
  });

  test('a whole that fits only through a slow first choice is found, though the bounding pass keeps only fast partial choices that all run out of SRAM later', () => {
    // layer 0: 250 fast options, each using less SRAM than the one before (none dominates another), and one slow option using none;
    // layer 1 needs 300 bytes of SRAM, so only the slow option leaves room
    const first = [...Array.from({ length: 250 }, (_, k) => opt('unpacked', 'sram', 'sram', 100 + k, 10, 1000 - k)), opt('baseline', 'flash', 'flash', 10_000, 10)];
    const second = [opt('baseline', 'flash', 'sram', 50, 10, 300)];
    const c = chooseStyles([flashCase([first, second])], { flash: 1e6, sram: 1004, sramWithAlias: 1004, alias: 0 });
    expect(c).toMatchObject({ fits: true, cycles: 1000 + 10_000 + 50, sramBytes: 300 + scratchWords(0) });
    expect(c.picks.map(label)).toEqual(['baseline@flash/flash', 'baseline@flash/sram']);
  });

  test('equals brute force over random tables (every combination, every budget)', () => {
    const rand = xorshift32(7);
    const r = (n: number): number => rand() % n;
    const styles: KernelStyle[] = ['baseline', 'unpacked', 'sparse'];
    const homes: [CodeHome, DataHome][] = [['flash', 'flash'], ['flash', 'sram'], ['sram', 'flash'], ['alias', 'flash'], ['alias', 'sram'], ['overlay', 'flash'], ['overlay', 'sram']];
    for (let trial = 0; trial < 90; trial++) {
      const cases: LibraryCase[] = (['flash', 'alias'] as CodeHome[]).map((library) => ({
        library,
        sramBytes: 0,
        aliasBytes: library === 'alias' ? 100 + r(200) : 0,
        fixedCycles: 1000 + r(500),
        layers: Array.from({ length: 1 + r(5) }, () =>
          Array.from({ length: 1 + r(6) }, () => {
            const [code, data] = homes[r(homes.length)];
            const sram = code === 'sram' || data === 'sram' ? 50 + r(400) : 0;
            return opt(styles[r(3)], code, data, 100 + r(1000), 50 + r(500), sram, code === 'alias' ? 50 + r(300) : 0, r(3) * 128, code === 'overlay' ? 32 * (1 + r(12)) : 0);
          }),
        ),
      }));
      cases[1] = { ...cases[1], layers: cases[0].layers.map((l) => l.map((o) => ({ ...o, cycles: o.cycles - r(50) }))) };
      // every third trial roomy in flash and SRAM: those resources cannot bind and leave the dominance test
      const loose = trial % 3 === 0;
      // using the window takes its bank from the SRAM: never more SRAM with it than without (as on every board)
      const sram = 200 + r(1200);
      const budget: ChoiceBudget = loose
        ? { flash: 1e6, sram: 1e6, sramWithAlias: 1e6, alias: r(2) * (100 + r(700)) }
        : { flash: 300 + r(2000), sram, sramWithAlias: Math.min(sram, 100 + r(600)), alias: r(2) * (100 + r(700)) };
      let best = Infinity;
      for (const c of cases) {
        // overlays share one region after the code that stays: the window holds that code and the largest overlay
        const walk = (i: number, cycles: number, flash: number, sram: number, alias: number, overlay: number, scratch: number): void => {
          if (i === c.layers.length) {
            const window = windowOf(alias, overlay);
            const fits = flash <= budget.flash && window <= budget.alias && sram + scratchWords(scratch) <= (window > 0 ? budget.sramWithAlias : budget.sram);
            if (fits) best = Math.min(best, cycles);
            return;
          }
          for (const o of c.layers[i]) {
            walk(i + 1, cycles + o.cycles, flash + o.flashBytes, sram + o.sramBytes, alias + o.aliasBytes, Math.max(overlay, o.overlayBytes), Math.max(scratch, o.scratchBytes));
          }
        };
        walk(0, c.fixedCycles, 0, c.sramBytes, c.aliasBytes, 0, 0);
      }
      const chosen = chooseStyles(cases, budget);
      expect(chosen.fits).toBe(best !== Infinity);
      if (chosen.fits) {
        expect(chosen.cycles).toBe(best);
        expect(chosen.flashBytes).toBeLessThanOrEqual(budget.flash);
        expect(chosen.aliasBytes).toBeLessThanOrEqual(budget.alias);
        expect(chosen.sramBytes).toBeLessThanOrEqual(chosen.aliasBytes > 0 ? budget.sramWithAlias : budget.sram);
      }
    }
  });

  test('a front too large to keep whole (14 layers of 14 options, flash and SRAM both binding): cut, it still finds a whole within the budgets, which only lean partial choices reach', () => {
    // each layer's options trade cycles against flash and SRAM in opposite directions, so almost no partial choice
    // dominates another and the exact front would grow with every layer (the pair-skipped ResNet-8 run's stall)
    const rand = xorshift32(11);
    const r = (n: number): number => rand() % n;
    const layers = Array.from({ length: 14 }, () =>
      Array.from({ length: 14 }, (_, k) => opt(k % 2 ? 'unpacked' : 'sparse', k % 3 ? 'flash' : 'sram', 'sram', 1000 + 97 * k + r(50), 5000 - 300 * k + r(100), 40 * (13 - k) + r(40) + 20 * (k % 4))),
    );
    const budget: ChoiceBudget = { flash: 14 * 2800, sram: 14 * 300, sramWithAlias: 14 * 300, alias: 0 };
    const c = chooseStyles([flashCase(layers)], budget);
    expect(c.fits).toBe(true);
    expect(c.flashBytes).toBeLessThanOrEqual(budget.flash);
    expect(c.sramBytes).toBeLessThanOrEqual(budget.sram);
    // the bounded search's whole (the fastest of its cut front, its leanest partial choices and the beams')
    expect(c.cycles).toBe(25_386);
  });
});
