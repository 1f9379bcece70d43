/**
 * Export of a network as a standalone Nucleo firmware project:
 * {@link projectFiles} computes every file (pure but for reading the static
 * C sources), {@link exportFirmware} writes them.
 *
 * Project layout:
 *
 *     Makefile, README.md, firmware.json
 *     ld/board.ld, ld/qemu.ld          linker scripts (board, QEMU netduinoplus2)
 *     src/                             startup, board support, main, SIMDSE line printers, images
 *     net/                             the network's C sources (and a unit's assembly, <stem>.s), as given
 *     kernels/                         sim-dse's kernel headers (src/kernels/c/*.h)
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CSource } from '../kernels/compile/compile.js';
import type { SizeEstimate } from '../kernels/network/size-estimate.js';
import { KERNEL_C_DIR, unitFiles } from '../kernels/compile/compile.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { FileError, UsageError } from '../util/errors.js';
import { projectRoot } from '../util/paths.js';
import { type FirmwareBoard, QEMU_MACHINE } from './firmware-boards.js';
import { type EmbeddedImages, checkImages, imagesSource } from './images-source.js';
import { firmwareLinkScript } from './link-script.js';
import { memoryOf } from '../emulator/memory-map.js';
import { placedInputs } from '../kernels/placement/link-script.js';
import { ALL_FLASH, type Placement } from '../kernels/placement/placement.js';
import { ELF_PATHS, makefile } from './makefile.js';
import { type FirmwareManifest, MANIFEST_FILE, MANIFEST_VERSION, type PointOrigin, formatManifest } from './manifest.js';
import { reportSources } from './protocol.js';
import { readme } from './readme.js';
import type { Prediction } from './validate.js';

/** The firmware's static C sources (startup, board support, main). */
export const FIRMWARE_C_DIR = join(projectRoot, 'src', 'firmware', 'c');

/**
 * A network as C, ready to link into a firmware. The sources together define
 * `void sim_infer(const int8_t *in, int8_t *out)`, `sim_layer_names[]` and
 * `volatile uint32_t sim_marks[layers + 1]` (DWT CYCCNT stored before each
 * layer and at the end), and are complete translation units (kernel library
 * sources included); they may include the headers of src/kernels/c/.
 */
export interface FirmwareNetwork {
  readonly sources: readonly CSource[];
  /** One name per layer (sim_layer_names), words without white space. */
  readonly layerNames: readonly string[];
  /** Bytes of the int8 input tensor. */
  readonly inputBytes: number;
  /** Bytes of the int8 output tensor (the prediction is its argmax). */
  readonly outputBytes: number;
  /** The network's size estimated from its sources (kernels/network/size-estimate.ts), when known. */
  readonly size?: SizeEstimate;
  /** Layer units whose code is cut into overlay pages, with their page counts (absent: none). */
  readonly pages?: ReadonlyMap<string, number>;
}

/** What to export. */
export interface ExportRequest {
  readonly network: FirmwareNetwork;
  readonly images: EmbeddedImages;
  /** The board, resolved once by the caller (see getFirmwareBoard, firmwareBoardOf). */
  readonly board: FirmwareBoard;
  readonly outDir: string;
  /** The design point exported, when it came from a DSE run. */
  readonly origin?: PointOrigin;
  /** The DSE's cycle prediction for this network on this board. */
  readonly predicted?: Prediction;
  /** The reference engine's predicted class of each image. */
  readonly expected?: readonly number[];
  /** Where the network's layer code and constants live (default: all in flash); unit names as in src/kernels/placement/. */
  readonly placement?: Placement;
}

/** What a project's files are computed from (an export request without its folder). */
export type ProjectRequest = Omit<ExportRequest, 'outDir'>;

/** One file of a project. */
export interface ProjectFile {
  /** Path relative to the project folder. */
  readonly path: string;
  readonly content: string;
}

/** What was written. */
export interface ExportedProject {
  readonly dir: string;
  readonly files: readonly string[];
  readonly manifest: FirmwareManifest;
}

/** Seconds `make run-qemu` gives QEMU. */
const QEMU_TIMEOUT_S = 300;
/** Names the firmware's own sources use: network sources must not collide. */
const RESERVED = /^(simdse_.*|startup\.c|main\.c|board_.*)$/;

function checkNetwork(network: FirmwareNetwork, predicted: Prediction | undefined, board: string): void {
  if (network.layerNames.length === 0) throw new UsageError('the network has no layers');
  network.layerNames.forEach((n, i) => {
    if (!/^\S+$/.test(n)) throw new UsageError(`layer ${i} name ${JSON.stringify(n)} must be one word (it is printed in SIMDSE lines)`);
  });
  for (const [what, n] of [['input', network.inputBytes], ['output', network.outputBytes]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`network ${what} size ${n} is not a positive number of bytes`);
  }
  const seen = new Set<string>();
  for (const s of network.sources) {
    if (!/^[A-Za-z0-9_.-]+\.[ch]$/.test(s.name)) throw new UsageError(`network source name ${JSON.stringify(s.name)} must be a plain .c or .h file name`);
    if (RESERVED.test(s.name)) throw new UsageError(`network source name ${s.name} collides with the firmware's own sources`);
    if (seen.has(s.name)) throw new UsageError(`network source ${s.name} is given twice`);
    seen.add(s.name);
  }
  if (predicted && predicted.layers.length !== network.layerNames.length) {
    throw new UsageError(`the prediction has ${predicted.layers.length} layers, the network ${network.layerNames.length}`);
  }
  if (predicted && predicted.board !== board) throw new UsageError(`the prediction is for ${predicted.board}, the export for ${board}`);
}

const staticSources = new Map<string, string>();

/** A file of src/firmware/c (read once per process). */
function staticSource(name: string): string {
  let text = staticSources.get(name);
  if (text === undefined) {
    text = readFileSync(join(FIRMWARE_C_DIR, name), 'utf8');
    staticSources.set(name, text);
  }
  return text;
}

/** Bytes of the firmware's point name array (so every firmware has the same layout whatever it names). */
const POINT_CAPACITY = 160;

/**
 * The design point a firmware names in its start line: `<run id>/<point>`
 * (at most {@link POINT_CAPACITY} - 1 characters), or `-` when it is not from a run.
 */
export function pointWord(origin: PointOrigin | null): string {
  if (origin === null) return '-';
  const run = baseName(origin.run.replace(/[\\/]+$/, '')).replace(/[^A-Za-z0-9._-]/g, '_');
  const suffix = `/${origin.point}`;
  return run.slice(0, POINT_CAPACITY - 1 - suffix.length) + suffix;
}

function configHeader(board: FirmwareBoard, network: FirmwareNetwork, origin: PointOrigin | null, placement: Placement): string {
  const window = placedInputs(placement).usesAlias ? '#define SIMDSE_CODE_SRAM 1 /* the reset handler copies .code_sram */\n' : '';
  return `/* Generated by sim-dse export: sizes of this firmware. */
#ifndef SIMDSE_CONFIG_H
#define SIMDSE_CONFIG_H
${window}
#define SIMDSE_BOARD "${board.profile.id}"
#define SIMDSE_LAYERS ${network.layerNames.length}u
#define SIMDSE_POINT "${pointWord(origin)}"
#define SIMDSE_POINT_CAPACITY ${POINT_CAPACITY}u
#define SIMDSE_INPUT_BYTES ${network.inputBytes}u
#define SIMDSE_OUTPUT_BYTES ${network.outputBytes}u
#endif
`;
}

/** The C files and headers of a project, and the board image's link order. */
interface ProjectSources {
  readonly board: FirmwareBoard;
  /** src/: startup, board support, main, line printers, images. */
  readonly src: readonly ProjectFile[];
  /** net/: the network's sources. */
  readonly net: readonly ProjectFile[];
  /** C files compiled into both images, in link order (project-relative). */
  readonly commonSources: readonly string[];
}

function projectSources(request: ProjectRequest): ProjectSources {
  const board = request.board;
  const { network, images } = request;
  checkNetwork(network, request.predicted, board.profile.id);
  checkImages(images, network.inputBytes);
  if (request.expected && request.expected.length !== images.inputs.length) {
    throw new UsageError(`${request.expected.length} expected predictions for ${images.inputs.length} images`);
  }
  const boardSources = [...new Set([board.boardSource, QEMU_MACHINE.boardSource])];
  const src: ProjectFile[] = [
    ...['simdse_board.h', 'startup.c', 'main.c', ...boardSources].map((n) => ({ path: `src/${n}`, content: staticSource(n) })),
    { path: 'src/simdse_config.h', content: configHeader(board, network, request.origin ?? null, request.placement ?? ALL_FLASH) },
    ...reportSources().map((s) => ({ path: `src/${s.name}`, content: s.code })),
    { path: 'src/simdse_images.c', content: imagesSource(images, network.inputBytes).code },
  ];
  const net = [...network.sources]
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(unitFiles)
    .map((f) => ({ path: `net/${f.name}`, content: f.code }));
  const commonSources = [...src, ...net].map((f) => f.path).filter((p) => p.endsWith('.c') && !/^src\/board_/.test(p));
  return { board, src, net, commonSources };
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** The board image of a project as its Makefile builds it: C units in link order, the headers they see, the linker script. */
export interface BoardImageInputs {
  readonly units: readonly CSource[];
  readonly headers: readonly CSource[];
  readonly linkScript: string;
}

/**
 * What `make` compiles and links into the board image of the project for
 * `request` (same units, same order, same script, same flags), so that the
 * image can be built through sim-dse's object cache with the same layout.
 * @param flashSize the flash length the script declares (default: the board's);
 *   a larger one links an image that overflows the board, at the same addresses
 */
export function boardImageInputs(request: ProjectRequest, flashSize?: number): BoardImageInputs {
  const p = projectSources(request);
  const byPath = new Map([...p.src, ...p.net].map((f) => [f.path, f.content]));
  const unit = (path: string): CSource => {
    const assembly = byPath.get(path.replace(/\.c$/, '.s'));
    return { name: baseName(path), code: byPath.get(path)!, ...(assembly === undefined ? {} : { assembly }) };
  };
  const headers = [...p.src, ...p.net].filter((f) => f.path.endsWith('.h')).map((f) => ({ name: baseName(f.path), code: f.content }));
  return { units: [...p.commonSources.map(unit), unit(`src/${p.board.boardSource}`)], headers, linkScript: boardLinkScript(p.board, request.placement, request.network.pages, flashSize) };
}

/** The board's linker script; `flashSize` replaces the flash region's length (same origin, so the same layout). */
function boardLinkScript(board: FirmwareBoard, placement: Placement = ALL_FLASH, pages?: ReadonlyMap<string, number>, flashSize?: number): string {
  const profile = board.profile;
  const { flash, sram, codeSram } = memoryOf(profile);
  return firmwareLinkScript({ target: profile.description, flash: { base: flash.base, size: flashSize ?? flash.size }, sram, ...(codeSram ? { codeSram } : {}) }, placement, pages);
}

/** Every file of the project for `request` (paths relative to the project), in a fixed order. */
export function projectFiles(request: ProjectRequest): ProjectFile[] {
  const { board, src, net, commonSources } = projectSources(request);
  const kernels = readdirSync(KERNEL_C_DIR)
    .filter((n) => n.endsWith('.h'))
    .sort()
    .map((n) => ({ path: `kernels/${n}`, content: readFileSync(join(KERNEL_C_DIR, n), 'utf8') }));
  const { network, images } = request;
  const profile = board.profile;
  const manifest: FirmwareManifest = {
    version: MANIFEST_VERSION,
    board: profile.id,
    layers: network.layerNames,
    inputBytes: network.inputBytes,
    outputBytes: network.outputBytes,
    labels: images.labels,
    elf: ELF_PATHS,
    origin: request.origin ?? null,
    predicted: request.predicted ?? null,
    expected: request.expected ?? null,
  };
  return [
    {
      path: 'Makefile',
      content: makefile({ board, commonSources, assembled: commonSources.filter((c) => net.some((f) => f.path === c.replace(/\.c$/, '.s'))), boardSource: `src/${board.boardSource}`, qemuBoardSource: `src/${QEMU_MACHINE.boardSource}`, qemuTimeoutS: QEMU_TIMEOUT_S }),
    },
    {
      path: 'README.md',
      content: readme({ board, origin: request.origin ?? null, layers: network.layerNames, images: images.inputs.length, predictedBy: request.predicted?.source }),
    },
    { path: MANIFEST_FILE, content: formatManifest(manifest) },
    { path: 'ld/board.ld', content: boardLinkScript(board, request.placement, network.pages) },
    {
      path: 'ld/qemu.ld',
      content: firmwareLinkScript({ target: `QEMU ${QEMU_MACHINE.name} (${QEMU_MACHINE.mcu})`, flash: QEMU_MACHINE.flash, sram: QEMU_MACHINE.sram }, request.placement, network.pages),
    },
    ...src,
    ...net,
    ...kernels,
  ];
}

/** Folders of a previous export, replaced by a new one. */
const GENERATED_DIRS = ['src', 'net', 'kernels', 'ld', 'build'];

/**
 * Writes the project for `request` into `request.outDir` (created if
 * missing). A folder that holds other files and no firmware.json is refused;
 * a previous export there is replaced.
 */
export function exportFirmware(request: ExportRequest): ExportedProject {
  const files = projectFiles(request);
  const dir = request.outDir;
  if (existsSync(dir)) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch (err) {
      throw new FileError(`cannot use ${dir} as the output folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
      throw new UsageError(`${dir} is not empty and holds no previous export (${MANIFEST_FILE}); choose an empty or new folder`);
    }
    for (const d of GENERATED_DIRS) rmSync(join(dir, d), { recursive: true, force: true });
  }
  for (const f of files) {
    const path = join(dir, f.path);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw new FileError(`cannot create ${dirname(path)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    writeFileAtomic(path, f.content);
  }
  const manifest = JSON.parse(files.find((f) => f.path === MANIFEST_FILE)!.content) as FirmwareManifest;
  return { dir, files: files.map((f) => f.path), manifest };
}
