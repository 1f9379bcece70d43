/**
 * CMSIS-NN compiled with sim-dse's toolchain into one static archive, cached
 * by content hash (compiler, flags, every header and source file compiled).
 * Its own s8 and support sources are compiled (the float f16/f32 kernels are
 * left out), with the kernel flags except `-ffreestanding`: that implies
 * `-fno-builtin`, which turns CMSIS-NN's memcpy-based word reads into calls
 * (about 5.5x slower inferences). Each object's -fstack-usage output is kept
 * beside the archive for the image's stack bound.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { cacheDir } from '../../util/cache-dir.js';
import { SimDseError } from '../../util/errors.js';
import { failureLine, run, type LinkArchive } from '../compile/compile.js';
import { removeScratchFolder, scratchFolder } from '../compile/scratch.js';
import { CFLAGS, compilerCommand, requireCompiler } from '../compile/toolchain.js';
import type { CmsisNnDir } from './locate.js';

/** Flags CMSIS-NN is compiled with: the kernel flags without -ffreestanding (see the file comment). */
export const CMSIS_NN_CFLAGS: readonly string[] = CFLAGS.filter((f) => f !== '-ffreestanding');

/** The compiled library. */
export interface CmsisNnLibrary extends LinkArchive {
  readonly dir: CmsisNnDir;
  /** Concatenated -fstack-usage lines of every object in the archive. */
  readonly stackUsage: string;
  /** Number of translation units compiled into it. */
  readonly units: number;
}

/** Every file under `dir`, as paths relative to `base`, sorted. */
function filesUnder(dir: string, base: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(base, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** The library's C sources sim-dse compiles: every .c under Source/ except the float kernels. */
export function cmsisNnSources(dir: CmsisNnDir): string[] {
  return filesUnder(dir.source, dir.root).filter((f) => f.endsWith('.c') && !/_f(16|32)(_|\.c$)/.test(f.split('/').pop()!));
}

/** Content hash of the library as sim-dse compiles it (headers and selected sources, names and bytes). */
export function cmsisNnHash(dir: CmsisNnDir): string {
  const h = createHash('sha256');
  for (const f of [...filesUnder(dir.include, dir.root), ...cmsisNnSources(dir)]) h.update(f).update('\0').update(readFileSync(join(dir.root, f))).update('\0');
  return h.digest('hex');
}

const memo = new Map<string, Promise<CmsisNnLibrary>>();

/**
 * The archive of CMSIS-NN in `dir`, compiled once per content and cached
 * (`cmsis-nn/<key>/libcmsis-nn.a`). Throws SimDseError('cmsis-nn') with the
 * first compiler error when it does not compile.
 */
export function cmsisNnLibrary(dir: CmsisNnDir): Promise<CmsisNnLibrary> {
  let p = memo.get(dir.root);
  if (p === undefined) {
    p = compileLibrary(dir);
    memo.set(dir.root, p);
    p.catch(() => memo.delete(dir.root));
  }
  return p;
}

async function compileLibrary(dir: CmsisNnDir): Promise<CmsisNnLibrary> {
  const version = requireCompiler();
  const sources = cmsisNnSources(dir);
  if (sources.length === 0) throw new SimDseError('cmsis-nn', `CMSIS-NN in ${dir.root} has no C sources under Source/`);
  const contentHash = cmsisNnHash(dir);
  const key = createHash('sha256').update(version).update('\0').update(CMSIS_NN_CFLAGS.join(' ')).update('\0').update(contentHash).digest('hex');
  const out = cacheDir('cmsis-nn', key.slice(0, 16));
  const archive = join(out, 'libcmsis-nn.a');
  const suPath = join(out, 'stack-usage.txt');
  if (existsSync(archive) && existsSync(suPath)) {
    return { dir, path: archive, hash: key, stackUsage: readFileSync(suPath, 'utf8'), units: sources.length };
  }
  const tmp = scratchFolder('cc');
  try {
    const objects = sources.map((_, i) => `u${i}.o`);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < sources.length) {
        const i = next++;
        try {
          await run(compilerCommand(), [...CMSIS_NN_CFLAGS, `-I${dir.include}`, '-fstack-usage', '-c', join(dir.root, sources[i]), '-o', objects[i]], { cwd: tmp, maxBuffer: 64 << 20 });
        } catch (err) {
          throw new SimDseError('cmsis-nn', `CMSIS-NN does not compile: ${sources[i]}: ${failureLine(err, dir.root)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: availableParallelism() }, worker));
    const stackUsage = objects.map((o) => readFileSync(join(tmp, o.replace(/\.o$/, '.su')), 'utf8')).join('');
    try {
      await run(compilerCommand().replace(/gcc$/, 'ar'), ['rcs', 'libcmsis-nn.a', ...objects], { cwd: tmp, maxBuffer: 64 << 20 });
    } catch (err) {
      throw new SimDseError('cmsis-nn', `archiving CMSIS-NN failed: ${failureLine(err, tmp)}`);
    }
    writeFileAtomic(suPath, stackUsage);
    writeFileAtomic(archive, readFileSync(join(tmp, 'libcmsis-nn.a'))); // last: its presence marks a complete entry
    return { dir, path: archive, hash: key, stackUsage, units: sources.length };
  } finally {
    removeScratchFolder(tmp);
  }
}
