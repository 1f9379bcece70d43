/**
 * Code overlays (src/emulator/overlay.ts): two layer units linked as overlays
 * of one region of the L4R5 SRAM2 window, loaded by the network runtime's
 * loader (OVERLAY_LOADER) before each call. Their code has the same layout
 * (one 10-byte block at the same address) and different costs, so a cycle
 * model that knew blocks by address and size alone would charge the second
 * overlay the first one's cycles; Unicorn must also drop its translation of
 * the overwritten code (the return values check that the right code ran).
 */
import { describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { parseElf } from '../src/emulator/elf.js';
import { Machine } from '../src/emulator/machine.js';
import { overlayRangeOf } from '../src/emulator/overlay.js';
import { compileAndLink, type CSource } from '../src/kernels/compile/compile.js';
import { overlayCallSource } from '../src/kernels/network/assemble.js';
import { placedLinkScript } from '../src/kernels/placement/link-script.js';
import { layerUnit, type Placement } from '../src/kernels/placement/placement.js';

/** A layer unit whose function is four 16-bit instructions and `bx lr`. */
function unit(n: number, body: readonly string[]): CSource {
  const lines = [...body, 'bx lr'].map((l) => `  "  ${l}\\n"`).join('\n');
  return {
    name: `${layerUnit(n)}.c`,
    code: `__asm__(
  "  .syntax unified\\n  .thumb\\n  .text\\n  .p2align 2\\n"
  "  .global ${layerUnit(n)}\\n  .type ${layerUnit(n)}, %function\\n  .thumb_func\\n"
  "${layerUnit(n)}:\\n"
${lines}
);
`,
  };
}

// layer_1 adds 4 to r0 (4 ALU instructions); layer_2 adds 2 after three loads from the stack
const ALU = unit(1, ['adds r0, #1', 'adds r0, #1', 'adds r0, #1', 'adds r0, #1']);
const LOADS = unit(2, ['ldr r1, [sp]', 'ldr r1, [sp]', 'ldr r1, [sp]', 'adds r0, #2']);

/** Programs calling the overlaid layers in a given order (each through its `_overlaid` wrapper: load, then call). */
const PROGRAMS: CSource = {
  name: 'programs.c',
  code: `#include <stdint.h>
int layer_1_overlaid(const int8_t *, const int8_t *, int8_t *, void *);
int layer_2_overlaid(const int8_t *, const int8_t *, int8_t *, void *);
int run11(void) { return layer_1_overlaid(0, 0, 0, 0) + 100 * layer_1_overlaid(0, 0, 0, 0); }
int run12(void) { return layer_1_overlaid(0, 0, 0, 0) + 100 * layer_2_overlaid(0, 0, 0, 0); }
int run22(void) { return layer_2_overlaid(0, 0, 0, 0) + 100 * layer_2_overlaid(0, 0, 0, 0); }
int run21(void) { return layer_2_overlaid(0, 0, 0, 0) + 100 * layer_1_overlaid(0, 0, 0, 0); }
`,
};

/** The wrappers return what the layer left in r0: the layer prototype returns void, so the call is declared int above. */
const wrappers = [overlayCallSource([layerUnit(1), layerUnit(2)])];

const OVERLAYS: Placement = new Map([
  [layerUnit(1), { code: 'overlay', data: 'flash' }],
  [layerUnit(2), { code: 'overlay', data: 'flash' }],
]);

describe('code overlays in the SRAM window', () => {
  it('runs and costs each overlay as the code loaded at the time, not the first code seen at that address', async () => {
    // nucleo-l4r5zi's memory map with no wait states: the loader's flash reads then cost the same for both overlays
    const l4 = getBoard('nucleo-l4r5zi');
    const board = { ...l4, flashWaitStates: 0 };
    const { elf } = await compileAndLink({ sources: [ALU, LOADS, ...wrappers, PROGRAMS], board, jobs: 1, linkScriptFor: () => placedLinkScript(board, OVERLAYS) });
    const image = parseElf(elf, 'overlays.elf');
    const range = overlayRangeOf(image)!;
    expect(range.lo).toBe(0x1000_0000);
    expect(range.hi - range.lo).toBe(32); // each overlay 10 bytes, rounded up to the loader's 32-byte blocks
    expect(image.symbols.get('layer_1')!.value & ~1).toBe(image.symbols.get('layer_2')!.value & ~1);
    const machine = new Machine(image, board, 'overlays.elf');
    try {
      const run = (symbol: string) => {
        const r = machine.call({ symbol, args: [] }, { warm: true });
        if (r.kind !== 'ok') throw new Error(r.message);
        return { value: r.registers[0], cycles: r.cycles };
      };
      const [r11, r12, r22, r21] = ['run11', 'run12', 'run22', 'run21'].map(run);
      // the right code ran after each load (r0 starts at 0 in each wrapper call: the programs pass 0)
      expect([r11.value, r12.value, r22.value, r21.value]).toEqual([4 + 400, 4 + 200, 2 + 200, 2 + 400]);
      // three stack loads (2 + 1 + 1 cycles, pipelined) against three ALU instructions: one cycle more per call
      expect(r22.cycles - r11.cycles).toBe(2);
      // each overlay costs its own cycles whichever ran before it at that address
      expect(r12.cycles).toBe(r11.cycles + 1);
      expect(r21.cycles).toBe(r11.cycles + 1);
    } finally {
      machine.close();
    }
  });

  it('refuses overlays on a board without the SRAM window, before linking', () => {
    expect(() => placedLinkScript(getBoard('nucleo-f446re'), OVERLAYS)).toThrowError(
      "nucleo-f446re has no SRAM window in the code region: code cannot be placed at 'alias' or 'overlay'",
    );
  });
});
