/**
 * Errors that reach the user as one line. Every module throws a subclass of
 * {@link SimDseError} for problems with its input (a malformed file, an unknown
 * option, an emulator fault); the CLI prints `sim-dse: <message>` and exits
 * non-zero without a stack trace. Anything else is an internal bug.
 */
export class SimDseError extends Error {
  /** Short machine-readable category, e.g. `elf`, `tflite`, `unicorn`, `usage`. */
  readonly category: string;
  constructor(category: string, message: string) {
    super(message);
    this.name = 'SimDseError';
    this.category = category;
  }
}

/** A wrong option or argument on the command line (exit code 2). */
export class UsageError extends SimDseError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/** A file that is missing or unreadable. */
export class FileError extends SimDseError {
  constructor(message: string) {
    super('file', message);
    this.name = 'FileError';
  }
}
