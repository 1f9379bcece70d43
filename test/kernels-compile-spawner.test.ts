/**
 * The compiler helper process (src/kernels/compile/spawner.ts): compilers
 * start in it, not in this process; their exit codes, signals and stderr
 * come back as they were; a command that cannot start says why; killing the
 * helper's group ends the compilers it runs, and the next compile starts a
 * new helper.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { killCompilers, spawnCompiler } from '../src/kernels/compile/spawner.js';

/** The parent pid of process `pid` (field 4 of /proc/PID/stat). */
const parentOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);

describe('compiler helper process', () => {
  it('returns exit code and stderr; the compiler is the helper child, not ours', async () => {
    const exit = await spawnCompiler('/bin/sh', ['-c', 'echo "$PPID" >&2; echo "x.c:1: error: no" >&2; exit 3'], tmpdir(), 1 << 16);
    expect(exit.kind).toBe('exited');
    if (exit.kind !== 'exited') return;
    const [ppid, message] = exit.stderr.trim().split('\n');
    expect([exit.code, exit.signal, message]).toEqual([3, null, 'x.c:1: error: no']);
    // the shell's parent is the helper, whose parent is this process
    expect(Number(ppid)).not.toBe(process.pid);
    expect(parentOf(Number(ppid))).toBe(process.pid);
  });

  it('keeps stderr to maxBuffer characters (whole chunks) and runs in the given folder', async () => {
    const exit = await spawnCompiler('/bin/sh', ['-c', 'pwd >&2'], '/', 4);
    expect(exit).toEqual({ kind: 'exited', code: 0, signal: null, stderr: '/\n' });
  });

  it('a command that does not exist fails to start, with the reason', async () => {
    const exit = await spawnCompiler('/nonexistent/arm-none-eabi-gcc', ['--version'], tmpdir(), 1024);
    expect(exit.kind).toBe('failed-to-start');
    if (exit.kind === 'failed-to-start') expect(exit.message).toMatch(/ENOENT/);
  });

  it('killCompilers ends the running compilers; the next compile starts a new helper', async () => {
    const running = spawnCompiler('/bin/sh', ['-c', 'sleep 30'], tmpdir(), 1024);
    await new Promise((r) => setTimeout(r, 300));
    killCompilers();
    await expect(running).rejects.toThrow(/compiler helper process exited \(SIGKILL\)/);
    const again = await spawnCompiler('/bin/sh', ['-c', 'exit 0'], tmpdir(), 1024);
    expect(again).toEqual({ kind: 'exited', code: 0, signal: null, stderr: '' });
  });
});
