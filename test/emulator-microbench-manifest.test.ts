import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/util/paths.js';

const prebuilt = join(projectRoot, 'firmware-prebuilt');
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

interface ManifestEntry {
  sha256: string;
  size: number;
  source: string;
  sourceSha256: string;
  linkerScript: string;
  linkerScriptSha256: string;
  tools: { as: string; ld: string };
  flags: { as: string[]; ld: string[] };
}

interface Manifest {
  version: number;
  files: Record<string, ManifestEntry>;
}

/** First line of `arm-none-eabi-as --version`, or undefined when it is not installed. */
function assemblerVersion(): string | undefined {
  try {
    return execFileSync('arm-none-eabi-as', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return undefined;
  }
}

describe('prebuilt microbenchmark manifest', () => {
  const manifest = JSON.parse(readFileSync(join(prebuilt, 'manifest.json'), 'utf8')) as Manifest;
  const micro = Object.keys(manifest.files).filter((k) => k.startsWith('microbench/'));
  const first = manifest.files['microbench/alu.elf'];

  it('lists exactly the eleven microbenchmark ELFs, one per source', () => {
    expect(manifest.version).toBe(1);
    expect(micro).toEqual([
      'microbench/alu.elf',
      'microbench/art-loop.elf',
      'microbench/branch.elf',
      'microbench/div.elf',
      'microbench/it.elf',
      'microbench/mem.elf',
      'microbench/mul.elf',
      'microbench/sram-alias.elf',
      'microbench/sram-fetch.elf',
      'microbench/straight40k.elf',
      'microbench/unaligned.elf',
    ]);
    const elfs = readdirSync(join(prebuilt, 'microbench')).filter((f) => f.endsWith('.elf')).sort();
    expect(elfs.map((f) => `microbench/${f}`)).toEqual(micro);
    for (const name of micro) {
      expect(manifest.files[name].flags, name).toEqual({
        as: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'],
        ld: ['-T', 'link.ld', '--build-id=none', '-n'],
      });
      expect(manifest.files[name].linkerScript, name).toBe('microbench/link.ld');
    }
  });

  it('matches the committed bytes of every ELF, source and the linker script', () => {
    for (const name of micro) {
      const entry = manifest.files[name];
      const bytes = readFileSync(join(prebuilt, name));
      expect(bytes.length, name).toBe(entry.size);
      expect(sha256(bytes), name).toBe(entry.sha256);
      expect(sha256(readFileSync(join(prebuilt, entry.source))), entry.source).toBe(entry.sourceSha256);
      expect(sha256(readFileSync(join(prebuilt, entry.linkerScript))), name).toBe(entry.linkerScriptSha256);
    }
  });

  // Another binutils release may encode differently: compare only with the release that built them.
  it.skipIf(assemblerVersion() !== first.tools.as)('rebuilds byte for byte (build-microbench --check)', () => {
    const out = execFileSync(process.execPath, [join(projectRoot, 'scripts', 'build-microbench.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('build-microbench --check: every file is byte-identical to a fresh build');
  });
});
