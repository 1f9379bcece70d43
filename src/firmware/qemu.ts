/**
 * Runs a firmware's QEMU variant on qemu-system-arm's netduinoplus2 machine
 * and returns what it printed on USART2. The firmware ends with a
 * semihosting exit; a time-out kills QEMU.
 */
import { spawn, spawnSync } from 'node:child_process';
import { SimDseError } from '../util/errors.js';
import { QEMU_MACHINE } from './firmware-boards.js';

/** The QEMU command (override with SIM_DSE_QEMU). */
export function qemuCommand(): string {
  return process.env.SIM_DSE_QEMU ?? 'qemu-system-arm';
}

/** `qemu-system-arm --version`'s first line, or null when QEMU is not installed. */
export function qemuVersion(): string | null {
  const r = spawnSync(qemuCommand(), ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0].trim() : null;
}

/** What a QEMU run gave: its console text, or a time-out with the text so far. */
export type QemuRun = { readonly kind: 'exited'; readonly code: number; readonly output: string } | { readonly kind: 'timeout'; readonly output: string };

/** Runs `elf` in QEMU; resolves when it exits or after `timeoutMs` (then QEMU is killed). */
export function runQemu(elf: string, timeoutMs: number): Promise<QemuRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(qemuCommand(), [...QEMU_MACHINE.args, '-kernel', elf], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new SimDseError('qemu', e.code === 'ENOENT' ? `${qemuCommand()} is not installed (apt-get install qemu-system-arm)` : `cannot start ${qemuCommand()}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const output = Buffer.concat(out).toString('latin1');
      if (timedOut) return resolve({ kind: 'timeout', output });
      if (code !== 0 && output === '') {
        const msg = Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? '';
        return reject(new SimDseError('qemu', `${qemuCommand()} failed (exit ${code}): ${msg}`));
      }
      resolve({ kind: 'exited', code: code ?? -1, output });
    });
  });
}
