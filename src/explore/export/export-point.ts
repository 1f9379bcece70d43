/**
 * `sim-dse export`'s pipeline: design point -> flash check -> skip masks ->
 * unpacked network C -> test images -> firmware project.
 */
import { formatPlacement, type Placement, type UnitPlacement } from '../../kernels/placement/placement.js';
import { SimDseError } from '../../util/errors.js';
import { type ExportedProject, exportFirmware } from '../../firmware/export.js';
import { type FirmwareBoard, getFirmwareBoard } from '../../firmware/firmware-boards.js';
import { FIRMWARE_FLASH_OVERHEAD, checkFirmwareFits } from '../../firmware/fit.js';
import { testImages, unpackedNetwork } from '../../firmware/network.js';
import { flashCapacity } from '../evaluate/board-flash.js';
import { rowKernels, rowPlacement } from '../store/rows.js';
import { type DesignPoint, type ModelSource, pointGraph, pointMasks, pointModel, pointPrediction, readDesignPoint } from './design-point.js';

/** Options of {@link exportPoint}. */
export interface ExportPointOptions {
  readonly run: string;
  readonly point: number;
  readonly board: string;
  readonly outDir: string;
  /** Test images to embed. */
  readonly images: number;
  /** Folder holding run directories. */
  readonly runsDir: string;
  readonly dataDir?: string;
  readonly modelsDir?: string;
  /** The run's .tflite when its model is not in the manifest (default: where the run found it). */
  readonly modelFile?: string;
  /** `--preprocess`/`--resize` as given: checked against the run's. */
  readonly preprocess?: ModelSource['preprocess'];
  readonly resize?: ModelSource['resize'];
  /** Where layer code and constants live (default: where the run placed the point on its board, else all in flash). */
  readonly placement?: Placement;
}

/**
 * Checks that the point fits the board's flash with `images` embedded images
 * of `imageBytes` each. @throws SimDseError (`firmware`) when it does not
 */
export function checkPointFits(point: DesignPoint, board: FirmwareBoard, images: number, imageBytes: number): void {
  const flash = flashCapacity(board.profile);
  const need = point.row.flashBytes + images * imageBytes + FIRMWARE_FLASH_OVERHEAD;
  if (need > flash) {
    const room = Math.floor((flash - point.row.flashBytes - FIRMWARE_FLASH_OVERHEAD) / imageBytes);
    const hint = point.row.fits && room >= 1 && room < images ? `; at most ${room} test images fit beside it (--images ${room})` : '';
    throw new SimDseError(
      'firmware',
      `point ${point.row.id} of run ${point.run} does not fit ${board.profile.id}: it needs ${need} bytes of flash (network ${point.row.flashBytes}, images ${images * imageBytes}, firmware ${FIRMWARE_FLASH_OVERHEAD}), the board has ${flash}${hint}`,
    );
  }
}

/** What {@link exportPoint} did. */
export interface ExportedPoint extends ExportedProject {
  /** Remarks for the user (e.g. no prediction for another board). */
  readonly notes: readonly string[];
}

/** Exports point `o.point` of run `o.run` as a firmware project for `o.board`. */
export function exportPoint(o: ExportPointOptions): ExportedPoint {
  const board = getFirmwareBoard(o.board);
  // a multi-board run: the store of the target board when the run explored it (its prediction), else of its first board
  const point = readDesignPoint(o.run, o.point, o.runsDir, { board: board.profile.id, firstByDefault: true });
  const model = pointModel(point, { modelsDir: o.modelsDir, modelFile: o.modelFile, preprocess: o.preprocess, resize: o.resize });
  const inputBytes = model.graph.tensors[model.graph.inputs[0]].shape.reduce((a, b) => a * b, 1);
  checkPointFits(point, board, o.images, inputBytes + 1);
  const maskInputs = { graph: model.graph, preprocess: model.preprocess, dataDir: o.dataDir };
  const masks = pointMasks(point, maskInputs);
  const graph = pointGraph(point, maskInputs, masks);
  const pointPlacement = point.config.board === board.profile.id ? rowPlacement(point.row) : new Map<string, UnitPlacement>();
  const placement = o.placement ?? pointPlacement;
  const network = unpackedNetwork(graph, masks, rowKernels(point.row), placement);
  // the run's fit check covered its own board's flash (and, emulated, its SRAM); this one every board's flash and SRAM
  checkFirmwareFits(network.size, o.images * (inputBytes + 1), board, `point ${point.row.id} of run ${o.run}`);
  if (!point.row.fits && point.config.board === board.profile.id) {
    throw new SimDseError('firmware', `point ${point.row.id} of run ${o.run} does not fit ${board.profile.id}: its run's fit check (flash and SRAM) marked it so`);
  }
  const images = testImages(graph, model.preprocess, masks, o.images, o.dataDir);
  const placed = placement.size > 0;
  const sameBoard = point.config.board === board.profile.id && formatPlacement(placement) === formatPlacement(pointPlacement);
  const project = exportFirmware({
    network,
    images,
    board,
    outDir: o.outDir,
    origin: { run: o.run, point: o.point, model: model.name },
    predicted: sameBoard ? pointPrediction(point, network.layerNames, o.images) : undefined,
    expected: images.expected,
    ...(placed ? { placement } : {}),
  });
  const notes = sameBoard
    ? []
    : point.config.board === board.profile.id
      ? [`run ${o.run} predicted cycles with placement ${formatPlacement(pointPlacement)}, not ${formatPlacement(placement)}: the project has no prediction to validate against`]
      : [`run ${o.run} predicted cycles for ${point.config.board}, not ${board.profile.id}: the project has no prediction to validate against`];
  return { ...project, notes };
}
