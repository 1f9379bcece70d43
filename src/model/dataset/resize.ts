/**
 * Image resizing for models whose input size differs from the dataset's:
 * bilinear interpolation as TensorFlow 2's `tf.image.resize(images, size,
 * method='bilinear', antialias=False)` defines it (the ResizeBilinear kernel
 * with half_pixel_centers=True, align_corners=False), written here from that
 * published definition:
 *
 *   scale      = in_size / out_size                       (float32)
 *   in(o)      = (o + 0.5) * scale - 0.5                  (float32)
 *   lower(o)   = max(floor(in), 0),  upper(o) = min(ceil(in), in_size - 1)
 *   lerp(o)    = in - floor(in)
 *   top        = tl + (tr - tl) * x_lerp,  bottom = bl + (br - bl) * x_lerp
 *   out        = top + (bottom - top) * y_lerp
 *
 * every operation in float32 (Math.fround after each), so the result is the
 * float32 image TensorFlow's CPU kernel computes. With antialias=False the
 * same formula serves enlarging and shrinking.
 */
import { DatasetError } from '../errors.js';

/** Resize methods. Only `bilinear` (tf.image.resize's default) exists. */
export type ResizeMethod = 'bilinear';

/** Every resize method, for option parsing and messages. */
export const RESIZE_METHODS: readonly ResizeMethod[] = ['bilinear'];

/** The name reports and eval print for a method. */
export function describeResize(method: ResizeMethod): string {
  return method === 'bilinear' ? 'bilinear (tf.image.resize, half_pixel_centers, no antialias)' : method;
}

/** The interpolation of one output coordinate along one axis. */
interface AxisWeights {
  readonly lower: Int32Array;
  readonly upper: Int32Array;
  readonly lerp: Float32Array;
}

const f = Math.fround;

/** Lower/upper source indices and weights of each of `outSize` output coordinates. */
export function axisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = f(inSize / outSize);
  const lower = new Int32Array(outSize);
  const upper = new Int32Array(outSize);
  const lerp = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const x = f(f(f(o + 0.5) * scale) - 0.5);
    const fl = Math.floor(x);
    lower[o] = Math.max(fl, 0);
    upper[o] = Math.min(Math.ceil(x), inSize - 1);
    lerp[o] = f(x - fl);
  }
  return { lower, upper, lerp };
}

/**
 * Bilinear resize of an HWC float image (`h` x `w` x `c`, row-major) to
 * `outH` x `outW` x `c`, in float32 as tf.image.resize computes it.
 * @throws DatasetError when a size is not a positive integer or the image has another size
 */
export function resizeBilinear(src: Float32Array, h: number, w: number, c: number, outH: number, outW: number): Float32Array {
  for (const [name, v] of [['height', outH], ['width', outW]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new DatasetError(`resize: output ${name} ${v} is not a positive integer`);
  }
  if (src.length !== h * w * c) throw new DatasetError(`resize: image has ${src.length} values, expected ${h}x${w}x${c}`);
  const ys = axisWeights(h, outH);
  const xs = axisWeights(w, outW);
  const out = new Float32Array(outH * outW * c);
  for (let oy = 0; oy < outH; oy++) {
    const r0 = ys.lower[oy] * w * c;
    const r1 = ys.upper[oy] * w * c;
    const yl = ys.lerp[oy];
    for (let ox = 0; ox < outW; ox++) {
      const c0 = xs.lower[ox] * c;
      const c1 = xs.upper[ox] * c;
      const xl = xs.lerp[ox];
      const o = (oy * outW + ox) * c;
      for (let k = 0; k < c; k++) {
        const tl = src[r0 + c0 + k];
        const tr = src[r0 + c1 + k];
        const bl = src[r1 + c0 + k];
        const br = src[r1 + c1 + k];
        const top = f(tl + f(f(tr - tl) * xl));
        const bottom = f(bl + f(f(br - bl) * xl));
        out[o + k] = f(top + f(f(bottom - top) * yl));
      }
    }
  }
  return out;
}
