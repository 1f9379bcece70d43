import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../src/model/errors.js';
import type { Graph } from '../src/model/ir.js';
import { formatSkipConfig, maskLength, parseSkipConfig, readSkipConfig } from '../src/model/skip-config.js';
import { FileError } from '../src/util/errors.js';

/** conv (op 0, weights [2,1,1,3] = 6) -> reshape (op 1) -> FC (op 2, weights [2,4] = 8). */
const g: Graph = {
  name: 'tiny',
  tensors: [
    { index: 0, name: 'in', shape: [1, 2, 2, 3], dtype: 'int8', quant: null, data: null },
    { index: 1, name: 'cw', shape: [2, 1, 1, 3], dtype: 'int8', quant: null, data: new Uint8Array(6) },
    { index: 2, name: 'c', shape: [1, 2, 2, 2], dtype: 'int8', quant: null, data: null },
    { index: 3, name: 'r', shape: [1, 8], dtype: 'int8', quant: null, data: null },
    { index: 4, name: 'fw', shape: [2, 8], dtype: 'int8', quant: null, data: new Uint8Array(16) },
    { index: 5, name: 'out', shape: [1, 2], dtype: 'int8', quant: null, data: null },
  ],
  ops: [
    { index: 0, kind: 'CONV_2D', inputs: [0, 1, -1], outputs: [2], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 'NONE' },
    { index: 1, kind: 'RESHAPE', inputs: [2], outputs: [3] },
    { index: 2, kind: 'FULLY_CONNECTED', inputs: [3, 4, -1], outputs: [5], activation: 'NONE', keepNumDims: false },
  ],
  inputs: [0],
  outputs: [5],
};
const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');
const doc = (masks: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ version: 1, model: 'tiny', masks, ...extra });

describe('skip configuration', () => {
  it('round-trips through format and parse', () => {
    const masks = new Map([[2, Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])], [0, Uint8Array.from([0, 1, 0, 0, 0, 1])]]);
    const text = formatSkipConfig(g, masks);
    expect(JSON.parse(text)).toEqual({ version: 1, model: 'tiny', masks: { '0': 'AAEAAAAB', '2': 'AQAAAAAAAAEBAQAAAAAAAA==' } });
    const back = parseSkipConfig(text, g, 'x.json');
    expect([...back.keys()]).toEqual([0, 2]);
    expect(Array.from(back.get(0)!)).toEqual([0, 1, 0, 0, 0, 1]);
    expect([maskLength(g, 0), maskLength(g, 2)]).toEqual([6, 16]);
  });

  it('names the problem in one line', () => {
    const cases: [string, string][] = [
      ['{', 'c.json: not valid JSON'],
      [doc({}, { version: 2 }), 'c.json: version 2 is not supported (expected 1)'],
      [doc({}, { model: 'lenet' }), 'c.json: written for model "lenet", not "tiny"'],
      [doc({ '7': b64([0]) }), 'c.json: operator 7 does not exist (the model has 3)'],
      [doc({ '1': b64([0]) }), 'c.json: operator 1 (RESHAPE) is not maskable; only CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED are'],
      [doc({ x: b64([0]) }), 'c.json: mask key "x" is not an operator index'],
      [doc({ '0': b64([0, 0, 0]) }), 'c.json: mask of operator 0 has 3 bytes, but the layer has 6 weights'],
      [doc({ '0': '!!!' }), 'c.json: mask of operator 0 is not a base64 string'],
      [doc({ '0': b64([0, 2, 0, 0, 0, 0]) }), 'c.json: mask of operator 0: byte 1 is 2 (expected 0 = kept or 1 = skipped)'],
      [JSON.stringify({ version: 1, model: 'tiny', masks: [] }), 'c.json: "masks" must be an object {"<operator index>": "<base64>"}'],
    ];
    for (const [text, message] of cases) {
      let caught: unknown;
      try {
        parseSkipConfig(text, g, 'c.json');
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ModelError);
      expect((caught as Error).message.startsWith(message)).toBe(true);
    }
  });

  it('reads a file and reports a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skip-'));
    writeFileSync(join(dir, 's.json'), doc({ '2': b64(new Array(16).fill(1)) }));
    expect(readSkipConfig(join(dir, 's.json'), g).get(2)!.reduce((a, x) => a + x, 0)).toBe(16);
    expect(() => readSkipConfig(join(dir, 'none.json'), g)).toThrow(new FileError(`cannot read skip configuration ${join(dir, 'none.json')} (ENOENT)`));
  });
});
