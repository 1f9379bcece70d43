import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_REDIS, spawnCli, startedJobs, startWorker, suiteRedis } from './helpers/redis-server.js';
import { files, HAVE_LENET_DATA, localRunFiles } from './helpers/run-files.js';

/** A small LeNet run (analytic latency: every job is a top-1 chunk) with the seed toolkit's grid beside the search. */
const RUN = ['run', '--model', 'lenet', '--layers', '1,3,5,7', '--levels', '0,0.1,0.2,0.3,0.4', '--search', 'nsga2', '--budget', '24', '--population', '8', '--seed', '6', '--images', '60', '--full-images', '300', '--latency', 'macs', '--id', 'r'];

const rows = (path: string): number => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAVE_REDIS || !HAVE_LENET_DATA)('cluster: a killed coordinator resumes from its store and the queue', () => {
  const redis = suiteRedis();
  const workers = redis.workers;

  it('killed after some rows and restarted: the same store as a local run, and no job evaluated twice', async () => {
    const localFiles = localRunFiles(RUN, 'dse-cr-local-');

    for (let i = 0; i < 2; i++) workers.push(await startWorker(redis.url(), ['--threads', '1']));
    const out = mkdtempSync(join(tmpdir(), 'dse-cr-run-'));
    const first = spawnCli([...RUN, '--redis', redis.url(), '--out', out]);
    while (rows(join(out, 'r', 'points.jsonl')) < 6 && first.child.exitCode === null) await sleep(20);
    first.child.kill('SIGKILL');
    await first.exit();
    const stored = rows(join(out, 'r', 'points.jsonl'));
    expect(stored).toBeGreaterThanOrEqual(6);
    expect(stored).toBeLessThan(localFiles['points.jsonl'].split('\n').length - 1);

    const second = spawnCli([...RUN, '--redis', redis.url(), '--out', out]);
    expect(await second.exit(), second.lines.join('\n')).toBe(0);
    expect(files(join(out, 'r'))).toEqual(localFiles);
    const jobs = workers.flatMap(startedJobs);
    expect(jobs.length).toBeGreaterThan(6);
    expect(new Set(jobs).size).toBe(jobs.length);
  });
});
