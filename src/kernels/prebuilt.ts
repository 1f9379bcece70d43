/**
 * The prebuilt network images in firmware-prebuilt/models/: baseline and
 * exact unpacked kernels of each shared model, with `sim_bench` running test
 * image 0, linked for a 2 MB flash (the nucleo-l4r5zi map). Built by
 * scripts/build-model-images.mjs; a test rebuilds them and compares bytes.
 */
import { getBoard } from '../emulator/boards.js';
import { testImageInput } from '../model/dataset/preprocess.js';
import { createEngine } from '../model/engine/index.js';
import { prepareGraph } from '../model/engine/prepare.js';
import { resolveModel } from '../model/registry.js';
import { emulatorLinkScript } from './compile/link-script.js';
import { defaultEmitters } from './emitters.js';
import type { KernelStyle } from './network/assemble.js';
import { buildNetwork, type NetworkImage } from './network/build.js';
import { networkInputOf, planNetwork } from './network/plan.js';

/** Models and kernel styles that have a prebuilt image. */
export const PREBUILT_MODELS = ['lenet', 'resnet8'] as const;
export const PREBUILT_STYLES: readonly KernelStyle[] = ['baseline', 'unpacked'];

/** File name of a prebuilt image, relative to firmware-prebuilt/. */
export function prebuiltPath(model: string, style: KernelStyle): string {
  return `models/${model}-${style}.elf`;
}

/** Builds one prebuilt image (through the object cache unless `cache` is false). */
export async function buildPrebuiltImage(model: string, style: KernelStyle, options: { cache?: boolean; dataDir?: string } = {}): Promise<NetworkImage & { modelSha256: string }> {
  const resolved = resolveModel(model);
  const prepared = prepareGraph(resolved.graph);
  const input = testImageInput(resolved.graph, resolved.preprocess, 0, options.dataDir);
  const benchInput = networkInputOf(planNetwork(prepared), createEngine(resolved.graph).trace(input));
  const board = getBoard('nucleo-l4r5zi');
  const image = await buildNetwork(prepared, { style }, board, defaultEmitters(), {
    cache: options.cache,
    benchInput,
    linkScript: emulatorLinkScript(board),
  });
  return { ...image, modelSha256: resolved.sha256 };
}
