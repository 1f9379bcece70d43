/**
 * Loads the native backend of the reference engine, build/native/libsimengine.so
 * (src/model/engine/native/*.c, built by `npm run build`), through koffi, and
 * chooses the engine backend: `SIM_DSE_ENGINE=native|wasm|scalar` forces one,
 * `SIM_DSE_ENGINE_LIBRARY` names another library file; by default the native
 * backend when it loads and the CPU has AVX2, else WebAssembly SIMD, else the
 * scalar oracle.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import koffi from 'koffi';
import { projectRoot } from '../../../util/paths.js';
import { ModelError } from '../../errors.js';

/** GEMM instruction-set levels of the native library (engine.h). */
export const NATIVE_ISA = { portable: 0, avx2: 1, avxvnni: 2, avx512vnni: 3 } as const;
/** Name of each level, by value. */
export const NATIVE_ISA_NAMES = ['portable', 'avx2', 'avx-vnni', 'avx512-vnni'] as const;

/** A typed function of the library; every argument is a number or a typed array. */
type NativeFn = (...args: Array<number | ArrayBufferView>) => number;

/** The library's entry points (see ops.c and gemm.c). */
export interface NativeKernels {
  /** Best level the CPU supports. */
  readonly isa: number;
  /** Every level the CPU supports, ascending (not always all up to the best: AVX-512 VNNI does not imply AVX-VNNI). */
  readonly supported: readonly number[];
  readonly path: string;
  readonly lanes: (isa: number) => number;
  readonly packedBytes: (isa: number, oc: number, kp: number) => number;
  readonly packLayer: NativeFn;
  readonly packDepthwise: NativeFn;
  readonly im2col: NativeFn;
  readonly gemm: NativeFn;
  readonly depthwise: NativeFn;
  readonly maxpool: NativeFn;
  readonly avgpool: NativeFn;
  readonly add: NativeFn;
  readonly quantize: NativeFn;
}

/** The library file: SIM_DSE_ENGINE_LIBRARY, else build/native/libsimengine.so. */
export function nativeEngineLibrary(): string {
  return process.env.SIM_DSE_ENGINE_LIBRARY || join(projectRoot, 'build', 'native', 'libsimengine.so');
}

let loaded: { kernels: NativeKernels | null; error: string | null; path: string } | undefined;

/** The native kernels (loaded once per thread), or null with the reason in {@link nativeLoadError}. */
export function nativeKernels(): NativeKernels | null {
  const path = nativeEngineLibrary();
  if (loaded?.path === path) return loaded.kernels;
  loaded = { kernels: null, error: null, path };
  if (!existsSync(path)) {
    loaded.error = `${path} is missing (run npm run build)`;
    return null;
  }
  try {
    const lib = koffi.load(path);
    const f = (sig: string): NativeFn => lib.func(sig) as NativeFn;
    const i32 = (names: string): string => names.split(' ').map((n) => `int32_t ${n}`).join(', ');
    const isa = (lib.func('int se_isa(void)') as () => number)();
    const supports = lib.func('int se_supports(int isa)') as (isa: number) => number;
    loaded.kernels = {
      isa,
      supported: NATIVE_ISA_NAMES.map((_, level) => level).filter((level) => supports(level) !== 0),
      path,
      lanes: lib.func('int se_lanes(int isa)') as (isa: number) => number,
      packedBytes: lib.func('uint32_t se_packed_bytes(int isa, uint32_t oc, uint32_t kp)') as (isa: number, oc: number, kp: number) => number,
      packLayer: f(
        'void se_pack_layer(uint8_t *arena, int isa, const int8_t *w, const int32_t *bias, const int32_t *mult, const int32_t *shift, uint32_t oc, uint32_t k, uint32_t kp, int32_t inZp, uint32_t wOff, uint32_t prmOff)',
      ),
      packDepthwise: f(
        'void se_pack_depthwise(uint8_t *arena, const int8_t *w, const int32_t *bias, const int32_t *mult, const int32_t *shift, uint32_t oc, uint32_t taps, uint32_t wOff, uint32_t prmOff)',
      ),
      im2col: f(`void se_im2col(uint8_t *arena, uint32_t inOff, uint32_t aOff, ${i32('n h w c kh kw sh sw dh dw pt pl oh ow inZp')}, uint32_t kp)`),
      gemm: f(
        'void se_gemm(uint8_t *arena, int isa, uint32_t aOff, uint32_t wOff, uint32_t prmOff, uint32_t outOff, uint32_t rows, uint32_t oc, uint32_t kp, int32_t zp, int32_t mn, int32_t mx)',
      ),
      depthwise: f(
        `void se_depthwise(uint8_t *arena, uint32_t inOff, uint32_t wOff, uint32_t prmOff, uint32_t outOff, ${i32('n h w c kh kw sh sw dh dw pt pl oh ow m inZp zp mn mx')})`,
      ),
      maxpool: f(`void se_maxpool(uint8_t *arena, uint32_t inOff, uint32_t outOff, ${i32('n h w c kh kw sh sw pt pl oh ow mn mx')})`),
      avgpool: f(`void se_avgpool(uint8_t *arena, uint32_t inOff, uint32_t outOff, ${i32('n h w c kh kw sh sw pt pl oh ow mn mx')})`),
      add: f(
        `void se_add(uint8_t *arena, int isa, uint32_t aOff, uint32_t bOff, uint32_t outOff, uint32_t count, ${i32('aZp bZp aMult aShift bMult bShift outMult outShift outZp mn mx leftShift')})`,
      ),
      quantize: f('void se_quantize(uint8_t *arena, uint32_t inOff, uint32_t outOff, uint32_t count, float scale, int32_t zp)'),
    };
  } catch (err) {
    loaded.error = `${path}: ${(err as Error).message.split('\n')[0]}`;
  }
  return loaded.kernels;
}

/** Why {@link nativeKernels} returned null (null when it loaded). */
export function nativeLoadError(): string | null {
  nativeKernels();
  return loaded?.error ?? null;
}

/**
 * The backend an engine gets when none is asked for: SIM_DSE_ENGINE when set
 * (a forced `native` that does not load is a ModelError), else native when it
 * loads on a CPU with AVX2, else `fallback`.
 */
export function defaultBackend<B extends string>(fallback: B): B | 'native' | 'wasm' | 'scalar' {
  const forced = process.env.SIM_DSE_ENGINE;
  if (forced === 'wasm' || forced === 'scalar') return forced;
  if (forced === 'native') {
    if (nativeKernels() === null) throw new ModelError(`SIM_DSE_ENGINE=native: cannot load the native engine: ${nativeLoadError()}`);
    return 'native';
  }
  if (forced !== undefined && forced !== '') throw new ModelError(`SIM_DSE_ENGINE=${forced}: expected native, wasm or scalar`);
  const k = nativeKernels();
  return k !== null && k.isa >= NATIVE_ISA.avx2 ? 'native' : fallback;
}
