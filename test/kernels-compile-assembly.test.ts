import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { compileAndLink, compiledUnit, compilerActivity } from '../src/kernels/compile/compile.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { objectFootprint } from '../src/kernels/placement/fit.js';
import { emitUnpackedLayer } from '../src/kernels/unpacked/emit.js';
import { prepareGraph, type PreparedWeighted } from '../src/model/engine/prepare.js';
import { SimDseError } from '../src/util/errors.js';
import { loadModel } from './helpers/engine-fixtures.js';
import { randomMask } from './helpers/unpacked-fixtures.js';

/**
 * Units with assembly (CSource.assembly): an unpacked layer's C part is the same for every mask, so it is
 * compiled once and each mask costs one assembler run merged into the unit's object; a unit's assembly error
 * is one compiler error naming its .s file.
 */
describe.skipIf(compilerVersion() === null)('compiling units with assembly', () => {
  const saved = process.env.SIM_DSE_CACHE;
  beforeAll(() => {
    process.env.SIM_DSE_CACHE = mkdtempSync(join(tmpdir(), 'compile-assembly-'));
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.SIM_DSE_CACHE;
    else process.env.SIM_DSE_CACHE = saved;
  });

  it('two masks of LeNet fully_connected#8: one C part compiled, two assemblies merged, objects without undefined layer symbols', async () => {
    const op = prepareGraph(loadModel('lenet')).ops.find((o) => o.opIndex === 8) as PreparedWeighted;
    const [a, b] = [randomMask(op.weights.length, 10, 1), randomMask(op.weights.length, 30, 2)].map((m) => emitUnpackedLayer(op, 'layer_8', m).source);
    expect(a.code).toBe(b.code);
    expect(a.assembly).not.toBe(b.assembly);
    expect(a.code).not.toContain('__asm__'); // the assembly is apart, not a block of the C
    const board = getBoard('nucleo-f446re');
    const before = compilerActivity().compiled;
    const first = await compileAndLink({ sources: [a], board });
    expect(compilerActivity().compiled - before).toBe(2); // the C part, then the unit (assembly merged)
    const second = await compileAndLink({ sources: [b], board });
    expect(compilerActivity().compiled - before).toBe(3); // the unit only: its C part's object came from the cache
    expect([compiledUnit(a), compiledUnit(b), compiledUnit({ name: 'layer_8.c', code: a.code })]).toEqual([true, true, true]);
    for (const { objects } of [first, second]) {
      expect(objects.map((o) => o.name)).toEqual(['layer_8.c']);
      // the group functions the C calls are defined in the same object (no veneers when placed apart)
      expect(objectFootprint(objects[0]).undefinedSymbols).toBe(0);
    }
    expect(Buffer.from(first.elf).equals(Buffer.from(second.elf))).toBe(false);
  }, 300_000);

  it('the same unit compiled twice without the cache gives the same object bytes (the assembly names itself)', async () => {
    const op = prepareGraph(loadModel('lenet')).ops.find((o) => o.opIndex === 8) as PreparedWeighted;
    const unit = emitUnpackedLayer(op, 'layer_8', randomMask(op.weights.length, 20, 3)).source;
    expect(unit.assembly).toContain('.file "layer_8.s"');
    const board = getBoard('nucleo-f446re');
    const [a, b] = [await compileAndLink({ sources: [unit], board, cache: false }), await compileAndLink({ sources: [unit], board, cache: false })];
    expect(Buffer.from(a.objects[0].object).equals(Buffer.from(b.objects[0].object))).toBe(true);
    expect(Buffer.from(a.elf).equals(Buffer.from(b.elf))).toBe(true);
  }, 300_000);

  it('an assembly error is one compiler error naming the .s file', async () => {
    const bad = { name: 'bad_unit.c', code: 'int bad_unit_x;\n', assembly: '  .syntax unified\n  .thumb\n  bogus_op r0, r1\n' };
    const err = await compileAndLink({ sources: [bad], board: getBoard('nucleo-f446re') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimDseError);
    expect((err as SimDseError).message).toMatch(/^assembling bad_unit\.s failed: .*bogus_op/);
  });
});
