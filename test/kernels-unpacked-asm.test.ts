import { beforeAll, describe, expect, it } from 'vitest';
import { callOverheadCycles, groupAsm, shapeFits } from '../src/kernels/unpacked/asm-schedule.js';
import { chooseAsmStructure } from '../src/kernels/unpacked/choose.js';
import { emitUnpackedLayer } from '../src/kernels/unpacked/emit.js';
import { pairWords } from '../src/kernels/unpacked/pair-words.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { ASM_STRUCTURES, structureName } from '../src/kernels/unpacked/structure.js';
import type { CSource } from '../src/kernels/compile/compile.js';
import { getBoard } from '../src/emulator/boards.js';
import type { Machine } from '../src/emulator/machine.js';
import { prepareGraph, type PreparedWeighted } from '../src/model/engine/prepare.js';
import type { SkipMask } from '../src/model/ir.js';
import { loadModel } from './helpers/engine-fixtures.js';
import { BIG_IDEAL, buildImage, callLayer, randomMask, reference, syntheticInput, syntheticLayer } from './helpers/unpacked-fixtures.js';

/**
 * The hand-scheduled (asm) form of the unpacked generator: the schedule of a
 * small group derived by hand (instructions and cycles), pair words, the
 * per-layer choice, bit-exactness with the engine for every asm structure on
 * layers with tail columns, odd channel counts, stride, dilation, depthwise
 * and FC under random and pair-aligned masks, and exact cycle anchors on the
 * zero-wait `ideal` board.
 */

const HAVE_CC = compilerVersion() !== null;

/** The group both hand-derived schedules use: 2 channels, words 0 and 16 (channel 1 has no word 16). */
const GROUP_WORDS = [[{ index: 0, word: 11 }, { index: 16, word: 12 }], [{ index: 0, word: 21 }]];

/** The loads and multiply-accumulates of a schedule, trimmed. */
const bodyOf = (g: { readonly text: readonly string[] }): string[] => g.text.filter((t) => /^\s+(ldr|smu|sml)/.test(t)).map((t) => t.trim());

describe('schedule', () => {
  it('pairs sites by patch word; a lone weight keeps its half, the other half 0', () => {
    const ch = { channel: 0, foldedBias: 0, sites: [{ offset: 0, weight: -2 }, { offset: 1, weight: 3 }, { offset: 3, weight: 5 }, { offset: 6, weight: -1 }] };
    expect(pairWords(ch)).toEqual([
      { index: 0, word: 0x0003fffe },
      { index: 1, word: 5 << 16 },
      { index: 3, word: 0xffff },
    ]);
  });

  it('2 channels x 2 positions, words 0 and 16 (step 16): hand-derived instructions and cycles', () => {
    // offset 0: both channels; load x(0), x(16), w0, w1 in one run (5 cycles), 4 SMUADs.
    // offset 16 (chain 0 -> 16): x(16) is already in a register; load x(32) and w2 (3 cycles), 2 SMLADs.
    // accumulators r2..r5 (g * P + j), operands r6.. ; overhead: BL + args 5, PUSH 11, MOVW/MOVT 2, POP r1 2, STM 5, POP pc 12.
    const g = groupAsm('k', GROUP_WORDS, 2, 16);
    expect(bodyOf(g)).toEqual([
      'ldr.w r6, [r0, #0]',
      'ldr.w r7, [r0, #64]',
      'ldr.w r8, [r1, #0]',
      'ldr.w r9, [r1, #4]',
      'smuad r2, r8, r6',
      'smuad r3, r8, r7',
      'smuad r4, r9, r6',
      'smuad r5, r9, r7',
      'ldr.w r6, [r0, #128]',
      'ldr.w r8, [r1, #8]',
      'smlad r2, r8, r7, r2',
      'smlad r3, r8, r6, r3',
    ]);
    expect(g.data).toEqual(['  .p2align 2', 'k_w:', '  .word 11', '  .word 21', '  .word 12']);
    expect(callOverheadCycles(4)).toBe(37);
    expect(g.cycles).toBe(37 + 5 + 4 + 3 + 2);
  });

  it('with biases: the table starts with them, one run of loads starts every accumulator, every MAC accumulates', () => {
    // the same group as above with biases 100 and -7: loads of acc (g, j) from word g (4 loads, 5 cycles), the
    // weights move up two words, every SMUAD becomes an SMLAD (same cycles)
    const g = groupAsm('k', GROUP_WORDS, 2, 16, true, [100, -7]);
    expect(bodyOf(g)).toEqual([
      'ldr.w r2, [r1, #0]',
      'ldr.w r3, [r1, #0]',
      'ldr.w r4, [r1, #4]',
      'ldr.w r5, [r1, #4]',
      'ldr.w r6, [r0, #0]',
      'ldr.w r7, [r0, #64]',
      'ldr.w r8, [r1, #8]',
      'ldr.w r9, [r1, #12]',
      'smlad r2, r8, r6, r2',
      'smlad r3, r8, r7, r3',
      'smlad r4, r9, r6, r4',
      'smlad r5, r9, r7, r5',
      'ldr.w r6, [r0, #128]',
      'ldr.w r8, [r1, #16]',
      'smlad r2, r8, r7, r2',
      'smlad r3, r8, r6, r3',
    ]);
    expect(g.data).toEqual(['  .p2align 2', 'k_w:', '  .word 100', '  .word -7', '  .word 11', '  .word 21', '  .word 12']);
    expect(g.cycles).toBe(37 + 5 + 5 + 4 + 3 + 2);
    expect(g.loads).toBe(4 + 6);
  });

  it('holds the weights and streams the inputs when the inputs do not fit beside the accumulators (2 x 4)', () => {
    const g = groupAsm('k', [[{ index: 0, word: 1 }], [{ index: 0, word: 2 }]], 4, 8);
    const body = g.text.filter((t) => /^\s+(ldr|smu)/.test(t)).map((t) => t.trim());
    // 8 accumulators r2..r9, operands r10, r11, r12, lr: w0 w1 + x0 x1, then x2 x3
    expect(body.slice(0, 4)).toEqual(['ldr.w r10, [r1, #0]', 'ldr.w r11, [r1, #4]', 'ldr.w r12, [r0, #0]', 'ldr.w lr, [r0, #32]']);
    expect(body[8]).toBe('ldr.w r12, [r0, #64]');
    expect(g.cycles).toBe(callOverheadCycles(8) + 5 + 4 + 3 + 4);
  });

  it('moves the patch base by 2048 when a word is out of LDR.W reach', () => {
    const g = groupAsm('k', [[{ index: 0, word: 1 }, { index: 1100, word: 2 }]], 1, 0);
    expect(g.text).toContain('  add.w r0, r0, #4096');
    expect(g.text).toContain('  ldr.w r3, [r0, #304]'); // 4400 - 4096
  });

  it('rejects shapes without an operand register', () => {
    expect(shapeFits(4, 2)).toBe(true);
    expect(shapeFits(3, 3)).toBe(false);
    expect(() => groupAsm('k', [[{ index: 0, word: 1 }], [{ index: 0, word: 1 }], [{ index: 0, word: 1 }]], 3, 1)).toThrow(/register file/);
  });
});

describe('per-layer choice', () => {
  const lenet = prepareGraph(loadModel('lenet'));
  const conv3 = lenet.ops.find((p) => p.opIndex === 3) as PreparedWeighted;

  it('LeNet conv 3: the fastest estimate within the budget; the smallest when nothing fits', () => {
    expect(structureName(chooseAsmStructure(conv3, 'f', undefined).structure)).toBe('asm-g2-p3');
    expect(structureName(chooseAsmStructure(conv3, 'f', undefined, 1000).structure)).toBe('asm-g4-p1');
  });
});

/** Synthetic layers: tails for every P (width 7), odd channels (5 -> pixels of 6), stride, dilation, depthwise, FC with odd inputs. */
const LAYERS: readonly PreparedWeighted[] = [
  syntheticLayer('conv', { n: 1, h: 6, w: 9, c: 5, kh: 3, kw: 3, oc: 7, sh: 1, sw: 1, dh: 1, dw: 1, padTop: 1, padLeft: 1, oh: 6, ow: 7 }, 11),
  syntheticLayer('conv', { n: 2, h: 9, w: 7, c: 6, kh: 3, kw: 2, oc: 5, sh: 2, sw: 1, dh: 1, dw: 2, padTop: 1, padLeft: 1, oh: 5, ow: 7 }, 12),
  syntheticLayer('conv', { n: 1, h: 9, w: 16, c: 4, kh: 3, kw: 3, oc: 6, sh: 2, sw: 2, dh: 1, dw: 1, padTop: 0, padLeft: 0, oh: 4, ow: 7 }, 13),
  syntheticLayer('depthwise', { n: 1, h: 6, w: 5, c: 3, kh: 3, kw: 3, oc: 6, sh: 1, sw: 2, dh: 1, dw: 1, padTop: 1, padLeft: 1, oh: 6, ow: 3, m: 2 }, 14),
  syntheticLayer('fc', { n: 3, h: 1, w: 1, c: 37, kh: 1, kw: 1, oc: 9, sh: 1, sw: 1, dh: 1, dw: 1, padTop: 0, padLeft: 0, oh: 1, ow: 1 }, 15),
];
/** Random mask percentages: every structure runs exact and pair-aligned 30 %, and one of these (by structure index). */
const PERCENTS = [10, 30, 60] as const;

/** A random mask that marks storage neighbours 2k and 2k + 1 alike (whole SMLAD pairs where they are input channels 2p, 2p + 1 of one tap). */
function pairMask(op: PreparedWeighted, percent: number, seed: number): SkipMask {
  const m = randomMask(op.weights.length, percent, seed);
  for (let i = 0; i + 1 < m.length; i += 2) m[i + 1] = m[i];
  return m;
}

describe.skipIf(!HAVE_CC)('bit-exact with the engine', () => {
  interface Case {
    readonly fn: string;
    readonly op: PreparedWeighted;
    readonly mask: SkipMask | undefined;
    readonly scratch: number;
  }
  const cases: Case[] = [];
  let machine: Machine;

  beforeAll(async () => {
    const sources: CSource[] = [];
    LAYERS.forEach((op, i) => {
      ASM_STRUCTURES.forEach((structure, k) => {
        const pct = PERCENTS[(i + k) % PERCENTS.length];
        const masks: Array<[string, SkipMask | undefined]> = [
          ['m0', undefined],
          ['p30', pairMask(op, 30, 7 + i)],
          [`m${pct}`, randomMask(op.weights.length, pct, 100 * i + pct)],
        ];
        for (const [tag, mask] of masks) {
          const fn = `l${i}_${structureName(structure).replace(/-/g, '_')}_${tag}`;
          const l = emitUnpackedLayer(op, fn, mask, { structure });
          sources.push(l.source);
          cases.push({ fn, op, mask, scratch: l.scratchBytes });
        }
      });
    });
    machine = await buildImage(sources, BIG_IDEAL);
    return () => machine.close();
  }, 900_000);

  LAYERS.forEach((op, i) => {
    const g = op.geometry;
    it(`${op.kind} ${g.c}->${g.oc} ${g.kh}x${g.kw} stride ${g.strideH}x${g.strideW}, width ${g.ow}: every asm structure exact, pair-aligned 30 % and a random 10, 30 or 60 % mask`, () => {
      const mine = cases.filter((c) => c.op === op);
      expect(mine.length).toBe(ASM_STRUCTURES.length * 3);
      const input = syntheticInput(op, 31 + i);
      for (const c of mine) {
        const want = reference(op, c.mask, input);
        const { out } = callLayer(machine, c.fn, new Uint8Array(input.buffer), want.length, c.scratch);
        expect(Buffer.from(out).equals(Buffer.from(want)), c.fn).toBe(true);
      }
    });
  });
});

describe.skipIf(!HAVE_CC)('cycle anchors on ideal (one cold call, exact weights, chosen structure)', () => {
  const lenet = prepareGraph(loadModel('lenet'));
  const conv5 = lenet.ops.find((p) => p.opIndex === 5) as PreparedWeighted; // 64 -> 64 3x3 at 4x4
  const layer = emitUnpackedLayer(conv5, 'lenet_conv5');
  const pairs = emitUnpackedLayer(conv5, 'lenet_conv5_p30', pairMask(conv5, 30, 5));
  let machine: Machine;

  beforeAll(async () => {
    machine = await buildImage([layer.source, pairs.source], getBoard('ideal'));
    return () => machine.close();
  }, 900_000);

  it('LeNet conv 5 exact and with 30 % of the weight pairs skipped', () => {
    const input = syntheticInput(conv5, 3);
    const outBytes = conv5.geometry.oh * conv5.geometry.ow * conv5.geometry.oc;
    const exact = callLayer(machine, 'lenet_conv5', new Uint8Array(input.buffer), outBytes, layer.scratchBytes);
    expect(Buffer.from(exact.out).equals(Buffer.from(reference(conv5, undefined, input)))).toBe(true);
    const skipped = callLayer(machine, 'lenet_conv5_p30', new Uint8Array(input.buffer), outBytes, pairs.scratchBytes);
    expect(Buffer.from(skipped.out).equals(Buffer.from(reference(conv5, pairMask(conv5, 30, 5), input)))).toBe(true);
    // 2 channels x 3 positions per pass (4 x 4 output: one full pass and a one-column tail per row); skipping
    // 30 % of the pairs removes their loads and SMLADs. Each call starts its accumulators at the folded biases
    // (G x P + 1 load cycles) and the C adds none (601,038 and 458,302 when the C added them).
    expect([exact.cycles, skipped.cycles]).toEqual([599894, 456454]);
  });
});
