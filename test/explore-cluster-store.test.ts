import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_REDIS, spawnCli, startedJobs, startWorker, suiteRedis } from './helpers/redis-server.js';
import { files, HAVE_LENET_DATA, localRunFiles } from './helpers/run-files.js';

/** A small LeNet run with the emulated latency (compiled layer variants, whole-firmware timing of the re-evaluated points). */
const RUN = ['run', '--model', 'lenet', '--layers', '1,3,5,7', '--levels', '0,0.1,0.2,0.3,0.4', '--search', 'nsga2', '--budget', '16', '--population', '8', '--seed', '5', '--images', '40', '--full-images', '100', '--no-seed-grid', '--id', 'r'];

describe.skipIf(!HAVE_REDIS || !HAVE_LENET_DATA)('cluster: a distributed run writes the local run store', () => {
  const redis = suiteRedis();
  const workers = redis.workers;

  it('two workers, one killed in the middle of a job: the job is retried and the store is byte-identical; a resubmitted run repeats no job', async () => {
    const localFiles = localRunFiles(RUN, 'dse-cl-local-');

    // a short lock, so that the killed worker's job is taken over within seconds
    for (let i = 0; i < 2; i++) workers.push(await startWorker(redis.url(), ['--threads', '1', '--lock-ms', '3000']));
    const out = mkdtempSync(join(tmpdir(), 'dse-cl-run-'));
    // the coordinator starts from a cache of its own: the local run's indexed whole-firmware timings would answer
    // the firmware phase on the coordinator, with no job (the workers share the local run's cache)
    const coordinatorEnv = { SIM_DSE_CACHE: mkdtempSync(join(tmpdir(), 'dse-cl-cache-')) };
    const coordinator = spawnCli([...RUN, '--redis', redis.url(), '--out', out], coordinatorEnv);
    // kill whichever worker starts the first whole-firmware timing (seconds of compiling and emulating) while it runs
    const line = await Promise.race(workers.map((w) => w.waitFor(/^sim-dse worker: job firmware-\S+ started$/)));
    const victim = workers.find((w) => w.lines.includes(line))!;
    victim.child.kill('SIGKILL');
    const killedJob = line.split(' ')[3];
    expect(await coordinator.exit(), coordinator.lines.join('\n')).toBe(0);
    const survivor = workers.find((w) => w !== victim)!;
    expect(victim.lines).not.toContain(`sim-dse worker: job ${killedJob} done`);
    expect(startedJobs(survivor)).toContain(killedJob);
    expect(files(join(out, 'r'))).toEqual(localFiles);

    // the same run again, into another directory: every job is answered from the queue (or, for the firmware
    // timings, from the coordinator's index)
    const before = startedJobs(survivor).length;
    const again = mkdtempSync(join(tmpdir(), 'dse-cl-again-'));
    const rerun = spawnCli([...RUN, '--redis', redis.url(), '--out', again], coordinatorEnv);
    expect(await rerun.exit()).toBe(0);
    expect(startedJobs(survivor).length).toBe(before);
    expect(files(join(again, 'r'))).toEqual(localFiles);
  });
});
