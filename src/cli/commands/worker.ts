import type { Command } from 'commander';
import { parseRedisUrl } from '../../explore/cluster/connection.js';
import { runClusterWorker } from '../../explore/cluster/worker.js';
import { parseIntOption } from '../../util/parse-options.js';
import { withOptions } from '../options.js';
import { availableParallelism } from 'node:os';

/** Options of `sim-dse worker`, as text. */
interface WorkerOptions {
  readonly redis: string;
  readonly threads?: string;
  readonly models?: string;
  readonly data?: string;
  readonly lockMs?: string;
  readonly logJobs?: boolean;
}

/** `sim-dse worker`: evaluates the jobs of cluster runs (`sim-dse run --redis URL`) until stopped. */
export function registerWorker(program: Command): void {
  withOptions(
    program
      .command('worker')
      .description(
        'Evaluate the jobs of cluster runs (sim-dse run --redis URL): top-1 of configurations, compiled and emulated layer variants, ' +
          'whole-firmware timings. Start one per machine, as many machines as you like; Ctrl-C finishes the jobs running and stops.',
      ),
    { threads: { note: 'they compute top-1 and time firmware' }, models: true, data: true },
  )
    .requiredOption('--redis <url>', 'the queue: redis://HOST:PORT of the Redis every coordinator and worker shares')
    .option('--lock-ms <ms>', 'how long a job stays with a worker that stopped answering before another takes it (default 30000)')
    .option('--log-jobs', 'print a line when each job starts and ends')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  sim-dse worker --redis redis://10.0.0.5:6379 --threads 16\n' +
        '  SIM_DSE_CACHE=/mnt/shared/sim-dse-cache sim-dse worker --redis redis://10.0.0.5:6379',
    )
    .action(async (opts: WorkerOptions) => {
      const redis = parseRedisUrl(opts.redis);
      const threads = parseIntOption('--threads', opts.threads, Math.max(1, availableParallelism()), 1, 256);
      const lockMs = parseIntOption('--lock-ms', opts.lockMs, 30_000, 1000);
      const controller = new AbortController();
      const stop = () => {
        process.stderr.write('sim-dse worker: finishing the jobs running, then stopping\n');
        controller.abort();
      };
      process.once('SIGINT', stop);
      try {
        await runClusterWorker({
          redis,
          threads,
          lockMs,
          modelsDir: opts.models,
          dataDir: opts.data,
          logJobs: opts.logJobs === true,
          log: (line) => process.stderr.write(`sim-dse worker: ${line}\n`),
          signal: controller.signal,
        });
      } finally {
        process.removeListener('SIGINT', stop);
      }
    });
}
