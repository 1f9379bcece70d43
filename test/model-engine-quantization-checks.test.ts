import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareGraph } from '../src/model/engine/prepare.js';
import type { Graph, Tensor } from '../src/model/ir.js';
import { writeTflite } from '../src/model/tflite/write.js';
import { sharedDir } from '../src/util/paths.js';
import { builtCli } from './helpers/cli.js';
import { loadModel } from './helpers/engine-fixtures.js';

const have = existsSync(join(sharedDir() ?? '/nonexistent', 'models', 'lenet-cifar10-int8.tflite'));

/** LeNet with tensor `index`'s quantization replaced. */
function withQuant(g: Graph, index: number, scale: number, zeroPoint: number): Graph {
  const tensors = g.tensors.map((t): Tensor => (t.index === index ? { ...t, quant: { scale: new Float32Array([scale]), zeroPoint: new Int32Array([zeroPoint]), axis: 0 } } : t));
  return { ...g, tensors };
}

describe.skipIf(!have)('quantization parameters that would give confident wrong answers are refused', () => {
  const g = have ? loadModel('lenet') : (null as unknown as Graph);
  const conv = have ? g.ops.find((o) => o.kind === 'CONV_2D')! : null;
  const out = have ? g.tensors[conv!.outputs[0]] : null;

  it.each([
    [1e30, 'operator 1 (CONV_2D): channel 0 requantization scale'],
    [1e-30, 'operator 1 (CONV_2D): channel 0 requantization scale'],
  ])('output scale %s of the first convolution', (scale, start) => {
    expect(() => prepareGraph(withQuant(g, out!.index, scale, out!.quant!.zeroPoint[0]))).toThrow(start);
    expect(() => prepareGraph(withQuant(g, out!.index, scale, out!.quant!.zeroPoint[0]))).toThrow('cannot be represented in int8 fixed point (2^-31 to 2^30); are its tensor scales right?');
  });

  it('an int8 zero point of -129', () => {
    expect(() => prepareGraph(withQuant(g, out!.index, out!.quant!.scale[0], -129))).toThrow(
      `operator 1 (CONV_2D): output tensor ${out!.index} (${out!.name}) has zero point -129, outside int8's -128..127`,
    );
  });

  it('a graph whose output is its input', () => {
    expect(() => prepareGraph({ ...g, outputs: [g.inputs[0]] })).toThrow(`graph ${g.name}: output tensor ${g.inputs[0]} is never computed`);
  });

  it('eval on such a file: one line, exit 1, no top-1 printed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quant-checks-'));
    const file = join(dir, 'bad.tflite');
    writeFileSync(file, writeTflite(withQuant(g, out!.index, 1e30, 0)));
    const r = builtCli('eval', '--model', file, '--images', '10');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^sim-dse: operator 1 \(CONV_2D\): channel 0 requantization scale \S+ cannot be represented in int8 fixed point \(2\^-31 to 2\^30\); are its tensor scales right\?\n$/);
  });
});
