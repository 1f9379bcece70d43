/**
 * The models scripts/generate-models.mjs writes (a MobileNet-style model on a
 * 128x128x3 input and a ResNet-14), generated once per test file into a
 * temporary folder with the built writer (dist/, compiled by global-setup.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths of the generated models. */
export interface GeneratedModels {
  readonly dir: string;
  readonly mobilenet: string;
  readonly resnet14: string;
}

let cached: GeneratedModels | undefined;

/** Runs the generator into `dir` (a fresh temporary folder by default); throws with its stderr when it fails. */
export function runGenerator(dir: string = mkdtempSync(join(tmpdir(), 'sim-dse-models-'))): GeneratedModels {
  const script = join(import.meta.dirname, '..', '..', 'scripts', 'generate-models.mjs');
  const r = spawnSync(process.execPath, [script, '--out', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`generate-models.mjs failed: ${r.stderr}`);
  return { dir, mobilenet: join(dir, 'mobilenet-128.tflite'), resnet14: join(dir, 'resnet14.tflite') };
}

/** The generated models, made once per test file. */
export function generatedModels(): GeneratedModels {
  cached ??= runGenerator();
  return cached;
}
