import { describe, expect, it } from 'vitest';
import { getBoard, listBoards } from '../src/emulator/boards.js';
import { busOf, memoryOf } from '../src/emulator/memory-map.js';
import { SimDseError } from '../src/util/errors.js';

const KB = 1024;
const MB = 1024 * KB;
const common = [
  { name: 'peripherals', kind: 'peripheral', base: 0x4000_0000, size: 0x2000_0000, bus: 'system' },
  { name: 'system', kind: 'peripheral', base: 0xe000_0000, size: 0x0010_0000, bus: 'system' },
];

describe('board profiles', () => {
  it('lists the five boards in a fixed order', () => {
    expect(listBoards().map((b) => b.id)).toEqual([
      'nucleo-f446re',
      'nucleo-f401re',
      'nucleo-l4r5zi',
      'nucleo-l476rg',
      'ideal',
    ]);
  });

  const F4_ART = { family: 'f4', icacheLines: 64, dcacheLines: 8, prefetch: true };
  const L4_ART = { family: 'l4', icacheLines: 128, dcacheLines: 32, prefetch: true };
  const flash = (size: number) => ({ name: 'flash', kind: 'flash', base: 0x0800_0000, size, bus: 'code' });
  const cases = [
    {
      title: 'nucleo-f446re: 180 MHz, 5 WS, 16-byte line, F4 ART, 512 KB flash, 128 KB SRAM',
      id: 'nucleo-f446re', mcu: 'STM32F446RE', clockHz: 180_000_000, waitStates: 5, lineBytes: 16, accelerator: F4_ART,
      regions: [
        flash(512 * KB),
        {
          name: 'sram', kind: 'sram', base: 0x2000_0000, size: 128 * KB, bus: 'system',
          banks: [{ name: 'sram1', base: 0x2000_0000, size: 112 * KB }, { name: 'sram2', base: 0x2001_c000, size: 16 * KB }],
        },
      ],
    },
    {
      title: 'nucleo-f401re: 84 MHz, 2 WS, F4 ART, 512 KB flash, 96 KB SRAM',
      id: 'nucleo-f401re', mcu: 'STM32F401RE', clockHz: 84_000_000, waitStates: 2, lineBytes: 16, accelerator: F4_ART,
      regions: [flash(512 * KB), { name: 'sram', kind: 'sram', base: 0x2000_0000, size: 96 * KB, bus: 'system' }],
    },
    {
      title: 'nucleo-l4r5zi: 120 MHz, 5 WS, 8-byte line, 1 KB I-cache and 256 B D-cache, 2 MB flash, 640 KB SRAM',
      id: 'nucleo-l4r5zi', mcu: 'STM32L4R5ZI', clockHz: 120_000_000, waitStates: 5, lineBytes: 8, accelerator: L4_ART,
      regions: [
        flash(2 * MB),
        {
          name: 'sram', kind: 'sram', base: 0x2000_0000, size: 640 * KB, bus: 'system',
          banks: [
            { name: 'sram1', base: 0x2000_0000, size: 192 * KB },
            { name: 'sram2', base: 0x2003_0000, size: 64 * KB },
            { name: 'sram3', base: 0x2004_0000, size: 384 * KB },
          ],
        },
        { name: 'sram2-code', kind: 'sram', base: 0x1000_0000, size: 64 * KB, bus: 'code', aliasOf: 0x2003_0000 },
      ],
    },
    {
      title: 'nucleo-l476rg: 80 MHz, 4 WS, L4 ART, 1 MB flash, SRAM1 96 KB then SRAM2 32 KB',
      id: 'nucleo-l476rg', mcu: 'STM32L476RG', clockHz: 80_000_000, waitStates: 4, lineBytes: 8, accelerator: L4_ART,
      regions: [
        flash(1 * MB),
        { name: 'sram1', kind: 'sram', base: 0x2000_0000, size: 96 * KB, bus: 'system' },
        { name: 'sram2', kind: 'sram', base: 0x2001_8000, size: 32 * KB, bus: 'system' },
      ],
    },
    {
      title: 'ideal: 100 MHz, zero wait states, no accelerator, 2 MB flash, 1 MB SRAM',
      id: 'ideal', mcu: 'Cortex-M4', clockHz: 100_000_000, waitStates: 0, lineBytes: 16,
      accelerator: { family: 'none', icacheLines: 0, dcacheLines: 0, prefetch: false },
      regions: [flash(2 * MB), { name: 'sram', kind: 'sram', base: 0x2000_0000, size: 1 * MB, bus: 'system' }],
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const b = getBoard(c.id);
      expect(b.mcu).toBe(c.mcu);
      expect([b.clockHz, b.flashWaitStates, b.flashLineBytes]).toEqual([c.clockHz, c.waitStates, c.lineBytes]);
      expect(b.accelerator).toEqual(c.accelerator);
      expect(b.regions).toEqual([...c.regions, ...common]);
    });
  }

  it('the L4R5 caches: 1 KB of instructions and 256 B of data', () => {
    const b = getBoard('nucleo-l4r5zi');
    expect(b.accelerator.icacheLines * b.flashLineBytes).toBe(1024);
    expect(b.accelerator.dcacheLines * b.flashLineBytes).toBe(256);
  });

  it('no two regions of a board overlap', () => {
    for (const b of listBoards()) {
      const sorted = [...b.regions].sort((x, y) => x.base - y.base);
      for (let i = 1; i < sorted.length; i++) {
        expect(sorted[i - 1].base + sorted[i - 1].size).toBeLessThanOrEqual(sorted[i].base);
      }
    }
  });

  it('rejects an unknown board with one line listing the known ones', () => {
    let caught: unknown;
    try {
      getBoard('nucleo-h743zi');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SimDseError);
    expect((caught as SimDseError).kind).toBe('board');
    expect((caught as SimDseError).message).toBe(
      "unknown board 'nucleo-h743zi' (known: nucleo-f446re, nucleo-f401re, nucleo-l4r5zi, nucleo-l476rg, ideal)",
    );
  });
});

describe('memoryOf', () => {
  it('finds flash, the System-bus SRAM and the code-bus SRAM2 window of the L4R5', () => {
    const m = memoryOf(getBoard('nucleo-l4r5zi'));
    expect([m.flash.base, m.sram.base, m.sram.size, m.codeSram?.base, m.codeSram?.size]).toEqual([0x0800_0000, 0x2000_0000, 640 * KB, 0x1000_0000, 64 * KB]);
    expect(memoryOf(getBoard('nucleo-f446re')).codeSram).toBeNull();
  });

  it('serves the code region over I-Code/D-Code and 0x2000_0000 and up over the System bus', () => {
    expect([busOf(0x0800_0000), busOf(0x1000_0000), busOf(0x1fff_ffff), busOf(0x2000_0000), busOf(0xe000_0000)]).toEqual(['code', 'code', 'code', 'system', 'system']);
  });
});
