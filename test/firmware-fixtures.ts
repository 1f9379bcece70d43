/**
 * A small hand-written network for firmware tests (the real generated
 * network is the team lead's): input 16 int8, layer `dense` 16 -> 4 with
 * fixed weights, layer `relu`, output 4 int8. Follows the network contract
 * of src/firmware/export.ts (sim_infer, sim_layer_names, sim_marks).
 */
import type { FirmwareNetwork } from '../src/firmware/export.js';

const IN = 16;
const OUT = 4;

/** Weight w[j][i] of the fake dense layer. */
function weight(j: number, i: number): number {
  return ((i * 7 + j * 13) % 11) - 5;
}

const code = `#include <stdint.h>
#define SIM_LAYER_COUNT 2
#define CYCCNT (*(volatile uint32_t *)0xE0001004u)
const char *const sim_layer_names[SIM_LAYER_COUNT] = {"dense", "relu"};
volatile uint32_t sim_marks[SIM_LAYER_COUNT + 1];
static const int8_t w[${OUT}][${IN}] = {
${Array.from({ length: OUT }, (_, j) => `  {${Array.from({ length: IN }, (_, i) => weight(j, i)).join(', ')}},`).join('\n')}
};
static int8_t hidden[${OUT}];
static void dense(const int8_t *in, int8_t *out) {
  for (int j = 0; j < ${OUT}; j++) {
    int32_t acc = 0;
    for (int i = 0; i < ${IN}; i++) acc += (int32_t)in[i] * w[j][i];
    acc >>= 4;
    out[j] = (int8_t)(acc < -128 ? -128 : acc > 127 ? 127 : acc);
  }
}
static void relu(const int8_t *in, int8_t *out) {
  for (int j = 0; j < ${OUT}; j++) out[j] = in[j] < 0 ? 0 : in[j];
}
void sim_infer(const int8_t *in, int8_t *out) {
  sim_marks[0] = CYCCNT;
  dense(in, hidden);
  sim_marks[1] = CYCCNT;
  relu(hidden, out);
  sim_marks[2] = CYCCNT;
}
`;

/** The fake network. */
export const fakeNetwork: FirmwareNetwork = {
  sources: [{ name: 'fake_net.c', code }],
  layerNames: ['dense', 'relu'],
  inputBytes: IN,
  outputBytes: OUT,
};

/** The fake network's output for an input (what the C computes). */
export function fakeInfer(input: Int8Array): Int8Array {
  const out = new Int8Array(OUT);
  for (let j = 0; j < OUT; j++) {
    let acc = 0;
    for (let i = 0; i < IN; i++) acc += input[i] * weight(j, i);
    acc >>= 4;
    out[j] = Math.max(0, Math.max(-128, Math.min(127, acc)));
  }
  return out;
}

/** Argmax, ties to the lowest index (as the firmware). */
export function argmax(v: Int8Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** `n` deterministic test inputs and labels (label = the fake network's prediction, except image 1). */
export function fakeImages(n: number): { inputs: Uint8Array[]; labels: number[] } {
  const inputs: Uint8Array[] = [];
  const labels: number[] = [];
  for (let k = 0; k < n; k++) {
    const v = new Int8Array(IN);
    for (let i = 0; i < IN; i++) v[i] = ((i * 37 + k * 101) % 255) - 127;
    inputs.push(new Uint8Array(v.buffer));
    const pred = argmax(fakeInfer(v));
    labels.push(k === 1 ? (pred + 1) % OUT : pred);
  }
  return { inputs, labels };
}
