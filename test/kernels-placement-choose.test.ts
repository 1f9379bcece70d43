import { describe, expect, it } from 'vitest';
import { MAX_CELLS, MIN_GRANULE, choosePlacement, granuleFor, type UnitChoices } from '../src/kernels/placement/choose.js';
import { formatPlacement, parsePlace } from '../src/kernels/placement/placement.js';
import { UsageError } from '../src/util/errors.js';

const opt = (code: 'flash' | 'sram' | 'alias', data: 'flash' | 'sram', sramBytes: number, aliasBytes: number, saving: number) => ({
  overlayBytes: 0,
  homes: { code, data },
  sramBytes,
  aliasBytes,
  saving,
});

/** Sizes in these cases are multiples of a 256-byte unit (budgets this small use 16-byte granules). */
const GRANULE = 256;

describe('choosePlacement (multiple-choice knapsack over the SRAM and SRAM-window budgets)', () => {
  it('granules: 16 bytes where SRAM is tight, coarser only past MAX_CELLS', () => {
    expect(granuleFor({ sram: 60_080, alias: 0 })).toBe(MIN_GRANULE);
    expect(granuleFor({ sram: 16 * (MAX_CELLS - 1), alias: 0 })).toBe(16);
    expect(granuleFor({ sram: 16 * MAX_CELLS, alias: 0 })).toBe(32);
    expect(granuleFor({ sram: 560_000, alias: 65_536 })).toBe(256);
  });

  it('an option 808 bytes large fits the 1,560 bytes left beside seven others (256-byte granules left it out)', () => {
    const units: UnitChoices[] = [
      { unit: 'layer_1', options: [opt('flash', 'sram', 58_520, 0, 1000)] },
      { unit: 'layer_2', options: [opt('flash', 'sram', 808, 0, 300)] },
    ];
    expect(choosePlacement(units, { sram: 60_080, alias: 0 }).saving).toBe(1300);
  });

  it('takes the best combination, not the greedy one', () => {
    // budget 4 granules: A alone (3 granules, 100) is the best single item, B + C (2 + 2, 60 + 60) beat it
    const units: UnitChoices[] = [
      { unit: 'layer_1', options: [opt('flash', 'sram', 3 * GRANULE, 0, 100)] },
      { unit: 'layer_2', options: [opt('flash', 'sram', 2 * GRANULE, 0, 60)] },
      { unit: 'layer_3', options: [opt('flash', 'sram', 2 * GRANULE, 0, 60)] },
    ];
    const r = choosePlacement(units, { sram: 4 * GRANULE, alias: 0 });
    expect(r.saving).toBe(120);
    expect(formatPlacement(r.placement)).toBe('2:flash/sram,3:flash/sram');
  });

  it('picks at most one option per unit, and uses the window when it saves more', () => {
    const units: UnitChoices[] = [
      { unit: 'layer_1', options: [opt('sram', 'flash', GRANULE, 0, 10), opt('alias', 'flash', 0, GRANULE, 50), opt('alias', 'sram', GRANULE, GRANULE, 70)] },
      { unit: 'library', options: [opt('alias', 'flash', 0, GRANULE, 40)] },
    ];
    const both = choosePlacement(units, { sram: GRANULE, alias: 2 * GRANULE });
    expect([both.saving, formatPlacement(both.placement)]).toEqual([110, '1:alias/sram,lib:alias/flash']);
    const oneWindowGranule = choosePlacement(units, { sram: GRANULE, alias: GRANULE });
    expect([oneWindowGranule.saving, formatPlacement(oneWindowGranule.placement)]).toEqual([70, '1:alias/sram']);
  });

  it('overlays take turns in their region: each open when it fits it, none taking window granules', () => {
    const overlay = (bytes: number, saving: number) => ({ ...opt('alias', 'flash', 0, 0, saving), homes: { code: 'overlay' as const, data: 'flash' as const }, overlayBytes: bytes });
    const units: UnitChoices[] = [
      { unit: 'layer_1', options: [overlay(3 * GRANULE, 300), opt('alias', 'flash', 0, 3 * GRANULE, 290)] },
      { unit: 'layer_2', options: [overlay(2 * GRANULE, 200), opt('alias', 'flash', 0, 2 * GRANULE, 190)] },
      { unit: 'layer_3', options: [overlay(4 * GRANULE, 500)] },
    ];
    // a region of 3 granules holds layer 1's and layer 2's overlays in turn, layer 3's not; no window left to stay
    const three = choosePlacement(units, { sram: 0, alias: 0, overlay: 3 * GRANULE });
    expect([three.saving, formatPlacement(three.placement)]).toEqual([500, '1:overlay/flash,2:overlay/flash']);
    // with 4 granules all three overlay; without a region, code that stays in 3 granules of window
    expect(choosePlacement(units, { sram: 0, alias: 0, overlay: 4 * GRANULE }).saving).toBe(1000);
    expect(formatPlacement(choosePlacement(units, { sram: 0, alias: 3 * GRANULE }).placement)).toBe('1:alias/flash');
  });

  it('rounds sizes up to whole granules and leaves out options that save nothing', () => {
    const units: UnitChoices[] = [
      { unit: 'layer_1', options: [opt('flash', 'sram', GRANULE + 1, 0, 100)] },
      { unit: 'layer_2', options: [opt('flash', 'sram', 1, 0, 0), opt('sram', 'flash', 1, 0, -5)] },
    ];
    expect(choosePlacement(units, { sram: GRANULE + 1, alias: 0 }).saving).toBe(0);
    const r = choosePlacement(units, { sram: 2 * GRANULE, alias: 0 });
    expect([r.saving, formatPlacement(r.placement)]).toEqual([100, '1:flash/sram']);
  });

  it('places nothing with no budget', () => {
    const r = choosePlacement([{ unit: 'layer_1', options: [opt('flash', 'sram', 4, 0, 100)] }], { sram: 0, alias: 0 });
    expect([r.saving, r.placement.size]).toEqual([0, 0]);
  });
});

describe('--place', () => {
  it('parses auto, flash and OP:CODE[/DATA] lists', () => {
    expect(parsePlace('auto')).toEqual({ kind: 'auto' });
    expect(parsePlace('flash')).toEqual({ kind: 'fixed', placement: new Map() });
    const p = parsePlace('3:alias/sram, lib:sram ,5:flash/sram');
    expect(p.kind === 'fixed' && formatPlacement(p.placement)).toBe('3:alias/sram,5:flash/sram,lib:sram/flash');
  });

  it('refuses anything else with one line', () => {
    expect(() => parsePlace('3:rom')).toThrowError(
      new UsageError("--place: '3:rom' is not OP:CODE[/DATA] (OP an operator index or lib, CODE flash|sram|alias|overlay, DATA flash|sram), auto or flash"),
    );
    expect(() => parsePlace('3:sram,3:alias')).toThrowError(new UsageError("--place: '3' is placed twice"));
    expect(() => parsePlace('lib:overlay')).toThrowError(new UsageError("--place: 'lib:overlay': the kernel library cannot be an overlay (every baseline layer calls it)"));
  });
});
