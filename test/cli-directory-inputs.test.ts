/**
 * Input paths that are folders (issue 16b: these were internal errors,
 * exit 70): a model path and a dataset batch that are directories each give
 * one line naming the path and exit 1.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtCli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'sim-dse-dir-inputs-'));

describe('folders where files are expected', () => {
  it('eval --model <a directory>', () => {
    const dir = join(tmp, 'model.tflite');
    mkdirSync(dir);
    for (const model of [dir, tmp]) {
      const r = builtCli('eval', '--model', model, '--images', '1');
      expect([r.code, r.stdout, r.stderr]).toEqual([1, '', `sim-dse: cannot read model file ${model} (it is a directory)\n`]);
    }
  });

  it('a dataset batch that is a directory', () => {
    const data = join(tmp, 'data');
    mkdirSync(join(data, 'test_batch.bin'), { recursive: true });
    const r = builtCli('eval', '--model', 'lenet', '--data', data, '--images', '1');
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', `sim-dse: cannot read CIFAR-10 batch ${join(data, 'test_batch.bin')} (it is a directory)\n`]);
  });
});
