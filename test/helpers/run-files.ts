import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { sharedDir } from '../../src/util/paths.js';
import { builtCli } from './cli.js';

/** Every file of a run directory, by name (sorted), with its text. */
export function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** True when ../shared holds the LeNet model and the CIFAR-10 test batch. */
export const HAVE_LENET_DATA = ((shared) => !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin')))(sharedDir());

/** Runs `run` (sim-dse run arguments) locally with two threads into a fresh temporary folder (`prefix`): the files of its store. */
export function localRunFiles(run: readonly string[], prefix: string): Record<string, string> {
  const local = builtCli(...run, '--threads', '2', '--out', mkdtempSync(join(tmpdir(), prefix)));
  expect(local.code, local.stderr).toBe(0);
  return files(join(local.stdout.match(/report\s+(\S+)\/report\.md/)![1]));
}
