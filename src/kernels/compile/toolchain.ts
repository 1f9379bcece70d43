/**
 * The ARM toolchain sim-dse compiles kernels with: where it is, its version,
 * and the fixed flags every kernel is compiled with (recorded in manifests
 * and part of every cache key).
 */
import { execFileSync } from 'node:child_process';
import { SimDseError } from '../../util/errors.js';

/** C compiler flags of every kernel and network image. */
export const CFLAGS: readonly string[] = [
  '-O2',
  '-mcpu=cortex-m4',
  '-mthumb',
  '-mfloat-abi=hard',
  '-mfpu=fpv4-sp-d16',
  '-std=c11',
  '-ffreestanding',
  '-fno-common',
  '-ffunction-sections',
  '-fdata-sections',
  '-Wall',
  '-Werror=implicit-function-declaration',
];

/** Link flags (libgcc for 64-bit helpers, newlib for memcpy/memset the compiler may call). */
export const LDFLAGS: readonly string[] = ['-nostartfiles', '-Wl,--build-id=none', '-Wl,--no-warn-rwx-segments', '-lc', '-lgcc'];

/** The C compiler's command name (override with SIM_DSE_CC). */
export function compilerCommand(): string {
  return process.env.SIM_DSE_CC ?? 'arm-none-eabi-gcc';
}

let cachedVersion: string | null | undefined;

/** First line of `gcc --version`, or null when the compiler is not installed. */
export function compilerVersion(): string | null {
  if (cachedVersion !== undefined) return cachedVersion;
  try {
    cachedVersion = execFileSync(compilerCommand(), ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    cachedVersion = null;
  }
  return cachedVersion;
}

/** The compiler version, or a clear error saying how to install it. */
export function requireCompiler(): string {
  const v = compilerVersion();
  if (v === null) {
    throw new SimDseError(
      'compiler',
      `the ARM compiler '${compilerCommand()}' is not installed (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi); prebuilt images in firmware-prebuilt/ work without it`,
    );
  }
  return v;
}
