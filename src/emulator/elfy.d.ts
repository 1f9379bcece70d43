/**
 * Types of the parts of the `elfy` package (CommonJS, untyped) that sim-dse uses:
 * `elfy.parse(buffer)` returns the ELF header with its program and section headers.
 * Names of enumerated fields are elfy's own (see its lib/elfy/constants.js).
 */
declare module 'elfy' {
  /** One program header. */
  export interface ElfyProgram {
    /** Segment type name, e.g. `load`, `note`, `phdr`; the raw number when elfy has no name. */
    type: string | number | undefined;
    offset: number;
    vaddr: number;
    paddr: number;
    filesz: number;
    memsz: number;
    /** Permission names set: `r`, `w`, `x` (or the raw bit when unnamed). */
    flags: Record<string, boolean>;
    align: number;
    /** File bytes of the segment (a view of the parsed buffer). */
    data: Buffer;
  }

  /** One section header, with its name resolved through the section name table. */
  export interface ElfySection {
    name: string;
    /** Section type name, e.g. `progbits`, `nobits`, `symtab`, `strtab`; the raw number when unnamed. */
    type: string | number;
    /** Flag names set: `write`, `alloc`, `execinstr`, ... (or the raw bit, as a string key, when unnamed). */
    flags: Record<string, boolean>;
    addr: number;
    off: number;
    size: number;
    link: number;
    info: number;
    addralign: number;
    entsize: number;
    /** File bytes of the section (a view of the parsed buffer; clamped at the end of the file). */
    data: Buffer;
  }

  /** The parsed file. */
  export interface ElfyFile {
    class: string;
    endian: string;
    osabi: string;
    abiversion: string;
    type: string;
    /** Machine name, e.g. `arm`, `amd64`. */
    machine: string;
    version: number;
    entry: number;
    phoff: number;
    shoff: number;
    flags: number;
    ehsize: number;
    phentsize: number;
    phnum: number;
    shentsize: number;
    shnum: number;
    shstrndx: number;
    body: { programs: ElfyProgram[]; sections: ElfySection[] };
  }

  /** The module object. */
  interface Elfy {
    /** Parses an ELF file; throws a plain Error (or an assertion) on malformed input. */
    parse(buffer: Buffer): ElfyFile;
    /** Name tables, e.g. `constants.sectFlags[2] === 'alloc'`. */
    constants: Record<string, Record<number, string>>;
  }

  const elfy: Elfy;
  export default elfy;
}
