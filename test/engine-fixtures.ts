/**
 * Shared fixtures of the engine tests: the two real models (imported with
 * importTflite) and the first CIFAR-10 test images as model inputs, read with
 * a tiny local reader (3073-byte records: label, 1024 R, 1024 G, 1024 B).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importTflite } from '../src/model/tflite/import.js';
import type { Graph } from '../src/model/ir.js';

/** The shared data folder. */
export const SHARED = process.env.SIM_DSE_SHARED ?? '/work/shared';

/** A real model by name ('lenet' | 'resnet8'). */
export function loadModel(name: 'lenet' | 'resnet8'): Graph {
  const file = name === 'lenet' ? 'lenet-cifar10-int8.tflite' : 'resnet8-cifar10-int8.tflite';
  return importTflite(new Uint8Array(readFileSync(join(SHARED, 'models', file))), name);
}

/** The first `count` test images as input bytes of `model`, with their labels. */
export function cifarInputs(model: 'lenet' | 'resnet8', count: number): { inputs: Uint8Array[]; labels: number[] } {
  const raw = readFileSync(join(SHARED, 'datasets', 'cifar10', 'test_batch.bin'));
  const inputs: Uint8Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const rec = raw.subarray(i * 3073, (i + 1) * 3073);
    labels.push(rec[0]);
    if (model === 'resnet8') {
      const out = new Int8Array(3072);
      for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[p * 3 + c] = rec[1 + c * 1024 + p] - 128;
      inputs.push(new Uint8Array(out.buffer));
    } else {
      const out = new Float32Array(3072);
      for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[p * 3 + c] = rec[1 + c * 1024 + p] / 255;
      inputs.push(new Uint8Array(out.buffer));
    }
  }
  return { inputs, labels };
}
