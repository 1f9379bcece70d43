/**
 * The network of an exported firmware, from the kernels module: the
 * unpacked kernels of a masked graph (the kernel style the DSE predicts),
 * and the test images as the network's int8 input tensors.
 */
import { defaultEmitters } from '../kernels/emitters.js';
import { assembleNetwork, networkPages, type KernelStyle } from '../kernels/network/assemble.js';
import { estimateNetworkSize, type SizeEstimate } from '../kernels/network/size-estimate.js';
import { networkInputOf, planNetwork } from '../kernels/network/plan.js';
import { ALL_FLASH, homesOf, layerUnit, type Placement } from '../kernels/placement/placement.js';
import { loadCifar10 } from '../model/dataset/cifar10.js';
import { modelInputs } from '../model/dataset/preprocess.js';
import { createEngine } from '../model/engine/index.js';
import { prepareGraph } from '../model/engine/prepare.js';
import type { Graph, SkipMasks } from '../model/ir.js';
import type { Preprocess } from '../model/registry.js';
import type { FirmwareNetwork } from './export.js';
import type { EmbeddedImages } from './images-source.js';

/**
 * The unpacked network of `graph` under `masks`, as firmware sources;
 * `layerStyles` puts single layers on the baseline kernels (as the DSE's
 * per-layer kernel choice did for the point), with its size estimate. The
 * layers `placement` makes overlays are loaded by the runtime before they run.
 */
export function unpackedNetwork(
  graph: Graph,
  masks: SkipMasks,
  layerStyles?: ReadonlyMap<number, KernelStyle>,
  placement: Placement = ALL_FLASH,
): FirmwareNetwork & { readonly size: SizeEstimate } {
  const prepared = prepareGraph(graph);
  const overlaid = new Set(prepared.ops.filter((op) => homesOf(placement, layerUnit(op.opIndex)).code === 'overlay').map((op) => op.opIndex));
  const source = assembleNetwork(prepared, { style: 'unpacked', masks, layerStyles }, defaultEmitters(), { overlaid });
  return {
    sources: source.sources,
    layerNames: source.layers.map((l) => l.name),
    inputBytes: source.plan.inputBytes,
    outputBytes: source.plan.outputBytes,
    size: estimateNetworkSize(source),
    pages: networkPages(source.layers),
  };
}

/** Test images with labels and the reference engine's predictions under the masks. */
export interface ReferenceImages extends EmbeddedImages {
  /** The reference engine's predicted class of each image (argmax, ties to the lowest index). */
  readonly expected: readonly number[];
}

/**
 * The first `count` CIFAR-10 test images as the network's int8 input tensors
 * (the graph input after any host-side QUANTIZE, exactly as the reference
 * engine computes it), their labels and the reference predictions.
 */
export function testImages(graph: Graph, preprocess: Preprocess, masks: SkipMasks, count: number, dataDir?: string): ReferenceImages {
  const plan = planNetwork(prepareGraph(graph));
  const data = modelInputs(loadCifar10({ dir: dataDir }), graph, preprocess, count);
  const engine = createEngine(graph);
  const graphInputs = Array.from({ length: count }, (_, i) => data.input(i));
  const inputs = graphInputs.map((x) => networkInputOf(plan, engine.trace(x)));
  return { inputs, labels: Array.from(data.labels), expected: Array.from(engine.classify(graphInputs, masks)) };
}
