/**
 * The prebuilt model images in firmware-prebuilt/models/ are what the
 * current sources and compiler build: rebuilding each gives the same bytes,
 * and the manifest records their sha256. Skipped (with a message) where
 * arm-none-eabi-gcc is absent.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { PREBUILT_MODELS, PREBUILT_STYLES, buildPrebuiltImage, prebuiltPath } from '../src/kernels/prebuilt.js';

const PREBUILT = join(import.meta.dirname, '..', 'firmware-prebuilt');
const manifest = JSON.parse(readFileSync(join(PREBUILT, 'models', 'manifest.json'), 'utf8')) as {
  compiler: string;
  files: Record<string, { sha256: string }>;
};
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const compiler = compilerVersion();
if (compiler === null) console.warn('arm-none-eabi-gcc is not installed: skipping the prebuilt-image rebuild check');

describe.skipIf(compiler === null)('prebuilt model images rebuild byte for byte', () => {
  test('the manifest names this compiler', () => {
    expect(manifest.compiler).toBe(compiler);
  });
  const cases = PREBUILT_MODELS.flatMap((m) => PREBUILT_STYLES.map((s) => ({ model: m, style: s })));
  test.each(cases)('$model $style', async ({ model, style }) => {
    const rel = prebuiltPath(model, style);
    const image = await buildPrebuiltImage(model, style);
    expect(sha256(image.elf)).toBe(manifest.files[rel].sha256);
    expect(sha256(readFileSync(join(PREBUILT, rel)))).toBe(manifest.files[rel].sha256);
  });
});
