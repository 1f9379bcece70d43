/**
 * Reads a firmware's output from a serial port (the board's ST-LINK virtual
 * COM port) until one complete run has arrived. The npm package `serialport`
 * is loaded only here, lazily, so everything else works without it.
 */
import { SimDseError } from '../util/errors.js';
import { readLines } from './firmware-run.js';

/** Options of {@link readSerialRun}. */
export interface SerialOptions {
  /** Baud rate (the firmware uses 115200). */
  readonly baudRate: number;
  /** Give up after this long without a complete run. */
  readonly timeoutMs: number;
  /** Called with each complete line as it arrives (progress). */
  readonly onLine?: (line: string) => void;
}

interface PortLike {
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  on(event: 'data', cb: (chunk: Buffer) => void): void;
  on(event: 'error' | 'close', cb: (err?: Error) => void): void;
  readonly isOpen: boolean;
}

type PortConstructor = new (options: { path: string; baudRate: number; autoOpen: boolean }) => PortLike;

async function loadSerialPort(): Promise<PortConstructor> {
  try {
    const mod = (await import('serialport')) as unknown as { SerialPort: PortConstructor };
    return mod.SerialPort;
  } catch (err) {
    throw new SimDseError('serial', `the npm package serialport cannot be loaded (${(err as Error).message}); run npm install, or save the board's output to a file and use --log`);
  }
}

/**
 * Watches complete lines for a `start` line followed later by an `end` line
 * (only complete lines: an `end` line cut inside a number must not count).
 */
function runWatcher(): { readonly add: (lines: readonly string[]) => void; readonly complete: () => boolean } {
  let started = false;
  let complete = false;
  return {
    add(lines) {
      for (const l of readLines(lines.join('\n'))) {
        if (l.kind !== 'record') continue;
        if (l.record.kind === 'start') started = true;
        else if (l.record.kind === 'end' && started) complete = true;
      }
    },
    complete: () => complete,
  };
}

/**
 * Opens `path`, collects text until a complete run (start .. end) arrived,
 * closes the port and returns the text.
 * @throws SimDseError (`serial`) when the port cannot be opened or no complete run arrives in time
 */
export async function readSerialRun(path: string, options: SerialOptions): Promise<string> {
  const SerialPort = await loadSerialPort();
  const port = new SerialPort({ path, baudRate: options.baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(new SimDseError('serial', `cannot open serial port ${path}: ${err.message.replace(/^Error: /, '')}`)) : resolve()));
  });
  let text = '';
  let partial = '';
  const watcher = runWatcher();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new SimDseError('serial', `no complete run from ${path} within ${options.timeoutMs / 1000} s (flash the firmware, then press the board's RESET button while this waits)`));
      }, options.timeoutMs);
      port.on('data', (chunk: Buffer) => {
        const s = chunk.toString('latin1');
        text += s;
        const parts = (partial + s).split(/\r?\n/);
        partial = parts.pop() ?? '';
        for (const line of parts) options.onLine?.(line.replace(/\r$/, ''));
        watcher.add(parts);
        if (watcher.complete()) {
          clearTimeout(timer);
          resolve();
        }
      });
      port.on('error', (err?: Error) => {
        clearTimeout(timer);
        reject(new SimDseError('serial', `serial port ${path}: ${err?.message ?? 'error'}`));
      });
      port.on('close', () => {
        clearTimeout(timer);
        watcher.add([partial]); // the port closed: the last line is as complete as it gets
        if (!watcher.complete()) reject(new SimDseError('serial', `serial port ${path} closed before a complete run arrived`));
      });
    });
  } finally {
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
  return text;
}
