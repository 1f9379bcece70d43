import { beforeAll, describe, expect, it } from 'vitest';
import type { CSource } from '../src/kernels/compile/compile.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { emitUnpackedLayer } from '../src/kernels/unpacked/emit.js';
import { unpackedSiteCount } from '../src/kernels/unpacked/sites.js';
import { ALL_UNPACKED_STRUCTURES, structureName, type UnpackedStructure } from '../src/kernels/unpacked/structure.js';
import { getBoard } from '../src/emulator/boards.js';
import type { Machine } from '../src/emulator/machine.js';
import { createEngine } from '../src/model/engine/index.js';
import { prepareGraph, type PreparedWeighted } from '../src/model/engine/prepare.js';
import type { SkipMask } from '../src/model/ir.js';
import { SimDseError } from '../src/util/errors.js';
import { cifarInputs, loadModel } from './helpers/engine-fixtures.js';
import { BIG_IDEAL, buildImage, callLayer, randomMask, reference, syntheticInput, syntheticLayer } from './helpers/unpacked-fixtures.js';

/**
 * Unpacked kernels compiled with arm-none-eabi-gcc and run in the emulator
 * compute, byte for byte, what the reference engine computes with the same
 * skip mask: single layers of both shared models on the exact int8 input the
 * engine feeds each layer for real CIFAR-10 test images, unmasked and with
 * random 10 / 30 / 60 % masks; every code structure on real and synthetic
 * layers (padding, stride, dilation, batch, odd channel counts, depthwise);
 * fully masked channels and all-zero weights; a cycle-count anchor.
 */

const HAVE_CC = compilerVersion() !== null;
const IMAGES = 2;
const MASK_PERCENTS = [0, 10, 30, 60] as const;
/** Layers checked per model: first layers (3 channels), strided / padded ones, 1x1, the largest by MACs and by weights, FC. */
const LAYERS: Record<'lenet' | 'resnet8', readonly number[]> = {
  lenet: [1, 3, 8],
  resnet8: [0, 4, 6, 9, 14],
};

interface LayerRun {
  readonly input: Uint8Array;
  readonly output: Uint8Array;
}

/** One layer of a model with a mask, and the engine's input/output bytes of that layer per image. */
interface LayerCase {
  readonly name: string;
  readonly op: PreparedWeighted;
  readonly mask: SkipMask | undefined;
  readonly runs: readonly LayerRun[];
}

/** Engine intermediates of the chosen layers, every chosen layer masked alike, per mask percentage. */
function modelCases(model: 'lenet' | 'resnet8'): LayerCase[] {
  const graph = loadModel(model);
  const prepared = prepareGraph(graph);
  const engine = createEngine(graph);
  const { inputs } = cifarInputs(model, IMAGES);
  const ops = LAYERS[model].map((i) => prepared.ops.find((p) => p.opIndex === i) as PreparedWeighted);
  const cases: LayerCase[] = [];
  for (const pct of MASK_PERCENTS) {
    const masks = new Map(ops.map((op) => [op.opIndex, randomMask(op.weights.length, pct, 1000 * op.opIndex + pct + 1)] as const));
    const runs = ops.map(() => [] as LayerRun[]);
    for (const x of inputs) {
      const t = engine.trace(x, pct === 0 ? undefined : masks);
      ops.forEach((op, k) => runs[k].push({ input: t.get(op.input)!, output: t.get(op.output)! }));
    }
    ops.forEach((op, k) =>
      cases.push({ name: `${model}_op${op.opIndex}_m${pct}`, op, mask: pct === 0 ? undefined : masks.get(op.opIndex), runs: runs[k] }),
    );
  }
  return cases;
}

/** Synthetic layers: SAME padding with stride and dilation, batch 2, odd channels, depthwise x2, FC batch 3. */
const SYNTHETIC: readonly PreparedWeighted[] = [
  syntheticLayer('conv', { n: 2, h: 9, w: 7, c: 5, kh: 3, kw: 2, oc: 6, sh: 2, sw: 1, dh: 1, dw: 2, padTop: 1, padLeft: 1, oh: 5, ow: 7 }, 1),
  syntheticLayer('depthwise', { n: 1, h: 6, w: 5, c: 3, kh: 3, kw: 3, oc: 6, sh: 1, sw: 2, dh: 1, dw: 1, padTop: 1, padLeft: 1, oh: 6, ow: 3, m: 2 }, 2),
  syntheticLayer('fc', { n: 3, h: 1, w: 1, c: 37, kh: 1, kw: 1, oc: 9, sh: 1, sw: 1, dh: 1, dw: 1, padTop: 0, padLeft: 0, oh: 1, ow: 1 }, 3),
];

describe('unpackedSiteCount', () => {
  const lenet = prepareGraph(loadModel('lenet'));
  const op1 = lenet.ops.find((p) => p.opIndex === 1) as PreparedWeighted;

  it('counts the non-zero weights (LeNet conv 1: 864 weights, 4 zeros)', () => {
    expect(unpackedSiteCount(op1)).toBe(860);
  });

  it('leaves out masked weights, and a zero weight once even when masked', () => {
    const mask = new Uint8Array(864);
    mask.fill(1, 0, 27); // output channel 0
    const zerosInChannel0 = Array.from(op1.weights.subarray(0, 27)).filter((w) => w === 0).length;
    expect(unpackedSiteCount(op1, mask)).toBe(860 - (27 - zerosInChannel0));
  });

  it('rejects a mask of the wrong size with a kernels error', () => {
    expect(() => unpackedSiteCount(op1, new Uint8Array(863))).toThrow(SimDseError);
    expect(() => emitUnpackedLayer(op1, 'f', new Uint8Array(865))).toThrow(/865 bytes, expected 864/);
  });

  it('rejects a function name that is not a C identifier', () => {
    expect(() => emitUnpackedLayer(op1, '3x')).toThrow(/not a C identifier/);
  });

  it('generates the same C for the same inputs', () => {
    const mask = randomMask(864, 30, 5);
    expect(emitUnpackedLayer(op1, 'f', mask).source.code).toBe(emitUnpackedLayer(op1, 'f', mask.slice()).source.code);
  });
});

describe.skipIf(!HAVE_CC)('unpacked layers of the shared models, bit-exact with the engine', () => {
  for (const model of ['lenet', 'resnet8'] as const) {
    describe(model, () => {
      let cases: LayerCase[] = [];
      let machine: Machine;
      const scratch = new Map<string, number>();

      beforeAll(async () => {
        cases = modelCases(model);
        const layers = cases.map((c) => emitUnpackedLayer(c.op, c.name, c.mask));
        layers.forEach((l) => scratch.set(l.fn, l.scratchBytes));
        machine = await buildImage(layers.map((l) => l.source), BIG_IDEAL);
        return () => machine.close();
      }, 900_000);

      for (const pct of MASK_PERCENTS) {
        it(`layers ${LAYERS[model].join(', ')} with ${pct === 0 ? 'no mask' : `a ${pct} % mask`} on ${IMAGES} test images`, () => {
          const mine = cases.filter((c) => c.name.endsWith(`_m${pct}`));
          expect(mine.length).toBe(LAYERS[model].length);
          for (const c of mine) {
            for (const run of c.runs) {
              const { out } = callLayer(machine, c.name, run.input, run.output.length, scratch.get(c.name)!);
              expect(Buffer.from(out).equals(Buffer.from(run.output)), `${c.name}`).toBe(true);
            }
          }
        });
      }
    });
  }
});

describe.skipIf(!HAVE_CC)('every structure computes the same bytes', () => {
  const lenet = prepareGraph(loadModel('lenet'));
  const resnet = prepareGraph(loadModel('resnet8'));
  const real: Array<{ op: PreparedWeighted; mask: SkipMask }> = [
    // LeNet conv 1: VALID, 3 input channels (int8 direct reads; odd pixels padded in int16 patches)
    { op: lenet.ops.find((p) => p.opIndex === 1) as PreparedWeighted, mask: randomMask(864, 30, 11) },
    // ResNet-8 FC: 64 -> 10
    { op: resnet.ops.find((p) => p.opIndex === 14) as PreparedWeighted, mask: randomMask(640, 30, 12) },
  ];
  const subjects = [...real, ...SYNTHETIC.map((op, i) => ({ op, mask: randomMask(op.weights.length, 25, 20 + i) }))];
  let machine: Machine;
  const layers = new Map<string, { scratch: number }>();

  beforeAll(async () => {
    const sources: CSource[] = [];
    subjects.forEach((s, i) => {
      for (const structure of ALL_UNPACKED_STRUCTURES) {
        const l = emitUnpackedLayer(s.op, `s${i}_${structureName(structure).replace(/-/g, '_')}`, s.mask, { structure });
        sources.push(l.source);
        layers.set(l.fn, { scratch: l.scratchBytes });
      }
    });
    machine = await buildImage(sources, BIG_IDEAL);
    return () => machine.close();
  }, 900_000);

  subjects.forEach((s, i) => {
    it(`${s.op.kind} ${s.op.geometry.kh}x${s.op.geometry.kw} stride ${s.op.geometry.strideH}x${s.op.geometry.strideW} (layer ${i}): all ${ALL_UNPACKED_STRUCTURES.length} structures equal the engine`, () => {
      const input = syntheticInput(s.op, 77 + i);
      const want = reference(s.op, s.mask, input);
      for (const structure of ALL_UNPACKED_STRUCTURES) {
        const fn = `s${i}_${structureName(structure).replace(/-/g, '_')}`;
        const { out } = callLayer(machine, fn, new Uint8Array(input.buffer), want.length, layers.get(fn)!.scratch);
        expect(Buffer.from(out).equals(Buffer.from(want)), fn).toBe(true);
      }
    });
  });
});

describe.skipIf(!HAVE_CC)('edge cases and the cycle anchor', () => {
  const resnet = prepareGraph(loadModel('resnet8'));
  const fc = resnet.ops.find((p) => p.opIndex === 14) as PreparedWeighted; // 64 -> 10
  const conv6 = resnet.ops.find((p) => p.opIndex === 6) as PreparedWeighted; // 1x1 stride 2, 16 -> 32
  const masked3 = randomMask(fc.weights.length, 30, 99);
  masked3.fill(1, 3 * 64, 4 * 64); // output channel 3: bias only
  const zeroConv: PreparedWeighted = { ...conv6, weights: new Int8Array(conv6.weights.length) };
  const layerStructure: UnpackedStructure = { mac: 'mla', positions: 2, split: 'layer' };
  const emitted = {
    masked: emitUnpackedLayer(fc, 'fc_masked3', masked3),
    maskedLayer: emitUnpackedLayer(fc, 'fc_masked3_layer', masked3, { structure: layerStructure }),
    zero: emitUnpackedLayer(zeroConv, 'conv_zero', undefined),
    zeroLayer: emitUnpackedLayer(zeroConv, 'conv_zero_layer', undefined, { structure: layerStructure }),
    anchor: emitUnpackedLayer(fc, 'fc_exact', undefined),
  };
  let machine: Machine;
  let f446: Machine;

  beforeAll(async () => {
    // two layers in one translation unit: every helper is named after its layer function
    const [a, b] = [emitUnpackedLayer(conv6, 'conv_a').source, emitUnpackedLayer(fc, 'fc_b', masked3).source];
    const joined: CSource = { name: 'two_layers.c', code: a.code + b.code, assembly: `${a.assembly}\n${b.assembly}` };
    machine = await buildImage([...Object.values(emitted).map((l) => l.source), joined], BIG_IDEAL);
    f446 = await buildImage([emitted.anchor.source], getBoard('nucleo-f446re'));
    return () => {
      machine.close();
      f446.close();
    };
  }, 900_000);

  it('a fully masked output channel is its requantized bias at every position', () => {
    expect(emitted.masked.source.code).toContain('fc_masked3_fill_channel(ob + 3, ');
    const input = syntheticInput(fc, 5);
    const want = reference(fc, masked3, input);
    for (const l of [emitted.masked, emitted.maskedLayer, { fn: 'fc_b', scratchBytes: emitted.masked.scratchBytes }]) {
      const { out } = callLayer(machine, l.fn, new Uint8Array(input.buffer), 10, l.scratchBytes);
      expect(Array.from(out)).toEqual(Array.from(want));
    }
  });

  it('all-zero weights produce no multiply-accumulate and the bias-only output', () => {
    expect(unpackedSiteCount(zeroConv)).toBe(0);
    for (const l of [emitted.zero, emitted.zeroLayer]) expect(l.source.code).not.toMatch(/a0 \+=|__smlad\(/);
    const input = syntheticInput(conv6, 6);
    const want = reference(zeroConv, undefined, input);
    for (const l of [emitted.zero, emitted.zeroLayer]) {
      const { out } = callLayer(machine, l.fn, new Uint8Array(input.buffer), want.length, l.scratchBytes);
      expect(Buffer.from(out).equals(Buffer.from(want))).toBe(true);
    }
  });

  it('cycle anchor: ResNet-8 FC 64 -> 10, exact, default (chosen asm) structure, cold call on nucleo-f446re', () => {
    const input = syntheticInput(fc, 8);
    const { out, cycles } = callLayer(f446, 'fc_exact', new Uint8Array(input.buffer), 10, emitted.anchor.scratchBytes);
    expect(Array.from(out)).toEqual(Array.from(reference(fc, undefined, input)));
    // 2530 with the C smlad-p2-channel default; the chosen asm-g4-p1 (4 channels per call, 32 SMLADs each) takes 2285
    // (2277 when the C added the folded biases; now each call starts its accumulators at them: 3 calls, 4 + 4 + 2
    // loads, and their code's flash lines)
    expect(cycles).toBe(2285);
  });
});
