/**
 * A small hand-written network for firmware tests (the real generated
 * network is the team lead's): input 16 int8, layer `dense` 16 -> 4 with
 * fixed weights, layer `relu`, output 4 int8; its layer names are those the
 * kernels give the two FULLY_CONNECTED operators of {@link writeFakeModel}'s
 * model (`<kind>#<opIndex>`), so that `validate` can check a log against it. Follows the network contract
 * of src/firmware/export.ts (sim_infer, sim_layer_names, sim_marks).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FirmwareNetwork } from '../../src/firmware/export.js';
import { argmax } from '../../src/model/accuracy.js';
import { writeTflite } from '../../src/model/tflite/write.js';
import { GraphBuilder } from './engine-fixtures.js';

const IN = 16;
const OUT = 4;

/** Weight w[j][i] of the fake dense layer. */
function weight(j: number, i: number): number {
  return ((i * 7 + j * 13) % 11) - 5;
}

const code = `#include <stdint.h>
#define SIM_LAYER_COUNT 2
#define CYCCNT (*(volatile uint32_t *)0xE0001004u)
const char *const sim_layer_names[SIM_LAYER_COUNT] = {"fully_connected#0", "fully_connected#1"};
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
  layerNames: ['fully_connected#0', 'fully_connected#1'],
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

/** Argmax, ties to the lowest index (as the firmware): the library's own. */
export { argmax };

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

/** One maskable layer of a fake store row. */
export interface FakeLayer {
  readonly opIndex: number;
  readonly cycles: number;
  readonly skipped?: number;
  readonly weights?: number;
  /** The kernel style the run chose for the layer (absent: unpacked). */
  readonly kernels?: 'baseline' | 'unpacked' | 'sparse';
}

/** A fake point row of a run store (src/explore/store/rows.ts layout). */
export function fakeRow(id: number, layers: readonly FakeLayer[], extra: { cycles?: number; flashBytes?: number; fits?: boolean; settings?: unknown[] } = {}): Record<string, unknown> {
  return {
    id,
    hash: `h${id}`,
    masksHash: `m${id}`,
    phase: 'search',
    genome: [],
    config: { metric: 'magnitude', settings: extra.settings ?? [] },
    skipped: layers.reduce((s, l) => s + (l.skipped ?? 0), 0),
    weights: layers.reduce((s, l) => s + (l.weights ?? 100), 0),
    correct: 7,
    images: 10,
    top1: 0.7,
    cycles: extra.cycles ?? layers.reduce((s, l) => s + l.cycles, 0),
    flashBytes: extra.flashBytes ?? 50_000,
    fits: extra.fits ?? true,
    layers: layers.map((l) => ({ opIndex: l.opIndex, skipped: l.skipped ?? 0, weights: l.weights ?? 100, cycles: l.cycles, ...(l.kernels ? { kernels: l.kernels } : {}) })),
  };
}

/** Writes a fake run directory (config.json + points.jsonl) for `model` on `board`. */
export function writeFakeRun(dir: string, model: { name: string; sha256: string; file: string }, board: string, rows: readonly Record<string, unknown>[]): void {
  mkdirSync(dir, { recursive: true });
  const config = {
    version: 1,
    model,
    board,
    metric: 'magnitude',
    latency: 'emulated',
    space: {},
    search: { strategy: 'grid', budget: 10, population: 10, seed: 1 },
    images: { search: 10, full: 10000, dataset: 'test_batch.bin' },
    seedGrid: false,
  };
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(join(dir, 'points.jsonl'), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/**
 * Writes a two-operator .tflite (FULLY_CONNECTED 16 -> 4, FULLY_CONNECTED
 * 4 -> 4) whose kernel layer names are the fake network's, and returns it as
 * a run's config names its model (name, sha256, file).
 */
export function writeFakeModel(path: string): { name: string; sha256: string; file: string } {
  const b = new GraphBuilder();
  const x = b.tensor([1, IN], 'int8', 1, 0);
  const w0 = b.tensor([OUT, IN], 'int8', 0.25, 0, Array.from({ length: OUT * IN }, (_, k) => weight(k >> 4, k & 15)));
  const b0 = b.tensor([OUT], 'int32', null, 0, new Array<number>(OUT).fill(0));
  const h = b.tensor([1, OUT], 'int8', 2, 0);
  b.op({ kind: 'FULLY_CONNECTED', inputs: [x, w0, b0], outputs: [h], activation: 'RELU', keepNumDims: false });
  const w1 = b.tensor([OUT, OUT], 'int8', 0.25, 0, [4, 0, 0, 0, 0, 4, 0, 0, 0, 0, 4, 0, 0, 0, 0, 4]);
  const b1 = b.tensor([OUT], 'int32', null, 0, new Array<number>(OUT).fill(0));
  const y = b.tensor([1, OUT], 'int8', 2, 0);
  b.op({ kind: 'FULLY_CONNECTED', inputs: [h, w1, b1], outputs: [y], activation: 'NONE', keepNumDims: false });
  const bytes = writeTflite(b.graph(x, y));
  writeFileSync(path, bytes);
  return { name: basename(path, '.tflite'), sha256: createHash('sha256').update(bytes).digest('hex'), file: basename(path) };
}

export { cli } from './cli.js';
