import type { BoardProfile } from '../../emulator/board.js';
import type { Command } from 'commander';
import { getBoard } from '../../emulator/boards.js';
import type { CallArg, CallOk } from '../../emulator/call-types.js';
import type { GoldenEntry } from '../../emulator/golden.js';
import { checkGolden, measure } from '../../emulator/measure.js';
import { SimDseError, UsageError } from '../../util/errors.js';
import { withOptions } from '../options.js';

/** Largest `buf:N` accepted before the board's SRAM is even looked at (every board's SRAM is smaller). */
const MAX_BUFFER_BYTES = 16 * 1024 * 1024;

/**
 * One `--args` item: an integer (decimal or 0x hex, -2^31..2^32-1, as the
 * register holds it), `buf:N` (N zero bytes placed in SRAM, the register
 * holds their address) or `hex:<bytes>` (those bytes, two hex digits each,
 * placed in SRAM the same way).
 */
function parseArg(item: string): CallArg {
  const s = item.trim();
  const buf = /^buf:(\d+)$/.exec(s);
  if (buf) {
    const n = Number(buf[1]);
    if (n < 1 || n > MAX_BUFFER_BYTES) throw new UsageError(`--args: '${s}': a buffer holds 1 to ${MAX_BUFFER_BYTES} bytes`);
    return new Uint8Array(n);
  }
  if (s.startsWith('hex:')) {
    const digits = s.slice(4);
    if (digits.length === 0 || digits.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(digits)) {
      throw new UsageError(`--args: '${s}': hex: takes an even number of hex digits, two per byte (e.g. hex:01ff80)`);
    }
    return Uint8Array.from(Buffer.from(digits, 'hex'));
  }
  const m = /^([+-]?)(0x[0-9a-fA-F]+|\d+)$/.exec(s);
  const value = m ? (m[1] === '-' ? -1 : 1) * Number(m[2]) : NaN;
  if (!m) throw new UsageError(`--args: '${s}' is not an integer, buf:N or hex:<bytes>`);
  if (!Number.isSafeInteger(value) || value < -0x8000_0000 || value > 0xffff_ffff) throw new UsageError(`--args: ${s} does not fit a 32-bit register (-2147483648..4294967295)`);
  return value;
}

function parseArgs(text: string | undefined): CallArg[] {
  if (!text) return [];
  const out = text.split(',').map(parseArg);
  if (out.length > 4) throw new UsageError(`--args: at most 4 register arguments, got ${out.length}`);
  return out;
}

/** Bytes as hex pairs, at most `limit` of them (then the count left out). */
function hexBytes(bytes: Uint8Array, limit = 64): string {
  const shown = Buffer.from(bytes.subarray(0, limit)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
  return bytes.length > limit ? `${shown} ... (${bytes.length - limit} more)` : shown;
}

/** A fn x board matrix of cycle counts (cold runs; warm ones marked with a trailing w). */
function formatMatrix(entries: readonly GoldenEntry[]): string {
  const boards = [...new Set(entries.map((e) => e.board))].sort();
  const rows = new Map<string, Map<string, string>>();
  const elfsOf = new Map<string, Set<string>>();
  for (const e of entries) elfsOf.set(e.fn, (elfsOf.get(e.fn) ?? new Set()).add(e.elf));
  for (const e of entries) {
    const where = elfsOf.get(e.fn)!.size > 1 ? ` [${e.elf.replace(/^.*\//, '').replace(/\.elf$/, '')}]` : '';
    const key = `${e.fn}${where}${e.warm ? ' (warm)' : ''}`;
    if (!rows.has(key)) rows.set(key, new Map());
    rows.get(key)!.set(e.board, String(e.cycles));
  }
  const w = Math.max(...[...rows.keys()].map((k) => k.length), 8);
  const cols = boards.map((b) => Math.max(b.length, 8));
  const line = (first: string, cells: string[]): string => `${first.padEnd(w)}  ${cells.map((c, i) => c.padStart(cols[i])).join('  ')}`;
  return [line('cycles', boards), ...[...rows].map(([k, m]) => line(k, boards.map((b) => m.get(b) ?? '-')))].join('\n');
}

function formatResult(fn: string, board: BoardProfile, r: CallOk, args: readonly CallArg[]): string {
  const us = (r.cycles / board.clockHz) * 1e6;
  const b = r.breakdown;
  const classes = Object.entries(b.byClass)
    .sort((x, y) => (y[1] ?? 0) - (x[1] ?? 0))
    .map(([cls, cyc]) => `    ${cls.padEnd(20)} ${String(cyc).padStart(12)} cycles  ${String(b.countByClass[cls as keyof typeof b.countByClass] ?? 0).padStart(12)} instr`);
  return [
    `${fn} on ${board.id} (${board.mcu}, ${board.clockHz / 1e6} MHz, ${board.flashWaitStates} wait states)`,
    `  cycles        ${r.cycles}  (${us.toFixed(3)} us at ${board.clockHz / 1e6} MHz)`,
    `  instructions  ${r.instructions}  (CPI ${(r.cycles / Math.max(1, r.instructions)).toFixed(3)})`,
    `  r0            ${r.returnValue} (0x${r.returnValue.toString(16)})`,
    '  pipeline cycles by instruction class:',
    ...classes,
    `  branch refills ${b.branchPenalty}, fetch stalls ${b.fetchStalls}, flash data stalls ${b.dataStalls}, divide extra ${b.divideExtra}`,
    ...bufferLines(r, args),
  ].join('\n');
}

/** The buffer arguments after the call: register, SRAM address, bytes. */
function bufferLines(r: CallOk, args: readonly CallArg[]): string[] {
  const regs = args.flatMap((a, i) => (typeof a === 'number' ? [] : [i]));
  if (regs.length === 0) return [];
  return ['  buffers after the call:', ...regs.map((reg, k) => `    r${reg} (${r.buffers[k].length} bytes) ${hexBytes(r.buffers[k])}`)];
}

/** `sim-dse cycles`: cycles of one function of an ELF, or a golden-file check. */
export function registerCycles(program: Command): void {
  withOptions(program.command('cycles').description('Emulate a function of a Cortex-M4 ELF and print its cycles, time and breakdown; or check golden cycle counts'), { board: { default: 'nucleo-f446re' } })
    .argument('[elf]', 'ELF file (32-bit little-endian Arm)')
    .option('--fn <symbol>', 'function to call')
    .option('--args <list>', 'comma-separated arguments for r0..r3: an integer (decimal or 0x hex, -2147483648..4294967295), buf:N (N zero bytes in SRAM, the register gets their address) or hex:<bytes> (those bytes in SRAM, e.g. hex:0102ff); buffers are printed after the call', '')
    .option('--warm', 'run once first so the flash accelerator caches are warm', false)
    .option('--json', 'print JSON', false)
    .option('--check <golden>', 'check every entry of a golden cycle file; non-zero exit on any difference')
    .option('--update', 'with --check: rewrite the golden file with the measured values', false)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  sim-dse cycles firmware-prebuilt/microbench/alu.elf --fn alu_chain16 --args 1,2 --board nucleo-f446re\n' +
        '  sim-dse cycles kernels.elf --fn fill --args buf:64,0x7f,64     # r0 = address of 64 zero bytes in SRAM\n' +
        '  sim-dse cycles kernels.elf --fn sum --args hex:0102030405,5     # r0 = address of those 5 bytes\n' +
        '  sim-dse cycles --check firmware-prebuilt/golden-cycles.json\n' +
        '  sim-dse cycles --check firmware-prebuilt/golden-cycles.json --update   # after a reviewed model change',
    )
    .action((elf: string | undefined, opts: { fn?: string; board: string; args: string; warm: boolean; json: boolean; check?: string; update: boolean }) => {
      if (opts.check) {
        const result = checkGolden(opts.check, opts.update);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          process.stdout.write(`${formatMatrix(result.measured)}\n\n`);
          for (const d of result.diffs) {
            const where = `${d.entry.elf} ${d.entry.fn} ${d.entry.board}${d.entry.warm ? ' (warm)' : ''}`;
            if (d.kind === 'fault') process.stdout.write(`FAULT   ${where}: ${d.message}\n`);
            else process.stdout.write(`CHANGED ${where}: cycles ${d.entry.cycles} -> ${d.cycles}, instructions ${d.entry.instructions} -> ${d.instructions}\n`);
          }
          process.stdout.write(`${result.entries} golden entries, ${result.diffs.length} differences${result.updated ? `, ${opts.check} rewritten` : ''}\n`);
        }
        if (result.diffs.length > 0 && !result.updated) process.exitCode = 1;
        return;
      }
      if (opts.update) throw new UsageError('--update goes with --check <golden>');
      if (!elf) throw new UsageError('missing ELF file argument (or use --check <golden>)');
      if (!opts.fn) throw new UsageError('missing --fn <symbol>');
      const board = getBoard(opts.board);
      const args = parseArgs(opts.args);
      const result = measure(elf, opts.fn, board, args, opts.warm);
      if (result.kind === 'fault') throw new SimDseError('fault', result.message, { unit: opts.fn, pc: result.pc, address: result.address });
      if (opts.json) {
        const buffers = result.buffers.map((b) => Buffer.from(b).toString('hex'));
        process.stdout.write(`${JSON.stringify({ ...result, buffers, board: board.id, clockHz: board.clockHz, microseconds: (result.cycles / board.clockHz) * 1e6 }, null, 2)}\n`);
      } else {
        process.stdout.write(`${formatResult(opts.fn, board, result, args)}\n`);
      }
    });
}
