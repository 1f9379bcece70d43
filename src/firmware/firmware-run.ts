/**
 * A firmware's measurement run read from its output text (a board's serial
 * log, the emulator's captured UART, QEMU's console): the last complete
 * `start` .. `end` sequence of SIMDSE lines, checked for consistency.
 * Lines without the SIMDSE tag (boot noise, a terminal's echo) are ignored,
 * and so is anything before the last `start` line (earlier runs).
 */
import { SimDseError } from '../util/errors.js';
import { type LineOf, type LineRecord, parseLine } from './protocol.js';

/** One layer's cycles in one inference. */
export interface MeasuredLayer {
  readonly index: number;
  readonly name: string;
  readonly cycles: number;
}

/** One inference of one embedded image. */
export interface MeasuredImage {
  readonly index: number;
  readonly label: number;
  readonly pred: number;
  /** Cycles of the whole inference. */
  readonly cycles: number;
  /** Per-layer cycles, in layer order. */
  readonly layers: readonly MeasuredLayer[];
}

/** What a firmware measured in one run. */
export interface FirmwareRun {
  readonly board: string;
  /** Core clock the firmware reached (Hz). */
  readonly coreHz: number;
  /** `ok`, or the clock set-up step that timed out. */
  readonly clock: string;
  readonly layerCount: number;
  /** The design point the firmware was exported from (`<run id>/<point>`), or `-`. */
  readonly point: string;
  readonly warmupCycles: number;
  readonly images: readonly MeasuredImage[];
  /** Images whose prediction equals the label. */
  readonly correct: number;
}

/** Error kind of a log that is not a complete, consistent run. */
export const LOG_ERROR = 'firmware-log' as const;

/** One SIMDSE line of output text (1-based line number): a record or a malformed line. */
export type NumberedLine = { readonly line: number } & ({ readonly kind: 'record'; readonly record: LineRecord } | { readonly kind: 'malformed'; readonly message: string });

/** The SIMDSE lines of output text, in order (other lines dropped). */
export function readLines(text: string): NumberedLine[] {
  const out: NumberedLine[] = [];
  text.split(/\r?\n|\r/).forEach((t, i) => {
    const parsed = parseLine(t);
    if (parsed.kind !== 'other') out.push({ line: i + 1, ...parsed });
  });
  return out;
}

/**
 * The last complete run in output text.
 * @param source names the text in error messages (file name, port)
 * @throws SimDseError (`firmware-log`) when there is no complete run, the firmware reported a fault, or the lines disagree
 */
export function readFirmwareRun(text: string, source: string): FirmwareRun {
  const lines = readLines(text);
  const starts = lines.map((r, i) => (r.kind === 'record' && r.record.kind === 'start' ? i : -1)).filter((i) => i >= 0);
  if (starts.length === 0) throw new SimDseError(LOG_ERROR, `${source}: no 'SIMDSE start' line (is this the firmware's output? reset the board to rerun it)`);
  // Lines before the last start belong to earlier runs (a reset may cut one short): only this run must be well-formed.
  const run: { line: number; record: LineRecord }[] = [];
  for (const l of lines.slice(starts[starts.length - 1])) {
    if (l.kind === 'malformed') throw new SimDseError(LOG_ERROR, `${source}:${l.line}: ${l.message}`);
    run.push({ line: l.line, record: l.record });
  }
  const fault = run.find((r) => r.record.kind === 'fault');
  if (fault) {
    const f = fault.record as LineOf<'fault'>;
    throw new SimDseError(LOG_ERROR, `${source}:${fault.line}: the firmware stopped with a fault (exception ${f.vector})`);
  }
  const start = run[0].record as LineOf<'start'>;
  const fail = (line: number, what: string): never => {
    throw new SimDseError(LOG_ERROR, `${source}:${line}: ${what}`);
  };
  let warmupCycles: number | null = null;
  let pending: MeasuredLayer[] = [];
  const images: MeasuredImage[] = [];
  for (const { line, record } of run.slice(1)) {
    switch (record.kind) {
      case 'start':
      case 'fault':
        break;
      case 'warmup':
        warmupCycles = record.cycles;
        break;
      case 'layer':
        if (record.image !== images.length) fail(line, `layer line of image ${record.image} where image ${images.length} was expected`);
        if (record.index !== pending.length) fail(line, `layer ${record.index} where layer ${pending.length} was expected`);
        pending.push({ index: record.index, name: record.name, cycles: record.cycles });
        break;
      case 'image':
        if (record.index !== images.length) fail(line, `image ${record.index} where image ${images.length} was expected`);
        if (pending.length !== start.layers) fail(line, `image ${record.index} has ${pending.length} layer lines, the start line says ${start.layers}`);
        images.push({ index: record.index, label: record.label, pred: record.pred, cycles: record.cycles, layers: pending });
        pending = [];
        break;
      case 'end': {
        if (record.images !== start.images || images.length !== start.images) {
          fail(line, `${images.length} image lines, the start line says ${start.images} and the end line ${record.images}`);
        }
        const correct = images.filter((m) => m.pred === m.label).length;
        if (record.correct !== correct) fail(line, `end line says ${record.correct} correct, the image lines ${correct}`);
        if (warmupCycles === null) fail(line, 'no warmup line');
        return { board: start.board, coreHz: start.hz, clock: start.clock, layerCount: start.layers, point: start.point, warmupCycles: warmupCycles ?? 0, images, correct };
      }
    }
  }
  return fail(run[run.length - 1].line, `the run that starts on line ${run[0].line} has no 'SIMDSE end' line (output cut short?)`);
}
