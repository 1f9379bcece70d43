/**
 * Compiles C sources into one emulator ELF with arm-none-eabi-gcc: each
 * translation unit to an object (in parallel, cached by content hash), then
 * one link (cached too). Compiler failures become one-line SimDseErrors and
 * never leave an entry in the cache.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { BoardProfile } from '../../emulator/board.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { cacheDir } from '../../util/cache-dir.js';
import { projectRoot } from '../../util/paths.js';
import { SimDseError } from '../../util/errors.js';
import { emulatorLinkScript } from './link-script.js';
import { removeScratchFolder, runCompiler, scratchFolder } from './scratch.js';
import { CFLAGS, LDFLAGS, compilerCommand, requireCompiler } from './toolchain.js';

/** At most this many compiler processes (the available cores) run at once in this process, however many builds are in flight. */
const COMPILER_LIMIT = availableParallelism();
let compilersRunning = 0;
let unitsCompiled = 0;

/** sha256 of every unit this thread compiled (cache misses): its code and assembly. */
const compiledCode = new Set<string>();

/** Identity of a unit's text for {@link compiledUnit}. */
function unitDigest(source: CSource): string {
  const h = createHash('sha256').update(source.code);
  if (source.assembly !== undefined) h.update('\0asm\0').update(source.assembly);
  return h.digest('hex');
}

/** What this thread's compiler processes have done: units compiled (cache misses) and processes running now. */
export function compilerActivity(): { readonly compiled: number; readonly running: number } {
  return { compiled: unitsCompiled, running: compilersRunning };
}

/** Whether this thread compiled exactly this unit (a cache miss; an object cache hit does not count): lets tests show a variant was never compiled. */
export function compiledUnit(source: CSource): boolean {
  return compiledCode.has(unitDigest(source));
}
const waiting: (() => void)[] = [];

/** Runs a compiler process (or another toolchain tool) when fewer than the limit are running. */
export async function run(file: string, args: readonly string[], options: { cwd: string; maxBuffer: number }): Promise<void> {
  while (compilersRunning >= COMPILER_LIMIT) await new Promise<void>((resolve) => waiting.push(resolve));
  compilersRunning++;
  try {
    await runCompiler(file, args, options);
  } finally {
    compilersRunning--;
    waiting.shift()?.();
  }
}

/** One C translation unit (or header, when `name` ends in .h), with the unit's own assembly where it has some. */
export interface CSource {
  /** File name, e.g. `layer_3.c` or `net.h`; unique within a build. */
  readonly name: string;
  readonly code: string;
  /**
   * Thumb-2 assembly of the unit (`<stem>.s` when written out): assembled apart and merged with the
   * C's object into the unit's one object (`gcc -r`), so the C part's object is cached and reused
   * by every unit with the same C and other assembly (an unpacked layer's masks). It should name itself
   * with a `.file` directive: else the merge names it after the assembler's temporary object, and the
   * unit's object differs from build to build.
   */
  readonly assembly?: string;
}

/** The file name a unit's assembly has when written out (`layer_3.c` -> `layer_3.s`). */
export function assemblyName(source: { readonly name: string }): string {
  return source.name.replace(/\.c$/, '.s');
}

/** The files of a unit as written out: its C (or header) and, where it has some, its assembly. */
export function unitFiles(source: CSource): { readonly name: string; readonly code: string }[] {
  return [{ name: source.name, code: source.code }, ...(source.assembly === undefined ? [] : [{ name: assemblyName(source), code: source.assembly }])];
}

/** The flags that merge relocatable objects into one (`gcc -nostdlib -r`). */
export const MERGE_FLAGS: readonly string[] = ['-nostdlib', '-r'];

/** What to compile. */
export interface CompileRequest {
  readonly sources: readonly CSource[];
  readonly board: BoardProfile;
  /** Defaults to the emulator link script for the board. */
  readonly linkScript?: string;
  /**
   * The link script from the compiled objects (overrides `linkScript`); may
   * throw to refuse the link (e.g. a placement that does not fit).
   */
  readonly linkScriptFor?: (objects: readonly CompiledObject[]) => string;
  /** Extra flags appended to {@link CFLAGS}. */
  readonly extraCflags?: readonly string[];
  /** Parallel compiler processes (default: available cores). */
  readonly jobs?: number;
  /** Use the content-hash cache (default true). */
  readonly cache?: boolean;
  /** Static libraries linked after the objects (e.g. the CMSIS-NN archive). */
  readonly archives?: readonly LinkArchive[];
}

/** A static library to link: its path and a hash of its content (part of the link's cache key). */
export interface LinkArchive {
  readonly path: string;
  readonly hash: string;
}

/** A compiled translation unit. */
export interface CompiledObject {
  readonly name: string;
  readonly object: Uint8Array;
  /** gcc -fstack-usage output of the unit (`file:line:col:function<TAB>bytes<TAB>kind` lines). */
  readonly stackUsage: string;
}

/** A linked image and its objects. */
export interface CompiledImage {
  readonly elf: Uint8Array;
  readonly objects: readonly CompiledObject[];
}

/** The library's own C headers and sources (snn_*.h, baseline kernels). */
export const KERNEL_C_DIR = join(projectRoot, 'src', 'kernels', 'c');

let libraryHashMemo: string | undefined;

/**
 * Hash of every file of the kernel C library in {@link KERNEL_C_DIR} (names
 * and contents; read once per process). It covers the library headers the
 * generated units include, so it belongs in any cache key of compiled kernel
 * code.
 */
export function libraryHash(): string {
  if (libraryHashMemo) return libraryHashMemo;
  const h = createHash('sha256');
  for (const f of readdirSync(KERNEL_C_DIR).sort()) h.update(f).update('\0').update(readFileSync(join(KERNEL_C_DIR, f))).update('\0');
  libraryHashMemo = h.digest('hex');
  return libraryHashMemo;
}

/** Runs `tasks` with at most `limit` in flight; results in order. */
async function runPool<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return out;
}

/** The line of a gcc, as or ld diagnostic that names the problem (a region overflow first, then an error), without the temp folder path. */
export function firstError(stderr: string, dir: string): string {
  const lines = stderr.split('\n').map((l) => l.split(dir + '/').join(''));
  return lines.find((l) => /overflowed by \d+ bytes/.test(l)) ?? lines.find((l) => /error/i.test(l)) ?? lines.find((l) => l.trim() !== '') ?? 'unknown error';
}

/** {@link firstError} of a failed tool run (its stderr, else the error itself). */
export function failureLine(err: unknown, dir: string): string {
  return firstError((err as { stderr?: string }).stderr ?? String(err), dir);
}

const sha = (...parts: (string | Uint8Array)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
};

const INCLUDE = /^[ \t]*#[ \t]*include[ \t]*"([^"]+)"/gm;

/**
 * The build's headers that `source` includes with `#include "name"`, directly
 * or through other headers of the build, in the build's order: only these can
 * change its object, so only these enter its cache key (a layer compiled alone
 * and the same layer inside a whole image share one object).
 */
export function includedHeaders(source: CSource, headers: readonly CSource[]): CSource[] {
  const byName = new Map(headers.map((h) => [h.name, h]));
  const seen = new Set<string>();
  const visit = (code: string): void => {
    for (const m of code.matchAll(INCLUDE)) {
      const h = byName.get(m[1]);
      if (h !== undefined && !seen.has(h.name)) {
        seen.add(h.name);
        visit(h.code);
      }
    }
  };
  visit(source.code);
  return headers.filter((h) => seen.has(h.name));
}

/** Compiles one unit (headers of the same build visible), through the object cache; a unit with assembly from its C part's cached object. */
async function compileUnit(
  source: CSource,
  headers: readonly CSource[],
  flags: readonly string[],
  version: string,
  useCache: boolean,
): Promise<CompiledObject> {
  const asm = source.assembly === undefined ? [] : ['asm', source.assembly];
  const key = sha(version, flags.join(' '), libraryHash(), source.name, source.code, ...asm, ...includedHeaders(source, headers).flatMap((h) => [h.name, h.code]));
  const dir = useCache ? cacheDir('objects', key.slice(0, 2)) : '';
  const objPath = join(dir, `${key}.o`);
  const suPath = join(dir, `${key}.su`);
  if (useCache && existsSync(objPath) && existsSync(suPath)) {
    return { name: source.name, object: new Uint8Array(readFileSync(objPath)), stackUsage: readFileSync(suPath, 'utf8') };
  }
  const compiled =
    source.assembly === undefined
      ? await compileC(source, headers, flags)
      : await withAssembly(await compileUnit({ name: source.name, code: source.code }, headers, flags, version, useCache), source.assembly, flags);
  unitsCompiled++;
  compiledCode.add(unitDigest(source));
  if (useCache) {
    writeFileAtomic(suPath, compiled.stackUsage);
    writeFileAtomic(objPath, compiled.object); // last: its presence marks a complete entry
  }
  return compiled;
}

/** Runs gcc on one C unit in a scratch folder (headers of the same build beside it). */
async function compileC(source: CSource, headers: readonly CSource[], flags: readonly string[]): Promise<CompiledObject> {
  const tmp = scratchFolder('cc');
  try {
    for (const h of headers) writeFileSync(join(tmp, h.name), h.code);
    writeFileSync(join(tmp, source.name), source.code);
    const base = source.name.replace(/\.c$/, '');
    try {
      await run(
        compilerCommand(),
        [...flags, `-I${tmp}`, `-I${KERNEL_C_DIR}`, '-fstack-usage', '-c', source.name, '-o', `${base}.o`],
        { cwd: tmp, maxBuffer: 64 << 20 },
      );
    } catch (err) {
      throw new SimDseError('compiler', `compiling ${source.name} failed: ${failureLine(err, tmp)}`, { unit: source.name });
    }
    const object = new Uint8Array(readFileSync(join(tmp, `${base}.o`)));
    const stackUsage = readFileSync(join(tmp, `${base}.su`), 'utf8').split(tmp + '/').join('');
    return { name: source.name, object, stackUsage };
  } finally {
    removeScratchFolder(tmp);
  }
}

/** Assembles `assembly` and merges it after the C part's object into one relocatable object (one gcc run). */
async function withAssembly(c: CompiledObject, assembly: string, flags: readonly string[]): Promise<CompiledObject> {
  const tmp = scratchFolder('as');
  const base = c.name.replace(/\.c$/, '');
  const asmName = assemblyName(c);
  try {
    writeFileSync(join(tmp, `${base}.c.o`), c.object);
    writeFileSync(join(tmp, asmName), assembly);
    try {
      await run(compilerCommand(), [...flags, ...MERGE_FLAGS, `${base}.c.o`, asmName, '-o', `${base}.o`], { cwd: tmp, maxBuffer: 64 << 20 });
    } catch (err) {
      throw new SimDseError('compiler', `assembling ${asmName} failed: ${failureLine(err, tmp)}`, { unit: c.name });
    }
    return { name: c.name, object: new Uint8Array(readFileSync(join(tmp, `${base}.o`))), stackUsage: c.stackUsage };
  } finally {
    removeScratchFolder(tmp);
  }
}

/** Links objects with a linker script into an ELF (cached by the objects' and script's hash). */
async function linkObjects(
  objects: readonly CompiledObject[],
  linkScript: string,
  version: string,
  useCache: boolean,
  archives: readonly LinkArchive[],
): Promise<Uint8Array> {
  const key = sha(version, LDFLAGS.join(' '), CFLAGS.join(' '), linkScript, ...objects.flatMap((o) => [o.name, o.object]), ...archives.map((a) => a.hash));
  const path = useCache ? join(cacheDir('images', key.slice(0, 2)), `${key}.elf`) : '';
  if (useCache && existsSync(path)) return new Uint8Array(readFileSync(path));
  const tmp = scratchFolder('ld');
  try {
    writeFileSync(join(tmp, 'image.ld'), linkScript);
    const names = objects.map((o) => o.name.replace(/\.c$/, '.o'));
    objects.forEach((o, i) => writeFileSync(join(tmp, names[i]), o.object));
    try {
      await run(compilerCommand(), [...CFLAGS, '-T', 'image.ld', ...names, ...archives.map((a) => a.path), '-o', 'image.elf', ...LDFLAGS], { cwd: tmp, maxBuffer: 64 << 20 });
    } catch (err) {
      throw new SimDseError('compiler', `linking failed: ${failureLine(err, tmp)}`);
    }
    const elf = new Uint8Array(readFileSync(join(tmp, 'image.elf')));
    if (useCache) writeFileAtomic(path, elf);
    return elf;
  } finally {
    removeScratchFolder(tmp);
  }
}

/** Compiles and links `request.sources`; returns the ELF and the objects. */
export async function compileAndLink(request: CompileRequest): Promise<CompiledImage> {
  const version = requireCompiler();
  const useCache = request.cache ?? true;
  const headers = request.sources.filter((s) => s.name.endsWith('.h'));
  const units = request.sources.filter((s) => s.name.endsWith('.c'));
  const flags = [...CFLAGS, ...(request.extraCflags ?? [])];
  const jobs = request.jobs ?? availableParallelism();
  const objects = await runPool(
    units.map((s) => () => compileUnit(s, headers, flags, version, useCache)),
    jobs,
  );
  const script = request.linkScriptFor?.(objects) ?? request.linkScript ?? emulatorLinkScript(request.board);
  const elf = await linkObjects(objects, script, version, useCache, request.archives ?? []);
  return { elf, objects };
}

/** Compiles and links `request.sources`; returns the ELF bytes. Throws SimDseError('compiler') on failure. */
export async function compileImage(request: CompileRequest): Promise<Uint8Array> {
  return (await compileAndLink(request)).elf;
}
