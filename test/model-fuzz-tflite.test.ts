/**
 * Fuzzing the model importer and the reference engine: mutants of the two
 * real models (byte flips, truncation, splices, flatbuffer offsets and
 * vtable entries) each import, prepare and run one inference, or throw a
 * SimDseError; nothing else (no TypeError, RangeError, native crash).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/model/engine/index.js';
import { importTflite } from '../src/model/tflite/import.js';
import { byteFlips, flatbufferFields, fuzz, mutantCount, splice, truncate, wordSet } from './helpers/fuzz.js';

const MODELS = join(import.meta.dirname, '..', '..', 'shared', 'models');
const MUTATORS = [byteFlips, truncate, splice, wordSet, flatbufferFields, flatbufferFields, flatbufferFields];

/** Import, prepare, one inference of a zero input: the path every command takes. */
function importAndRun(bytes: Uint8Array): void {
  const engine = createEngine(importTflite(bytes, 'mutant'));
  engine.run(new Uint8Array(engine.inputBytes));
}

describe('model fuzz: mutated .tflite files import and run, or fail cleanly', () => {
  for (const [file, seed] of [['lenet-cifar10-int8.tflite', 1], ['resnet8-cifar10-int8.tflite', 2]] as const) {
    it(`${file}: ${mutantCount(150, 2)} mutants (seed ${seed})`, () => {
      const input = new Uint8Array(readFileSync(join(MODELS, file)));
      importAndRun(input); // the real model itself runs
      const counts = fuzz(`tflite ${file}`, input, MUTATORS, seed, mutantCount(150, 2), importAndRun);
      expect(counts.crashes).toEqual([]);
      // the mutants exercise both sides: some still run, some are refused
      expect(counts.ok).toBeGreaterThan(0);
      expect(counts.clean).toBeGreaterThan(0);
    });
  }
});
