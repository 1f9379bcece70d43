import { describe, expect, test } from 'vitest';
import { chooseKernels } from '../src/explore/evaluate/kernel-choice.js';

const layer = (uc: number, uf: number, bc: number, bf: number) => ({ unpacked: { cycles: uc, flashBytes: uf }, baseline: { cycles: bc, flashBytes: bf } });

describe('per-layer kernel choice', () => {
  test('each layer takes its faster kernel when everything fits', () => {
    const r = chooseKernels([layer(100, 50, 200, 10), layer(300, 80, 250, 20), layer(90, 40, 90, 5)], 1000, 10_000);
    // layer 2 ties: baseline (smaller) is kept
    expect(r).toEqual({ kernels: ['unpacked', 'baseline', 'baseline'], flashBytes: 1000 + 50 + 20 + 5, fits: true });
  });

  test('over the flash limit, the layer losing the fewest cycles per byte saved goes back first', () => {
    // A: 100 cycles lost for 400 bytes (0.25/B); B: 100 cycles lost for 100 bytes (1/B).
    const layers = [layer(900, 500, 1000, 100), layer(900, 200, 1000, 100)];
    expect(chooseKernels(layers, 0, 700)).toEqual({ kernels: ['unpacked', 'unpacked'], flashBytes: 700, fits: true });
    expect(chooseKernels(layers, 0, 699)).toEqual({ kernels: ['baseline', 'unpacked'], flashBytes: 300, fits: true });
    expect(chooseKernels(layers, 0, 199)).toEqual({ kernels: ['baseline', 'baseline'], flashBytes: 200, fits: false });
  });
});
