import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../src/util/paths.js';
import { builtCli } from './helpers/cli.js';
import { freePort, HAVE_REDIS, spawnCli, startRedis, startWorker, stopWorkers, type RedisServer } from './helpers/redis-server.js';

const shared = sharedDir();
const models = shared ? join(shared, 'models') : '';
const have = !!shared && existsSync(join(models, 'lenet-cifar10-int8.tflite')) && existsSync(join(models, 'resnet8-cifar10-int8.tflite'));
const sha12 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);

/** A small LeNet run (the analytic latency: these runs never get as far as evaluating). */
const RUN = ['run', '--model', 'lenet', '--layers', '1,3', '--levels', '0,0.1', '--images', '20', '--full-images', '20', '--no-seed-grid', '--latency', 'macs', '--id', 'r'];

describe.skipIf(!HAVE_REDIS || !have)('cluster: bad input', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('an unreachable Redis: run and worker say so in one line, exit 1, and the run directory is not created', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const out = mkdtempSync(join(tmpdir(), 'dse-cl-down-'));
    const run = builtCli(...RUN, '--redis', url, '--out', out);
    expect([run.code, run.stderr]).toEqual([1, `sim-dse: Redis at ${url} is unreachable (ECONNREFUSED)\n`]);
    expect(readdirSync(out)).toEqual([]);
    const worker = builtCli('worker', '--redis', url);
    expect([worker.code, worker.stderr]).toEqual([1, `sim-dse: Redis at ${url} is unreachable (ECONNREFUSED)\n`]);
    expect(builtCli(...RUN, '--redis', 'http://127.0.0.1:1').stderr).toBe('sim-dse: --redis "http://127.0.0.1:1": expected a redis:// or rediss:// URL\n');
  });

  it('a worker with another model refuses every try in one line; the run fails naming the job after three, exit 1, directory untouched', async () => {
    const wrong = mkdtempSync(join(tmpdir(), 'dse-cl-models-'));
    copyFileSync(join(models, 'resnet8-cifar10-int8.tflite'), join(wrong, 'lenet-cifar10-int8.tflite'));
    const worker = await startWorker(redis.url, ['--threads', '1', '--models', wrong]);
    const out = mkdtempSync(join(tmpdir(), 'dse-cl-wrong-'));
    const run = spawnCli([...RUN, '--redis', redis.url, '--out', out]);
    const code = await run.exit();
    await stopWorkers([worker]);
    const refusal = `worker ${hostname()}/${worker.child.pid} has model lenet-cifar10-int8.tflite with sha256 ${sha12(join(wrong, 'lenet-cifar10-int8.tflite'))}, the run's is ${sha12(join(models, 'lenet-cifar10-int8.tflite'))}`;
    expect(code).toBe(1);
    const errors = run.lines.filter((l) => l.startsWith('sim-dse:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^sim-dse: job check-[0-9a-f]{64} \(check\) failed 3 times: /);
    expect(errors[0].split(' failed 3 times: ')[1]).toBe(refusal);
    const id = errors[0].split(' ')[2];
    expect(worker.lines.filter((l) => l.startsWith('sim-dse worker: refused'))).toEqual(Array(3).fill(`sim-dse worker: refused job ${id}: ${refusal}`));
    expect(readdirSync(out)).toEqual([]);
  });
});
