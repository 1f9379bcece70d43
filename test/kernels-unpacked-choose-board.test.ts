/**
 * The unpacked structure choice by board and code home (unpacked/choose.ts): on `ideal` and from
 * the SRAM2 window the zero-wait estimate decides; from flash with wait states and from SRAM over
 * the System bus the fetch stream does, so the structures with fewer code bytes per MAC win there.
 * The estimates follow the measured table of src/kernels/unpacked/README.md (e.g. ResNet-8 conv#9:
 * asm-g3-p2 1.67 cycles/MAC measured on nucleo-f446re against asm-g2-p4's 1.52).
 */
import { describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import type { CodeHome } from '../src/kernels/placement/placement.js';
import { asmCandidates, chooseAsmStructure, planCyclesAt } from '../src/kernels/unpacked/choose.js';
import { structureName } from '../src/kernels/unpacked/structure.js';
import { prepareGraph, type PreparedWeighted } from '../src/model/engine/prepare.js';
import { loadModel } from './helpers/engine-fixtures.js';

const TARGETS: [string, CodeHome][] = [
  ['ideal', 'flash'],
  ['nucleo-f446re', 'flash'],
  ['nucleo-l4r5zi', 'flash'],
  ['nucleo-l4r5zi', 'sram'],
  ['nucleo-l4r5zi', 'alias'],
];

const layer = (model: 'lenet' | 'resnet8', opIndex: number): PreparedWeighted =>
  prepareGraph(loadModel(model)).ops.find((o) => o.opIndex === opIndex) as PreparedWeighted;

describe('unpacked structure choice by board and code home', () => {
  const CASES: { model: 'lenet' | 'resnet8'; opIndex: number; chosen: string[] }[] = [
    { model: 'lenet', opIndex: 3, chosen: ['asm-g2-p3', 'asm-g2-p3', 'asm-g2-p3', 'asm-g2-p3', 'asm-g2-p3'] },
    { model: 'resnet8', opIndex: 5, chosen: ['asm-g2-p3', 'asm-g2-p4', 'asm-g2-p4', 'asm-g4-p2', 'asm-g2-p3'] },
    { model: 'resnet8', opIndex: 9, chosen: ['asm-g3-p2', 'asm-g2-p4', 'asm-g2-p4', 'asm-g4-p2', 'asm-g3-p2'] },
  ];
  for (const c of CASES) {
    it(`${c.model} conv#${c.opIndex}: ${c.chosen.join(', ')} on ${TARGETS.map(([b, h]) => `${b}/${h}`).join(', ')}`, () => {
      const op = layer(c.model, c.opIndex);
      const chosen = TARGETS.map(([b, code]) => structureName(chooseAsmStructure(op, 'f', undefined, undefined, { board: getBoard(b), code }).structure));
      expect(chosen).toEqual(c.chosen);
    });
  }

  it('the zero-wait estimate is the estimate on ideal and in the SRAM2 window; flash and the System bus only add', () => {
    const op = layer('resnet8', 5);
    for (const { plan } of asmCandidates(op, 'f', undefined)) {
      const at = (b: string, code: CodeHome): number => planCyclesAt(op, plan, { board: getBoard(b), code });
      expect([at('ideal', 'flash'), at('nucleo-l4r5zi', 'alias'), planCyclesAt(op, plan, undefined)]).toEqual([plan.cycles, plan.cycles, plan.cycles]);
      expect(at('nucleo-f446re', 'flash')).toBeGreaterThan(plan.cycles);
      expect(at('nucleo-l4r5zi', 'flash')).toBeGreaterThan(at('nucleo-f446re', 'flash'));
      expect(at('nucleo-l4r5zi', 'sram')).toBeGreaterThan(plan.cycles);
    }
  });
});
