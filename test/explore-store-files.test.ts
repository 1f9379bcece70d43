import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendJsonLine, parseJsonLines, readJsonLines } from '../src/explore/store/jsonl-file.js';
import { rowConfiguration } from '../src/explore/store/point-config.js';
import { canonicalJson, checkSameRun, defaultRunId, type RunConfig } from '../src/explore/store/run-config.js';
import { openStore, readStore } from '../src/explore/store/run-store.js';

const config: RunConfig = {
  version: 1, model: { name: 'lenet', sha256: 'aa'.repeat(32), file: 'lenet.tflite' }, board: 'nucleo-f446re', metric: 'contribution', calibration: 128, latency: 'macs',
  space: { name: 'default', layers: [{ opIndex: 1, levels: [0, 0.5] }] }, search: { strategy: 'nsga2', budget: 100, population: 10, seed: 1, maxLoss: 10 },
  images: { search: 100, full: 10000, dataset: 'cifar10 test_batch.bin' }, seedGrid: true,
};

describe('JSON-lines files', () => {
  it('ignore a trailing partial line, and repair cuts it off the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsonl-'));
    const p = join(dir, 'rows.jsonl');
    appendJsonLine(p, { a: 1 });
    appendJsonLine(p, { a: 2 });
    appendFileSync(p, '{"a":3,"b"');
    expect(parseJsonLines(readFileSync(p, 'utf8'), p)).toEqual({ rows: [{ a: 1 }, { a: 2 }], completeLength: 16 });
    expect(readJsonLines(p)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(readFileSync(p, 'utf8').length).toBe(26); // a reader leaves the file alone
    expect(readJsonLines(p, true)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(readFileSync(p, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    expect(readJsonLines(join(dir, 'none.jsonl'))).toEqual([]);
  });
  it('name a corrupt complete line', () => {
    expect(() => parseJsonLines('{"a":1}\nnot json\n', 'x.jsonl')).toThrow('x.jsonl: line 2 is not valid JSON');
  });
});

describe('run configuration', () => {
  it('canonical JSON sorts keys at every level, so the default id ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
    const reordered = JSON.parse(JSON.stringify({ seedGrid: config.seedGrid, ...config })) as RunConfig;
    expect(defaultRunId(reordered)).toBe(defaultRunId(config));
    expect(defaultRunId(config)).toMatch(/^lenet-[0-9a-f]{10}$/);
    expect(defaultRunId({ ...config, search: { ...config.search, seed: 2 } })).not.toBe(defaultRunId(config));
  });

  it('refuses a run directory of another model or other options, naming what differs', () => {
    const other = { ...config, model: { name: 'resnet8', sha256: 'bb'.repeat(32), file: 'resnet8.tflite' } };
    expect(() => checkSameRun(config, other, 'runs/x')).toThrow(
      `run directory runs/x was made for model lenet (sha256 aaaaaaaaaaaa), not resnet8 (sha256 bbbbbbbbbbbb); choose another --id or --out`,
    );
    expect(() => checkSameRun(config, { ...config, images: { ...config.images, search: 500 }, seedGrid: false }, 'runs/x')).toThrow(
      'run directory runs/x was made with different options (images.search, seedGrid); choose another --id or --out',
    );
    expect(() => checkSameRun(config, JSON.parse(JSON.stringify(config)) as RunConfig, 'runs/x')).not.toThrow();
  });

  it('openStore creates a store, reopens it, and leaves it untouched when refusing', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'store-')), 'run');
    expect(openStore(dir, config).points).toEqual([]);
    const text = readFileSync(join(dir, 'config.json'), 'utf8');
    const row = { id: 0, hash: 'h0', masksHash: 'm0', phase: 'search', genome: [], config: {}, skipped: 0, weights: 0, correct: 1, images: 2, top1: 0.5, cycles: 9, flashBytes: 9, fits: true, layers: [] };
    const line = JSON.stringify(row);
    appendFileSync(join(dir, 'points.jsonl'), `${line}\n{"id":1`);
    expect(() => openStore(dir, { ...config, seedGrid: false })).toThrow('made with different options (seedGrid)');
    expect(readFileSync(join(dir, 'points.jsonl'), 'utf8')).toBe(`${line}\n{"id":1`);
    expect(readStore(dir).points).toEqual([row]);
    expect(openStore(dir, config).points).toEqual([row]);
    expect(readFileSync(join(dir, 'points.jsonl'), 'utf8')).toBe(`${line}\n`);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(text);
  });

  it('readStore names a folder that is not a run and a newer store version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    expect(() => readStore(dir)).toThrow(`${dir} is not a run directory (no config.json)`);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, version: 2 }));
    expect(() => readStore(dir)).toThrow(`${dir}: store version 2 is not supported (expected 1)`);
  });
});

describe('stored points', () => {
  it('read back as the configuration the run evaluated', () => {
    const row = { id: 4, config: { metric: 'seed', settings: [{ op: 3, kind: 'threshold', value: 0.002 }, { op: 5, kind: 'threshold', value: 0.001 }] } };
    expect(rowConfiguration(row)).toEqual({
      metric: 'seed',
      settings: [
        { kind: 'threshold', opIndex: 3, value: 0.002 },
        { kind: 'threshold', opIndex: 5, value: 0.001 },
      ],
    });
    expect(() => rowConfiguration({ id: 9, config: { metric: 'seed', settings: [{ op: 3, kind: 'threshold', value: 2 }] } })).toThrow('significance threshold 2 of layer 3 is out of range');
  });
});
