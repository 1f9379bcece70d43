/**
 * Errors that reach the user as one line. Every module throws a
 * {@link SimDseError} of one of the closed set of {@link ErrorKind}s for
 * problems with its input (a malformed file, an unknown option, an emulator
 * fault, an image too large for a board); the CLI prints `sim-dse: <message>`
 * and exits non-zero without a stack trace. Anything else is an internal bug.
 *
 * Code that reacts to an error branches on its `kind` and reads its typed
 * `data` (which unit, which address, how many bytes over), never on the text
 * of its message.
 */

/**
 * The data each kind of error carries, keyed by kind. A kind whose data has
 * only optional fields may be thrown without data.
 */
export interface ErrorDataByKind {
  /** A wrong option or argument on the command line (exit code 2). */
  readonly usage: Record<string, never>;
  /** A file that is missing or unreadable. */
  readonly file: { readonly path?: string };
  /** A malformed or unsupported model (.tflite, operator, skip configuration). */
  readonly model: Record<string, never>;
  /** A missing or malformed dataset. */
  readonly dataset: Record<string, never>;
  /** A malformed ELF file. */
  readonly elf: Record<string, never>;
  /** An instruction the Thumb decoder does not know. */
  readonly thumb: { readonly address?: number };
  /** The Unicorn engine or the native cycle model failed. */
  readonly unicorn: { readonly code?: number; readonly address?: number };
  /** Emulated code faulted (bad access, exception, instruction limit). */
  readonly fault: { readonly unit: string; readonly pc?: number; readonly address?: number | null };
  /** A board that is unknown or lacks a memory region. */
  readonly board: { readonly board: string };
  /** Compiling, linking or building with the toolchain failed. */
  readonly compiler: { readonly unit?: string };
  /** An image that does not fit a memory region of its board. */
  readonly 'too-large': { readonly unit: string; readonly region: 'flash' | 'sram'; readonly bytesOver: number };
  /** A code and constants placement that the board cannot hold (no SRAM window, bytes over). */
  readonly placement: { readonly board: string; readonly bytesOver?: number };
  /** A network the kernels cannot build or run (masks, operators, inputs). */
  readonly kernels: Record<string, never>;
  /** An exported firmware project or its run that is not as expected. */
  readonly firmware: Record<string, never>;
  /** A malformed golden-cycles file. */
  readonly golden: { readonly path: string };
  /** Arm's CMSIS-NN is not found where looked for, or does not compile. */
  readonly 'cmsis-nn': Record<string, never>;
  /** QEMU is missing, failed or timed out. */
  readonly qemu: Record<string, never>;
  /** A serial port that cannot be used, or no complete run from it. */
  readonly serial: Record<string, never>;
  /** Board output (a log, a serial stream) without a complete, well-formed run. */
  readonly 'firmware-log': Record<string, never>;
  /** A board log that does not belong to the prediction it is validated against. */
  readonly validate: Record<string, never>;
  /** The Redis of a cluster run is unreachable, a job failed on every try, or a worker refused it. */
  readonly cluster: { readonly job?: string };
}

/** The closed set of error kinds. */
export type ErrorKind = keyof ErrorDataByKind;

type DataArgs<K extends ErrorKind> = Record<string, never> extends ErrorDataByKind[K] ? [data?: ErrorDataByKind[K]] : [data: ErrorDataByKind[K]];

/** An error with a one-line message for the user, of kind `K` with that kind's data. */
export class SimDseError<K extends ErrorKind = ErrorKind> extends Error {
  /** What went wrong, from the closed set {@link ErrorKind}. */
  readonly kind: K;
  /** The kind's data (see {@link ErrorDataByKind}). */
  readonly data: ErrorDataByKind[K];
  constructor(kind: K, message: string, ...data: DataArgs<K>) {
    super(message);
    this.name = 'SimDseError';
    this.kind = kind;
    this.data = (data[0] ?? {}) as ErrorDataByKind[K];
  }
}

/** Whether `err` is a {@link SimDseError} of kind `kind` (narrows its data). */
export function isErrorKind<K extends ErrorKind>(err: unknown, kind: K): err is SimDseError<K> {
  return err instanceof SimDseError && err.kind === kind;
}

/** A wrong option or argument on the command line (exit code 2). */
export class UsageError extends SimDseError<'usage'> {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/** A file that is missing or unreadable. */
export class FileError extends SimDseError<'file'> {
  constructor(message: string, path?: string) {
    super('file', message, path === undefined ? {} : { path });
    this.name = 'FileError';
  }
}
