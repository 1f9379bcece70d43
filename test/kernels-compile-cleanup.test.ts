import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeScratchFolder, scratchFolder } from '../src/kernels/compile/scratch.js';
import { sharedDir } from '../src/util/paths.js';
import { BUILT_CLI } from './helpers/cli.js';

const haveGcc = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0;
const haveModel = existsSync(join(sharedDir() ?? '/nonexistent', 'models', 'lenet-cifar10-int8.tflite'));

/** Temporary compile folders of process `pid`. */
const foldersOf = (pid: number) => readdirSync(tmpdir()).filter((n) => ['cc', 'as', 'ld'].some((k) => n.startsWith(`sim-dse-${k}-${pid}-`)));
/** Command lines of running processes that mention `text`. */
const processesMentioning = (text: string) =>
  spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(text));

describe('compile scratch space', () => {
  it('folders of processes that no longer exist are removed by the next compile', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const dead = child.pid!;
    await new Promise((r) => child.on('exit', r));
    const stale = join(tmpdir(), `sim-dse-cc-${dead}-stale0`);
    mkdirSync(join(stale, 'sub'), { recursive: true });
    const mine = scratchFolder('cc');
    expect(existsSync(stale)).toBe(false);
    expect(mine.startsWith(join(tmpdir(), `sim-dse-cc-${process.pid}-`))).toBe(true);
    removeScratchFolder(mine);
    expect(existsSync(mine)).toBe(false);
  });

  it.skipIf(!haveGcc || !haveModel)('a build killed while compiling takes its compilers and temporary folders with it', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'cleanup-cache-')); // cold: every layer compiles
    const child = spawn(process.execPath, [BUILT_CLI, 'build', '--model', 'lenet', '--board', 'nucleo-l4r5zi', '--kernels', 'unpacked', '--out', join(cache, 'fw')], {
      env: { ...process.env, SIM_DSE_CACHE: cache },
      stdio: 'ignore',
    });
    const pid = child.pid!;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let seen: string[] = [];
    for (let i = 0; i < 600 && seen.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = foldersOf(pid);
    }
    expect(seen.length).toBeGreaterThan(0); // compiling now
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(foldersOf(pid)).toEqual([]);
    expect(processesMentioning(`sim-dse-cc-${pid}-`)).toEqual([]);
  });
});
