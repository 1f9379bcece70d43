import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/util/paths.js';

const prebuilt = join(projectRoot, 'firmware-prebuilt');
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

interface Manifest {
  tools: { as: string; ld: string };
  flags: { as: string[]; ld: string[]; linkerScript: string };
  linkerScriptSha256: string;
  files: Record<string, { sha256: string; size: number; source: string; sourceSha256: string }>;
}

/** True when the ARM assembler is installed (the rebuild check needs it). */
function haveAssembler(): boolean {
  try {
    execFileSync('arm-none-eabi-as', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('prebuilt microbenchmark manifest', () => {
  const manifest = JSON.parse(readFileSync(join(prebuilt, 'manifest.json'), 'utf8')) as Manifest;

  it('lists exactly the eight microbenchmark ELFs, one per source', () => {
    expect(Object.keys(manifest.files)).toEqual([
      'microbench/alu.elf',
      'microbench/art-loop.elf',
      'microbench/branch.elf',
      'microbench/div.elf',
      'microbench/it.elf',
      'microbench/mem.elf',
      'microbench/mul.elf',
      'microbench/straight40k.elf',
    ]);
    const elfs = readdirSync(join(prebuilt, 'microbench')).filter((f) => f.endsWith('.elf')).sort();
    expect(elfs.map((f) => `microbench/${f}`)).toEqual(Object.keys(manifest.files));
    expect(manifest.flags.as).toEqual(['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16']);
  });

  it('matches the committed bytes of every ELF, source and the linker script', () => {
    for (const [name, entry] of Object.entries(manifest.files)) {
      const bytes = readFileSync(join(prebuilt, name));
      expect(bytes.length, name).toBe(entry.size);
      expect(sha256(bytes), name).toBe(entry.sha256);
      expect(sha256(readFileSync(join(prebuilt, entry.source))), entry.source).toBe(entry.sourceSha256);
    }
    expect(sha256(readFileSync(join(prebuilt, manifest.flags.linkerScript)))).toBe(manifest.linkerScriptSha256);
  });

  it.skipIf(!haveAssembler())('rebuilds byte for byte (build-microbench --check)', () => {
    const out = execFileSync(process.execPath, [join(projectRoot, 'scripts', 'build-microbench.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('build-microbench --check: every file is byte-identical to a fresh build');
  });
});
