/**
 * ELF loader for Cortex-M firmware: validates the file, reads its loadable
 * segments, sections and symbols, and checks that it fits a board's memory.
 *
 * The ELF header, program headers and section headers are parsed by `elfy`;
 * every offset and size is validated here first, because elfy reads past the
 * end of a file without complaint. The symbol table (which elfy does not parse)
 * is read here, following the ELF specification (System V gABI) and the ARM
 * ELF supplement (AAELF32) for mapping symbols.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import elfy from 'elfy';
import type { ElfySection } from 'elfy';
import type { BoardProfile } from './board.js';
import { FileError, SimDseError } from '../util/errors.js';

/** A malformed or unsuitable ELF file, or a missing symbol. The message names the file. */
export class ElfError extends SimDseError<'elf'> {
  constructor(message: string) {
    super('elf', message);
    this.name = 'ElfError';
  }
}

/** A loadable (PT_LOAD) segment. */
export interface ElfSegment {
  /** Physical (load) address: where the loader writes the bytes. */
  readonly paddr: number;
  /** Virtual (run) address. Equal to paddr unless the linker script used `AT>`. */
  readonly vaddr: number;
  /** Size in memory; bytes past `data.length` are zero (.bss). */
  readonly memsz: number;
  /** The segment's bytes in the file (p_filesz of them), a copy. */
  readonly data: Uint8Array;
}

/** A section header. */
export interface ElfSection {
  /** Section name, e.g. `.text`. */
  readonly name: string;
  /** Address in memory (0 for sections that are not allocated). */
  readonly addr: number;
  /** Size in bytes. */
  readonly size: number;
  /** Type name as elfy gives it (`progbits`, `nobits`, `symtab`, `strtab`, ...), else `0x<hex>`. */
  readonly type: string;
  /** Raw sh_flags bits: 1 write, 2 alloc, 4 execinstr, ... */
  readonly flags: number;
}

/** Symbol types of the ELF specification that sim-dse distinguishes. */
export type ElfSymbolType = 'func' | 'object' | 'notype' | 'section' | 'file';

/** Symbol binding. */
export type ElfSymbolBind = 'local' | 'global' | 'weak' | 'other';

/** A symbol of .symtab. */
export interface ElfSymbol {
  /**
   * Address, with the Thumb bit cleared for functions (as `nm` and `objdump` print it);
   * the raw st_value of a Thumb function is `value | 1`.
   */
  readonly value: number;
  /** Size in bytes (st_size). */
  readonly size: number;
  /** Symbol type (TLS and common symbols count as `object`, processor-specific ones as `notype`). */
  readonly type: ElfSymbolType;
  /** Binding. */
  readonly bind: ElfSymbolBind;
  /** True for a function whose st_value has bit 0 set (Thumb code). */
  readonly thumb: boolean;
}

/** Kind of bytes that follow a mapping symbol: Thumb code, data (literal pool), ARM code. */
export type MappingKind = 't' | 'd' | 'a';

/** A mapping symbol (`$t`, `$d`, `$a`): from its address on, the bytes are of this kind. */
export interface MappingSymbol {
  readonly address: number;
  readonly kind: MappingKind;
}

/** A parsed, validated 32-bit little-endian ARM ELF file. */
export interface ElfImage {
  /** The name the file was parsed under (used in error messages). */
  readonly fileName: string;
  /** Entry point (e_entry), as stored (Thumb bit included). */
  readonly entry: number;
  /** e_machine: always 40 (ARM) once parsed. */
  readonly machine: number;
  /** PT_LOAD segments, in program-header order. */
  readonly segments: readonly ElfSegment[];
  /** Every section header except the null one at index 0, in file order. */
  readonly sections: readonly ElfSection[];
  /** Named symbols, mapping symbols excluded; a global symbol wins over a local one of the same name. */
  readonly symbols: ReadonlyMap<string, ElfSymbol>;
  /** Mapping symbols sorted by address (stable for equal addresses). */
  readonly mappingSymbols: readonly MappingSymbol[];
}

const EM_ARM = 40;
const ELF32_HEADER_BYTES = 52;
const PHDR_BYTES = 32;
const SHDR_BYTES = 40;
const SYM_BYTES = 16;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_NOBITS = 8;

/** Names of common e_machine values, for the "expected ARM" error. */
const MACHINE_NAMES: Readonly<Record<number, string>> = {
  0: 'none',
  2: 'SPARC',
  3: 'x86',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  40: 'ARM',
  62: 'x86-64',
  183: 'AArch64',
  243: 'RISC-V',
};

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** A little-endian reader over the file that never reads past its end (callers check first). */
function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Throws a "truncated" error unless [offset, offset + size) lies inside the file. */
function requireInFile(bytes: Uint8Array, fileName: string, what: string, offset: number, size: number): void {
  if (offset + size > bytes.length) {
    throw new ElfError(
      `${fileName}: truncated ELF: ${what} (file offset ${offset}, ${size} bytes) ends past the end of the file (${bytes.length} bytes)`,
    );
  }
}

/** Checks the identification and header fields that decide whether the file is ours at all. */
function checkIdent(bytes: Uint8Array, fileName: string): void {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError(`${fileName}: not an ELF file (bad magic)`);
  }
  if (bytes.length < ELF32_HEADER_BYTES) {
    throw new ElfError(
      `${fileName}: truncated ELF: the file has ${bytes.length} bytes, the ELF header needs ${ELF32_HEADER_BYTES}`,
    );
  }
  const data = bytes[5];
  if (data !== 1 && data !== 2) throw new ElfError(`${fileName}: invalid ELF data encoding ${data}`);
  // e_machine sits at offset 18 in both ELF classes; read it first so that a foreign binary is
  // reported by what it is (an x86-64 ELF is also 64-bit, but "x86-64" is the useful news).
  const machine = view(bytes).getUint16(18, data === 1);
  if (machine !== EM_ARM) {
    const name = MACHINE_NAMES[machine] ?? 'unknown';
    throw new ElfError(`${fileName}: machine ${name} (${machine}), expected ARM (${EM_ARM})`);
  }
  const cls = bytes[4];
  if (cls !== 1) {
    const what = cls === 2 ? '64-bit' : `class ${cls}`;
    throw new ElfError(`${fileName}: ${what} ELF, expected 32-bit`);
  }
  if (data !== 1) throw new ElfError(`${fileName}: big-endian ELF, expected little-endian`);
}

/** Validates the header tables' extents before elfy reads them. */
function checkTables(bytes: Uint8Array, fileName: string): void {
  const dv = view(bytes);
  const phoff = dv.getUint32(28, true);
  const shoff = dv.getUint32(32, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  const shentsize = dv.getUint16(46, true);
  const shnum = dv.getUint16(48, true);
  const shstrndx = dv.getUint16(50, true);
  if (phoff !== 0 && phnum !== 0) {
    if (phentsize !== PHDR_BYTES) {
      throw new ElfError(`${fileName}: program header entry size ${phentsize}, expected ${PHDR_BYTES}`);
    }
    requireInFile(bytes, fileName, `program header table of ${phnum} entries`, phoff, phnum * PHDR_BYTES);
    for (let i = 0; i < phnum; i++) {
      const ph = phoff + i * PHDR_BYTES;
      if (dv.getUint32(ph, true) !== PT_LOAD) continue;
      const offset = dv.getUint32(ph + 4, true);
      const filesz = dv.getUint32(ph + 16, true);
      const memsz = dv.getUint32(ph + 20, true);
      requireInFile(bytes, fileName, `segment ${i}`, offset, filesz);
      if (filesz > memsz) {
        throw new ElfError(`${fileName}: segment ${i} has file size ${filesz} larger than its memory size ${memsz}`);
      }
    }
  }
  if (shoff === 0 || shnum === 0) {
    throw new ElfError(`${fileName}: no section headers (a stripped ELF has no symbols to call)`);
  }
  if (shentsize !== SHDR_BYTES) {
    throw new ElfError(`${fileName}: section header entry size ${shentsize}, expected ${SHDR_BYTES}`);
  }
  requireInFile(bytes, fileName, `section header table of ${shnum} entries`, shoff, shnum * SHDR_BYTES);
  if (shstrndx >= shnum) {
    throw new ElfError(`${fileName}: section name table index ${shstrndx} out of range (${shnum} sections)`);
  }
  for (let i = 1; i < shnum; i++) {
    const sh = shoff + i * SHDR_BYTES;
    const type = dv.getUint32(sh + 4, true);
    if (type === SHT_NOBITS) continue;
    requireInFile(bytes, fileName, `section ${i}`, dv.getUint32(sh + 16, true), dv.getUint32(sh + 20, true));
  }
  const shstrType = dv.getUint32(shoff + shstrndx * SHDR_BYTES + 4, true);
  if (shstrType !== SHT_STRTAB) {
    throw new ElfError(`${fileName}: section name table (section ${shstrndx}) is not a string table`);
  }
}

/** Raw sh_flags from elfy's flag-name object. */
function flagBits(flags: Record<string, boolean>): number {
  const names = elfy.constants.sectFlags;
  let bits = 0;
  for (const key of Object.keys(flags)) {
    if (!flags[key]) continue;
    const named = Object.entries(names).find(([, name]) => name === key);
    bits |= named ? Number(named[0]) : Number(key);
  }
  return bits >>> 0;
}

/** Reads a NUL-terminated string of a string table; throws when it runs off the table. */
function readString(table: Uint8Array, offset: number, fileName: string, what: string): string {
  if (offset >= table.length && !(offset === 0 && table.length === 0)) {
    throw new ElfError(`${fileName}: ${what} name offset ${offset} is outside its string table (${table.length} bytes)`);
  }
  let end = offset;
  while (end < table.length && table[end] !== 0) end++;
  if (end >= table.length) {
    throw new ElfError(`${fileName}: ${what} name at offset ${offset} is not NUL-terminated`);
  }
  return new TextDecoder().decode(table.subarray(offset, end));
}

const SYMBOL_TYPES: Readonly<Record<number, ElfSymbolType>> = {
  0: 'notype',
  1: 'object',
  2: 'func',
  3: 'section',
  4: 'file',
  5: 'object',
  6: 'object',
};
const SYMBOL_BINDS: Readonly<Record<number, ElfSymbolBind>> = { 0: 'local', 1: 'global', 2: 'weak' };

/** Mapping-symbol kind of a name (`$t`, `$d`, `$a`, optionally followed by `.suffix`), else undefined. */
function mappingKind(name: string): MappingKind | undefined {
  const m = /^\$([tda])(\..*)?$/.exec(name);
  return m ? (m[1] as MappingKind) : undefined;
}

/** Reads .symtab (every SHT_SYMTAB section) into named symbols and mapping symbols. */
function readSymbols(
  bytes: Uint8Array,
  sections: readonly ElfySection[],
  fileName: string,
): { symbols: Map<string, ElfSymbol>; mappingSymbols: MappingSymbol[] } {
  const symbols = new Map<string, ElfSymbol>();
  const mappingSymbols: MappingSymbol[] = [];
  sections.forEach((sec, index) => {
    if (sec.type !== 'symtab') return;
    if (sec.size % SYM_BYTES !== 0) {
      throw new ElfError(`${fileName}: symbol table '${sec.name}' size ${sec.size} is not a multiple of ${SYM_BYTES}`);
    }
    const strSec = sections[sec.link];
    if (strSec === undefined || strSec.type !== 'strtab') {
      throw new ElfError(`${fileName}: symbol table '${sec.name}' (section ${index}) links to section ${sec.link}, not a string table`);
    }
    const strtab = bytes.subarray(strSec.off, strSec.off + strSec.size);
    const dv = new DataView(bytes.buffer, bytes.byteOffset + sec.off, sec.size);
    for (let i = 1; i < sec.size / SYM_BYTES; i++) {
      const at = i * SYM_BYTES;
      const nameOff = dv.getUint32(at, true);
      if (nameOff === 0) continue;
      const name = readString(strtab, nameOff, fileName, `symbol ${i}`);
      const raw = dv.getUint32(at + 4, true);
      const info = dv.getUint8(at + 12);
      const kind = mappingKind(name);
      if (kind !== undefined) {
        mappingSymbols.push({ address: raw, kind });
        continue;
      }
      const type = SYMBOL_TYPES[info & 0xf] ?? 'notype';
      const bind = SYMBOL_BINDS[info >> 4] ?? 'other';
      const thumb = type === 'func' && (raw & 1) === 1;
      const symbol: ElfSymbol = { value: thumb ? raw - 1 : raw, size: dv.getUint32(at + 8, true), type, bind, thumb };
      const old = symbols.get(name);
      if (old === undefined || (old.bind === 'local' && bind !== 'local')) symbols.set(name, symbol);
    }
  });
  mappingSymbols.sort((a, b) => a.address - b.address);
  return { symbols, mappingSymbols };
}

/**
 * Parses and validates a 32-bit little-endian ARM ELF file.
 * @param bytes the whole file
 * @param fileName name used in error messages (a base name or a path)
 * @throws ElfError (one line naming the file) for a file that is not an ELF, is truncated,
 *   is not 32-bit, not little-endian, or not for ARM, or whose tables are malformed
 */
export function parseElf(bytes: Uint8Array, fileName: string): ElfImage {
  checkIdent(bytes, fileName);
  checkTables(bytes, fileName);
  let parsed;
  try {
    parsed = elfy.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new ElfError(`${fileName}: malformed ELF (${e instanceof Error ? e.message : String(e)})`);
  }
  const segments: ElfSegment[] = parsed.body.programs
    .filter((p) => p.type === 'load')
    .map((p) => ({ paddr: p.paddr, vaddr: p.vaddr, memsz: p.memsz, data: new Uint8Array(p.data) }));
  const allSections = parsed.body.sections;
  const sections: ElfSection[] = allSections.slice(1).map((s) => ({
    name: s.name,
    addr: s.addr,
    size: s.size,
    type: typeof s.type === 'string' ? s.type : `0x${s.type.toString(16)}`,
    flags: flagBits(s.flags),
  }));
  const { symbols, mappingSymbols } = readSymbols(bytes, allSections, fileName);
  return { fileName, entry: parsed.entry, machine: EM_ARM, segments, sections, symbols, mappingSymbols };
}

/**
 * Reads and parses an ELF file from disk; errors name the file by its base name.
 * @throws FileError when the file cannot be read; ElfError as {@link parseElf}
 */
export function readElfFile(path: string): ElfImage {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new FileError(`cannot read ELF file ${path} (${code})`);
  }
  return parseElf(bytes, basename(path));
}

/** Edit distance between two strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The symbol called `name`.
 * @throws ElfError "symbol 'foo' not found in x.elf (closest functions: a, b, c)", naming up to
 *   three functions of the image nearest to `name` by edit distance (ties in name order)
 */
export function findSymbol(image: ElfImage, name: string): ElfSymbol {
  const symbol = image.symbols.get(name);
  if (symbol !== undefined) return symbol;
  const functions = [...image.symbols.entries()].filter(([, s]) => s.type === 'func').map(([n]) => n);
  const closest = functions
    .map((n) => ({ n, d: editDistance(name, n) }))
    .sort((x, y) => x.d - y.d || (x.n < y.n ? -1 : x.n > y.n ? 1 : 0))
    .slice(0, 3)
    .map((x) => x.n);
  const hint = closest.length > 0 ? ` (closest functions: ${closest.join(', ')})` : ' (it has no functions)';
  throw new ElfError(`symbol '${name}' not found in ${image.fileName}${hint}`);
}

/**
 * Kind of the byte at `address` by the mapping symbols: the kind of the last mapping symbol at or
 * before it, or undefined when none precedes it.
 */
export function mappingKindAt(image: ElfImage, address: number): MappingKind | undefined {
  const list = image.mappingSymbols;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].address <= address) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : list[lo - 1].kind;
}

/**
 * Checks that every PT_LOAD segment with a non-zero memory size lies, at its load address, inside
 * one memory region (flash, SRAM or CCM) of the board.
 * @throws ElfError naming the file, the segment's address range and the board
 */
export function checkSegmentsFit(image: ElfImage, board: BoardProfile, fileName: string): void {
  const memories = board.regions.filter((r) => r.kind !== 'peripheral');
  for (const seg of image.segments) {
    if (seg.memsz === 0) continue;
    const start = seg.paddr;
    const end = seg.paddr + seg.memsz;
    if (memories.some((r) => start >= r.base && end <= r.base + r.size)) continue;
    const regions = memories.map((r) => `${r.name} ${hex(r.base)}..${hex(r.base + r.size)}`).join(', ');
    throw new ElfError(
      `${fileName}: segment ${hex(start)}..${hex(end)} (${seg.memsz} bytes) does not fit in any memory region of board '${board.id}' (${regions})`,
    );
  }
}
