/**
 * Per-layer kernel choice of a design point: each maskable layer runs the
 * faster of its unpacked and baseline kernels under the point's mask; when
 * the image does not fit the flash, layers go back to baseline, the one that
 * loses the fewest cycles per byte saved first, until it fits (or nothing
 * more can be saved). Pure; ties keep baseline (smaller) and the lowest layer.
 */
/** One layer's two options. */
export interface LayerOptions {
  readonly unpacked: { readonly cycles: number; readonly flashBytes: number };
  readonly baseline: { readonly cycles: number; readonly flashBytes: number };
}

/** The styles the choice is between (the sparse kernel is not part of the design space). */
export type ChosenStyle = keyof LayerOptions;

/** The chosen kernels, their total flash (with `fixedFlash`) and whether it fits. */
export interface KernelChoice {
  readonly kernels: readonly ChosenStyle[];
  readonly flashBytes: number;
  readonly fits: boolean;
}

/** Chooses a kernel per layer (see the module comment). */
export function chooseKernels(layers: readonly LayerOptions[], fixedFlash: number, flashLimit: number): KernelChoice {
  const choice: ChosenStyle[] = layers.map((l) => (l.unpacked.cycles < l.baseline.cycles ? 'unpacked' : 'baseline'));
  const flash = (): number => fixedFlash + choice.reduce((s, k, i) => s + layers[i][k].flashBytes, 0);
  while (flash() > flashLimit) {
    let best = -1;
    let bestRate = Infinity;
    choice.forEach((k, i) => {
      if (k !== 'unpacked') return;
      const saved = layers[i].unpacked.flashBytes - layers[i].baseline.flashBytes;
      if (saved <= 0) return;
      const rate = (layers[i].baseline.cycles - layers[i].unpacked.cycles) / saved;
      if (rate < bestRate) {
        bestRate = rate;
        best = i;
      }
    });
    if (best < 0) break;
    choice[best] = 'baseline';
  }
  const flashBytes = flash();
  return { kernels: choice, flashBytes, fits: flashBytes <= flashLimit };
}
