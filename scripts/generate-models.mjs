#!/usr/bin/env node
/**
 * Writes two int8 test models with the project's own .tflite writer
 * (dist/model/tflite/write.js; run `npm run build` first), deterministically
 * (weights and biases from a seeded xorshift32, so the same bytes every time):
 *
 *  - mobilenet-128.tflite: a MobileNet-style network on a 128x128x3 input (so
 *    CIFAR-10 images are resized): a 3x3 stride-2 SAME conv to 4 channels,
 *    three depthwise 3x3 + pointwise 1x1 blocks (the first with PAD before a
 *    stride-2 VALID depthwise), MEAN over H and W, FULLY_CONNECTED, SOFTMAX;
 *    it fits nucleo-f446re's 128 KB SRAM (input 48 KB, largest live pair of
 *    activations 33 KB, stack);
 *  - resnet14.tflite: a ResNet-14 on 32x32x3 (a 3x3 stem conv, three stages
 *    of two residual blocks with ADD, 4/8/16 channels, 1x1 stride-2
 *    shortcuts between stages), MEAN, FULLY_CONNECTED, SOFTMAX.
 *
 * Their weights are random: top-1 is near chance (10 %); they exist to run
 * every operator and every command on models other than the shared two.
 * Inputs are int8 with scale 1/255 and zero point -128, so their
 * preprocessing (int8 = pixel - 128) is derived from the input quantization.
 *
 * Usage: node scripts/generate-models.mjs [--out DIR]   (default: generated-models/, gitignored)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const { writeTflite } = await import(join(ROOT, 'dist', 'model', 'tflite', 'write.js'));

/** xorshift32 stream of integers in [lo, hi]. */
function ints(seed) {
  let s = seed >>> 0 || 1;
  return (lo, hi) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return lo + (s % (hi - lo + 1));
  };
}

/** A graph under construction: tensors and operators in the IR the writer takes. */
class Net {
  constructor(name, seed) {
    this.name = name;
    this.tensors = [];
    this.ops = [];
    this.next = ints(seed);
  }

  tensor(shape, dtype, scale, zp, data, axis = 0) {
    const index = this.tensors.length;
    const scales = scale === null ? null : Array.isArray(scale) ? scale : [scale];
    let bytes = null;
    if (data) bytes = new Uint8Array((dtype === 'int8' ? Int8Array.from(data) : Int32Array.from(data)).buffer);
    this.tensors.push({
      index,
      name: `t${index}`,
      shape,
      dtype,
      quant: scales === null ? null : { scale: Float64Array.from(scales.map(Math.fround)), zeroPoint: Int32Array.from(scales.map(() => zp)), axis },
      data: bytes,
    });
    return index;
  }

  /** An activation tensor with the scale and zero point of `like`, or the given ones. */
  act(shape, scale, zp) {
    return this.tensor(shape, 'int8', scale, zp);
  }

  op(fields) {
    this.ops.push({ ...fields, index: this.ops.length });
  }

  /** Random int8 weights (shape), per-channel scales chosen so outputs keep the input's magnitude, random int32 biases. */
  weights(shape, channels, axis, fanIn, inScale, zeroMean = false) {
    const n = shape.reduce((a, b) => a * b, 1);
    const w = Array.from({ length: n }, () => this.next(-127, 127));
    // The stem: zero-mean per output channel (channel = index % channels on axis 3, index / (n / channels) on axis 0): features respond to contrast, not to the image's mean.
    const of = (i) => (axis === 3 ? i % channels : Math.floor(i / (n / channels)));
    const sums = new Array(channels).fill(0);
    w.forEach((v, i) => (sums[of(i)] += v));
    if (zeroMean) for (let i = 0; i < n; i++) w[i] = Math.max(-127, Math.min(127, w[i] - Math.round(sums[of(i)] / (n / channels))));
    const scales = Array.from({ length: channels }, (_, c) => (GAIN + 0.2 * (c % 5)) / (127 * Math.sqrt(fanIn)));
    const wt = this.tensor(shape, 'int8', scales, 0, w, axis);
    const bias = this.tensor([channels], 'int32', scales.map((s) => Math.fround(s) * Math.fround(inScale)), 0, Array.from({ length: channels }, () => this.next(-400, 400)));
    return [wt, bias];
  }

  /** CONV_2D (k x k) from `x` [1,h,w,c] to `oc` channels. */
  conv(x, oc, k, stride, padding, activation, out = { scale: ACT, zp: activation === 'NONE' ? 0 : -128 }) {
    const [, h, w, c] = this.tensors[x].shape;
    const oh = padding === 'SAME' ? Math.ceil(h / stride) : Math.floor((h - k) / stride) + 1;
    const ow = padding === 'SAME' ? Math.ceil(w / stride) : Math.floor((w - k) / stride) + 1;
    const [f, b] = this.weights([oc, k, k, c], oc, 0, k * k * c, this.tensors[x].quant.scale[0], c === 3);
    const y = this.act([1, oh, ow, oc], out.scale, out.zp);
    this.op({ kind: 'CONV_2D', inputs: [x, f, b], outputs: [y], padding, strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, activation });
    return y;
  }

  /** DEPTHWISE_CONV_2D 3x3, multiplier 1, RELU6. */
  depthwise(x, stride, padding) {
    const [, h, w, c] = this.tensors[x].shape;
    const oh = padding === 'SAME' ? Math.ceil(h / stride) : Math.floor((h - 3) / stride) + 1;
    const ow = padding === 'SAME' ? Math.ceil(w / stride) : Math.floor((w - 3) / stride) + 1;
    const [f, b] = this.weights([1, 3, 3, c], c, 3, 9, this.tensors[x].quant.scale[0]);
    const y = this.act([1, oh, ow, c], ACT, -128);
    this.op({ kind: 'DEPTHWISE_CONV_2D', inputs: [x, f, b], outputs: [y], padding, strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, depthMultiplier: 1, activation: 'RELU6' });
    return y;
  }

  /** PAD of H and W by (top, bottom, left, right), with the input's quantization. */
  pad(x, top, bottom, left, right) {
    const t = this.tensors[x];
    const [n, h, w, c] = t.shape;
    const p = this.tensor([4, 2], 'int32', null, 0, [0, 0, top, bottom, left, right, 0, 0]);
    const y = this.act([n, h + top + bottom, w + left + right, c], t.quant.scale[0], t.quant.zeroPoint[0]);
    this.op({ kind: 'PAD', inputs: [x, p], outputs: [y] });
    return y;
  }

  /** MEAN over H and W, FULLY_CONNECTED to 10 classes, SOFTMAX: the classifier head; returns the output tensor. */
  head(x) {
    const t = this.tensors[x];
    const c = t.shape[3];
    const axes = this.tensor([2], 'int32', null, 0, [1, 2]);
    const m = this.act([1, c], t.quant.scale[0] / 2, t.quant.zeroPoint[0]);
    this.op({ kind: 'MEAN', inputs: [x, axes], outputs: [m], keepDims: false });
    const [w, b] = this.weights([10, c], 10, 0, c, t.quant.scale[0]);
    const logits = this.act([1, 10], 0.08, 0);
    this.op({ kind: 'FULLY_CONNECTED', inputs: [m, w, b], outputs: [logits], activation: 'NONE', keepNumDims: false });
    const probs = this.act([1, 10], 1 / 256, -128);
    this.op({ kind: 'SOFTMAX', inputs: [logits], outputs: [probs], beta: 1 });
    return probs;
  }

  graph(input, output) {
    return { name: this.name, tensors: this.tensors, ops: this.ops, inputs: [input], outputs: [output] };
  }
}

/** Scale of every hidden activation. */
const ACT = 0.03;
/** Weight scale gain (about 3.5 / sqrt(fan-in) per int8 step): keeps activations alive through RELU layers of random weights. */
const GAIN = 3.5;

/** The MobileNet-style model on a `size` x `size` x 3 input. */
export function mobilenet(size = 128) {
  const n = new Net(`mobilenet-${size}`, 0x6d6f62);
  const x = n.act([1, size, size, 3], 1 / 255, -128);
  // A stride-2 SAME stem with 4 channels: the largest live activation pair (64x64x4 and its 65x65x4 PAD)
  // stays near 33 KB, so with the 48 KB input buffer and the stack an inference fits nucleo-f446re's 128 KB SRAM.
  let y = n.conv(x, 4, 3, 2, 'SAME', 'RELU6');
  y = n.conv(n.depthwise(n.pad(y, 0, 1, 0, 1), 2, 'VALID'), 16, 1, 1, 'VALID', 'RELU6');
  y = n.conv(n.depthwise(y, 1, 'SAME'), 24, 1, 1, 'VALID', 'RELU6');
  y = n.conv(n.depthwise(y, 2, 'SAME'), 32, 1, 1, 'VALID', 'RELU6');
  return n.graph(x, n.head(y));
}

/** A residual block: conv3x3-RELU, conv3x3, ADD with the shortcut (a 1x1 conv when the shape changes), RELU. */
function block(n, x, oc, stride) {
  const a = n.conv(x, oc, 3, stride, 'SAME', 'RELU');
  const b = n.conv(a, oc, 3, 1, 'SAME', 'NONE');
  const short = stride === 1 && n.tensors[x].shape[3] === oc ? x : n.conv(x, oc, 1, stride, 'SAME', 'NONE');
  const y = n.act(n.tensors[b].shape, ACT, -128);
  n.op({ kind: 'ADD', inputs: [b, short], outputs: [y], activation: 'RELU' });
  return y;
}

/** The ResNet-14 (1 stem conv + 3 stages x 2 blocks x 2 convs + FC = 14 weight layers, plus 2 shortcut convs). */
export function resnet14() {
  const n = new Net('resnet14', 0x72657314);
  const x = n.act([1, 32, 32, 3], 1 / 255, -128);
  let y = n.conv(x, 4, 3, 1, 'SAME', 'RELU');
  for (const [oc, stride] of [[4, 1], [4, 1], [8, 2], [8, 1], [16, 2], [16, 1]]) y = block(n, y, oc, stride);
  return n.graph(x, n.head(y));
}

/** Writes both models into `dir`; returns their paths by name. */
export function generateModels(dir) {
  mkdirSync(dir, { recursive: true });
  const out = {};
  for (const g of [mobilenet(128), resnet14()]) {
    const path = join(dir, `${g.name}.tflite`);
    writeFileSync(path, writeTflite(g, `sim-dse generated test model ${g.name} (random seeded weights)`));
    out[g.name] = path;
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const dir = resolve(i > 0 ? process.argv[i + 1] : join(ROOT, 'generated-models'));
  for (const [name, path] of Object.entries(generateModels(dir))) process.stdout.write(`${name}: ${path}\n`);
}
