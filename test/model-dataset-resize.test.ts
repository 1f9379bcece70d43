import { describe, expect, it } from 'vitest';
import { axisWeights, resizeBilinear } from '../src/model/dataset/resize.js';
import { checkImageInput, preprocessImage } from '../src/model/dataset/preprocess.js';
import { DatasetError, ModelError } from '../src/model/errors.js';
import { describePreprocess, parseResize } from '../src/model/registry.js';
import { GraphBuilder } from './helpers/engine-fixtures.js';

/** A 32x32 CIFAR-style image (CHW planes) with the given pixels set, the rest 0. */
function chwImage(pixels: Record<string, number>): Uint8Array {
  const chw = new Uint8Array(3072);
  for (const [key, v] of Object.entries(pixels)) {
    const [c, y, x] = key.split(',').map(Number);
    chw[c * 1024 + y * 32 + x] = v;
  }
  return chw;
}

describe('bilinear resize (tf.image.resize, half_pixel_centers)', () => {
  it('2x2 -> 4x4: every value computed by hand from in = (o + 0.5) * scale - 0.5', () => {
    // scale 0.5: o=0 -> -0.25 (clamped to row 0), o=1 -> 0.25, o=2 -> 0.75, o=3 -> 1.25 (clamped to 1)
    const out = resizeBilinear(Float32Array.from([0, 100, 200, 40]), 2, 2, 1, 4, 4);
    expect(Array.from(out)).toEqual([0, 25, 75, 100, 50, 58.75, 76.25, 85, 150, 126.25, 78.75, 55, 200, 160, 80, 40]);
  });

  it('4x4 -> 2x2 (no antialias): in = 2o + 0.5, the mean of each 2x2 block centre', () => {
    const src = Float32Array.from([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60]);
    // (0,0): rows 0,1 cols 0,1 at lerp 0.5 -> (0+4+16+20)/4 = 10
    expect(Array.from(resizeBilinear(src, 4, 4, 1, 2, 2))).toEqual([10, 18, 42, 50]);
  });

  it('channels are interpolated independently (HWC layout)', () => {
    const out = resizeBilinear(Float32Array.from([0, 10, 100, 30]), 1, 2, 2, 1, 4);
    // x: o=0 -> pixel 0, o=1 -> 0.25, o=2 -> 0.75, o=3 -> pixel 1
    expect(Array.from(out)).toEqual([0, 10, 25, 15, 75, 25, 100, 30]);
  });

  it('computes in float32 as TensorFlow does: 32 -> 96, coordinate 2 weighs 0.33333337, not 1/3', () => {
    // scale = f32(32/96) = 0.3333333432674408; (2 + 0.5) * scale = 0.8333333582 -> f32 0.83333337; - 0.5 -> 0.3333333730697632
    const w = axisWeights(32, 96);
    expect([w.lower[2], w.upper[2], w.lerp[2]]).toEqual([0, 1, 0.3333333730697632]);
    // coordinate 1: 1.5 * scale = 0.50000001 -> f32 0.5; - 0.5 = 0 exactly: pixel 0 alone
    expect([w.lower[1], w.upper[1], w.lerp[1]]).toEqual([0, 0, 0]);
    const row = new Float32Array(32);
    row[1] = 255;
    const out = resizeBilinear(row, 1, 32, 1, 1, 96);
    expect(out[2]).toBe(85.00000762939453); // 255 * 0.3333333730697632 in float32 (exact arithmetic: 85)
    expect(out[1]).toBe(0);
  });

  it('is the identity at the same size', () => {
    const src = Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 37) % 256);
    expect(Array.from(resizeBilinear(src, 32, 32, 3, 32, 32))).toEqual(Array.from(src));
  });
});

describe('preprocessing with a resize', () => {
  it('int8: pixel (0,0) unchanged, (1,1) of 32 -> 64 from four pixels, rounded half away from zero, then the offset', () => {
    // (1,1): y and x at 0.25 between pixels 0 and 1.
    // R: p00=10 p01=20 p10=30 p11=41: top 12.5, bottom 32.75, out 17.5625 -> 18 - 128 = -110
    // G: p00=0 p01=2 p10=0 p11=2: 0.5 -> 1 (tie away from zero) - 128 = -127
    const chw = chwImage({ '0,0,0': 10, '0,0,1': 20, '0,1,0': 30, '0,1,1': 41, '1,0,1': 2, '1,1,1': 2, '2,0,0': 200 });
    const out = new Int8Array(preprocessImage(chw, { kind: 'int8', offset: -128, resize: 'bilinear' }, [64, 64]).buffer);
    expect(out.length).toBe(64 * 64 * 3);
    expect(Array.from(out.subarray(0, 3))).toEqual([10 - 128, -128, 200 - 128]);
    const p11 = (1 * 64 + 1) * 3;
    expect(Array.from(out.subarray(p11, p11 + 2))).toEqual([-110, -127]);
  });

  it('float: resized pixel * scale + offset in float32', () => {
    const chw = chwImage({ '0,0,0': 10, '0,0,1': 20, '0,1,0': 30, '0,1,1': 41 });
    const out = new Float32Array(preprocessImage(chw, { kind: 'float', scale: 1 / 255, offset: 0, resize: 'bilinear' }, [64, 64]).buffer);
    expect(out[(64 + 1) * 3]).toBe(Math.fround(17.5625 / 255));
  });

  it('is deterministic: the same image twice gives the same bytes', () => {
    const chw = Uint8Array.from({ length: 3072 }, (_, i) => (i * 131) % 256);
    const pre = { kind: 'int8', offset: -128, resize: 'bilinear' } as const;
    expect(Buffer.from(preprocessImage(chw, pre, [96, 80])).equals(Buffer.from(preprocessImage(chw, pre, [96, 80])))).toBe(true);
  });

  it('a 64x64 model without a resize method is refused naming --resize; with one it is accepted', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 64, 64, 3], 'int8', 1 / 255, -128);
    const g = b.graph(x, x);
    expect(() => checkImageInput(g, { kind: 'int8', offset: -128 })).toThrow(DatasetError);
    expect(() => checkImageInput(g, { kind: 'int8', offset: -128 })).toThrow(/64x64x3.*--resize bilinear/);
    expect(() => checkImageInput(g, { kind: 'int8', offset: -128, resize: 'bilinear' })).not.toThrow();
  });

  it('--resize takes bilinear or none; the description names the method', () => {
    expect(parseResize('bilinear')).toBe('bilinear');
    expect(parseResize('none')).toBe('none');
    expect(() => parseResize('bicubic')).toThrow(ModelError);
    expect(describePreprocess({ kind: 'int8', offset: -128, resize: 'bilinear' })).toBe(
      'int8 = pixel - 128, pixels resized bilinear (tf.image.resize, half_pixel_centers, no antialias)',
    );
  });
});
