/**
 * A throw-away redis-server on 127.0.0.1 and a free port (no persistence,
 * its own temporary folder), and `sim-dse worker` processes against it, for
 * the cluster tests. {@link HAVE_REDIS} is false when redis-server is not
 * installed (scripts/setup.sh installs it); the tests skip with a warning.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_CLI } from './cli.js';
import { afterAll, beforeAll } from 'vitest';

/** Whether redis-server can be started here. */
export const HAVE_REDIS = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
if (!HAVE_REDIS) console.warn('redis-server is not installed (bash scripts/setup.sh installs it): the cluster tests are skipped');

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/** Waits for a child to exit (at once if it has). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** A running redis-server. */
export interface RedisServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts redis-server on a free port of 127.0.0.1 and waits until it accepts connections. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'dse-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; !(await listening(port)); i++) {
    if (i > 100 || child.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`);
    await sleep(50);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A child process of the built CLI with its stderr collected line by line. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Every stderr line so far. */
  readonly lines: string[];
  /** Resolves with the first stderr line matching `re` (already printed or to come). */
  waitFor(re: RegExp): Promise<string>;
  /** Resolves with the exit code. */
  exit(): Promise<number | null>;
}

/** Spawns `node dist/cli/main.js ...args` (env added to this process's). */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [BUILT_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let partial = '';
  child.stdout!.resume();
  child.stderr!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split(/\r?\n|\r/);
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.splice(0)) (w.re.test(line) ? w.resolve(line) : waiters.push(w));
    }
  });
  return {
    child,
    lines,
    waitFor: (re) => {
      const seen = lines.find((l) => re.test(l));
      return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ re, resolve }));
    },
    exit: () => exited(child),
  };
}

/** Starts `sim-dse worker --redis URL --log-jobs ...args` and waits until it takes jobs. */
export async function startWorker(url: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<CliProcess> {
  const w = spawnCli(['worker', '--redis', url, '--log-jobs', ...args], env);
  await Promise.race([w.waitFor(/queue sim-dse/), w.exit().then((code) => Promise.reject(new Error(`worker exited (${code}): ${w.lines.join(' | ')}`)))]);
  return w;
}

/** Stops workers (SIGINT: they finish their jobs) and waits for them. */
export async function stopWorkers(workers: readonly CliProcess[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGINT');
  await Promise.all(workers.map((w) => w.exit()));
}

/** Job ids a worker printed as started, in order. */
export function startedJobs(w: CliProcess): string[] {
  return w.lines.flatMap((l) => /^sim-dse worker: job (\S+) started$/.exec(l)?.[1] ?? []);
}

/**
 * A Redis server for the tests of the calling describe block (started before
 * them, stopped after them with every worker pushed to `workers`).
 */
export function suiteRedis(): { readonly workers: CliProcess[]; url(): string } {
  let redis: RedisServer | undefined;
  const workers: CliProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await stopWorkers(workers);
    await redis?.stop();
  });
  return { workers, url: () => redis!.url };
}
