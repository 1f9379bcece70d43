import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../src/util/paths.js';
import { builtCli } from './helpers/cli.js';
import { HAVE_REDIS, spawnCli, startRedis, startWorker, stopWorkers, type CliProcess, type RedisServer } from './helpers/redis-server.js';
import { files } from './helpers/run-files.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));

/** A small LeNet run (analytic latency: every job is a top-1 chunk) with the seed toolkit's grid beside the search. */
const RUN = ['run', '--model', 'lenet', '--layers', '1,3,5,7', '--levels', '0,0.1,0.2,0.3,0.4', '--search', 'nsga2', '--budget', '24', '--population', '8', '--seed', '6', '--images', '60', '--full-images', '300', '--latency', 'macs', '--id', 'r'];

const rows = (path: string): number => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAVE_REDIS || !have)('cluster: a killed coordinator resumes from its store and the queue', () => {
  let redis: RedisServer;
  const workers: CliProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await stopWorkers(workers);
    await redis?.stop();
  });

  it('killed after some rows and restarted: the same store as a local run, and no job evaluated twice', async () => {
    const local = builtCli(...RUN, '--threads', '2', '--out', mkdtempSync(join(tmpdir(), 'dse-cr-local-')));
    expect(local.code, local.stderr).toBe(0);
    const localFiles = files(join(local.stdout.match(/report\s+(\S+)\/report\.md/)![1]));

    for (let i = 0; i < 2; i++) workers.push(await startWorker(redis.url, ['--threads', '1']));
    const out = mkdtempSync(join(tmpdir(), 'dse-cr-run-'));
    const first = spawnCli([...RUN, '--redis', redis.url, '--out', out]);
    while (rows(join(out, 'r', 'points.jsonl')) < 6 && first.child.exitCode === null) await sleep(20);
    first.child.kill('SIGKILL');
    await first.exit();
    const stored = rows(join(out, 'r', 'points.jsonl'));
    expect(stored).toBeGreaterThanOrEqual(6);
    expect(stored).toBeLessThan(localFiles['points.jsonl'].split('\n').length - 1);

    const second = spawnCli([...RUN, '--redis', redis.url, '--out', out]);
    expect(await second.exit(), second.lines.join('\n')).toBe(0);
    expect(files(join(out, 'r'))).toEqual(localFiles);
    const jobs = workers.flatMap((w) => w.lines.flatMap((l) => /^sim-dse worker: job (\S+) started$/.exec(l)?.[1] ?? []));
    expect(jobs.length).toBeGreaterThan(6);
    expect(new Set(jobs).size).toBe(jobs.length);
  });
});
