/**
 * Compiler processes started by a small helper process instead of this one.
 *
 * Starting a process from a large one is slow: measured on a cold `sim-dse
 * run --model lenet` (2-core VM), each of its 784 spawns of arm-none-eabi-gcc
 * held the calling thread for 25 ms (fork copies the page tables of the
 * emulator's and V8's mappings), 19.8 s in all, on the thread that also
 * schedules and emulates. A helper node process, started once per thread with
 * a small heap, takes JSON lines {id, file, args, cwd, maxBuffer} on stdin,
 * starts each compiler and answers {id, code, signal, stderr} (or {id, error})
 * on stdout; the caller's cost per compiler is a line written and one read.
 *
 * The helper leads its own process group and its compilers stay in it, so
 * killing that group ends the helper, the compilers and their cc1/as/ld
 * children at once; a helper whose stdin closes (its owner exited, even by
 * SIGKILL) kills its group itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** The helper's program (CommonJS, run with `node -e`): kept as text so it runs the same from sources and from dist. */
const HELPER_SOURCE = String.raw`
const { spawn } = require('node:child_process');
let buffered = '';
const reply = (m) => process.stdout.write(JSON.stringify(m) + '\n');
const start = (r) => {
  let done = false;
  const finish = (m) => { if (!done) { done = true; reply(m); } };
  let child;
  try {
    child = spawn(r.file, r.args, { cwd: r.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    finish({ id: r.id, error: String(e && e.message) });
    return;
  }
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => { if (stderr.length < r.maxBuffer) stderr += s; });
  child.on('error', (e) => finish({ id: r.id, error: String(e && e.message) }));
  child.on('close', (code, signal) => finish({ id: r.id, code, signal, stderr }));
};
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buffered += d;
  for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
    const line = buffered.slice(0, i);
    buffered = buffered.slice(i + 1);
    if (line) start(JSON.parse(line));
  }
});
process.stdin.on('end', () => { try { process.kill(-process.pid, 'SIGKILL'); } catch {} process.exit(0); });
`;

/** How a compiler process ended. */
export type CompilerExit =
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: string | null; readonly stderr: string }
  | { readonly kind: 'failed-to-start'; readonly message: string };

interface Pending {
  readonly resolve: (exit: CompilerExit) => void;
  readonly reject: (err: Error) => void;
}

let helper: ChildProcess | null = null;
const pending = new Map<number, Pending>();
let nextId = 0;

/** Keeps this thread alive while compilers run, and lets it exit when none do. */
function holdOpen(hold: boolean): void {
  if (helper === null) return;
  // the helper's stdio pipes are sockets (net.Socket: ref/unref), typed as plain streams
  const handles = [helper, helper.stdin, helper.stdout] as unknown as ({ ref(): void; unref(): void } | null)[];
  for (const h of handles) {
    if (h === null) continue;
    if (hold) h.ref();
    else h.unref();
  }
}

function startHelper(): ChildProcess {
  const child = spawn(process.execPath, ['--max-old-space-size=64', '-e', HELPER_SOURCE], { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
  let buffered = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      const m = JSON.parse(buffered.slice(0, i)) as { id: number; code?: number | null; signal?: string | null; stderr?: string; error?: string };
      buffered = buffered.slice(i + 1);
      const p = pending.get(m.id);
      if (p === undefined) continue;
      pending.delete(m.id);
      p.resolve(m.error !== undefined ? { kind: 'failed-to-start', message: m.error } : { kind: 'exited', code: m.code ?? null, signal: m.signal ?? null, stderr: m.stderr ?? '' });
    }
    if (pending.size === 0) holdOpen(false);
  });
  child.stdin!.on('error', () => undefined); // a helper gone: reported by 'exit' below
  child.on('exit', (code, signal) => {
    if (helper === child) helper = null;
    const lost = [...pending.values()];
    pending.clear();
    for (const p of lost) p.reject(new Error(`the compiler helper process exited (${signal ?? code}) with compilers running`));
  });
  return child;
}

/**
 * Runs `file` with `args` in `cwd` through this thread's helper (started on first use); resolves with
 * how it ended (its stderr's first `maxBuffer` characters). Rejects only when the helper itself dies.
 */
export function spawnCompiler(file: string, args: readonly string[], cwd: string, maxBuffer: number): Promise<CompilerExit> {
  helper ??= startHelper();
  const id = nextId++;
  const line = JSON.stringify({ id, file, args, cwd, maxBuffer }) + '\n';
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    if (pending.size === 1) holdOpen(true);
    helper!.stdin!.write(line);
  });
}

/** Kills the helper's process group (the helper and every compiler it runs) at once; the next compile starts a new helper. */
export function killCompilers(): void {
  const h = helper;
  helper = null;
  if (h?.pid === undefined) return;
  try {
    process.kill(-h.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
