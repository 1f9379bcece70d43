/**
 * `sim-dse run --compensate --redis URL`: the workers load the run's
 * compensation for their own calibration images (once each), refit the
 * masked layers for top-1 and for the layer variants they compile, and the
 * store is the local run's, byte for byte; a worker whose calibration images
 * give another compensation refuses the jobs, and the run fails naming it.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../src/util/paths.js';
import { HAVE_REDIS, spawnCli, startWorker, stopWorkers, suiteRedis } from './helpers/redis-server.js';
import { files, HAVE_LENET_DATA, localRunFiles } from './helpers/run-files.js';
import { useTemporaryCache } from './helpers/temp-cache.js';

const shared = sharedDir();
const data = shared ? join(shared, 'datasets', 'cifar10') : '';
const have = HAVE_REDIS && HAVE_LENET_DATA && existsSync(join(data, 'data_batch_1.bin'));

/** LeNet conv_2d#1 and #3 at 0 and 30 % of their SMLAD pairs, refitted; emulated latency (variant and firmware jobs). */
const RUN = ['run', '--model', 'lenet', '--layers', '1,3', '--levels', '0,0.3', '--skip-unit', 'pair', '--search', 'grid', '--images', '40', '--full-images', '100', '--no-seed-grid', '--compensate', '--id', 'r'];

/** Entries of the variant index of the cache at `root`. */
const indexEntries = (root: string): number => {
  const dir = join(root, 'variant-index');
  return existsSync(dir) ? readdirSync(dir).reduce((n, d) => n + readdirSync(join(dir, d)).length, 0) : 0;
};

describe.skipIf(!have)('cluster: a compensated run', () => {
  const redis = suiteRedis();
  // the local run and the worker share this cache: the local run fills the variant index with the refitted variants
  const tmp = useTemporaryCache('sim-dse-cluster-compensate-');

  it('writes the local run store; the worker loads the compensation once', async () => {
    const localFiles = localRunFiles(RUN, 'dse-clc-local-');
    const indexed = indexEntries(join(tmp, 'cache'));
    const worker = await startWorker(redis.url(), ['--threads', '1']);
    redis.workers.push(worker);
    const out = mkdtempSync(join(tmpdir(), 'dse-clc-run-'));
    // a cache of its own: every variant and firmware timing is a job (the worker shares the local run's cache)
    const coordinator = spawnCli([...RUN, '--redis', redis.url(), '--out', out], { SIM_DSE_CACHE: mkdtempSync(join(tmpdir(), 'dse-clc-cache-')) });
    expect(await coordinator.exit(), coordinator.lines.join('\n')).toBe(0);
    expect(files(join(out, 'r'))).toEqual(localFiles);
    expect(worker.lines.filter((l) => l.includes('compensation: Gram inverses of'))).toEqual([
      // read from the cache the local run filled
      expect.stringMatching(/^sim-dse worker: compensation: Gram inverses of 5 layers over 128 calibration images: cache \(.+\/compensation\/lenet\S*-n128-[0-9a-f]{16}\.comp\)$/),
    ]);
    expect(worker.lines.some((l) => /^sim-dse worker: job variant-\S+ started$/.test(l))).toBe(true);
    // the worker's variants were the refitted ones the local run compiled: it added none (with the original weights it would)
    expect(indexEntries(join(tmp, 'cache'))).toBe(indexed);
    await stopWorkers([worker]);
  });

  it('a worker with other calibration images refuses the jobs; the run fails naming the job after three tries', async () => {
    const other = mkdtempSync(join(tmpdir(), 'dse-clc-data-'));
    symlinkSync(join(data, 'test_batch.bin'), join(other, 'test_batch.bin'));
    const batch = readFileSync(join(data, 'data_batch_1.bin'));
    batch[1 + 7] ^= 0x40; // one pixel of the first calibration image
    writeFileSync(join(other, 'data_batch_1.bin'), batch);
    copyFileSync(join(data, 'test_manifest.csv'), join(other, 'test_manifest.csv'));
    const worker = await startWorker(redis.url(), ['--threads', '1', '--data', other]);
    redis.workers.push(worker);
    const out = mkdtempSync(join(tmpdir(), 'dse-clc-bad-'));
    // other image counts: jobs the first run's worker has not answered (a job's result is kept by its content hash)
    const run = spawnCli([...RUN, '--latency', 'macs', '--images', '30', '--full-images', '30', '--redis', redis.url(), '--out', out]);
    const code = await run.exit();
    await stopWorkers([worker]);
    expect(code).toBe(1);
    const errors = run.lines.filter((l) => l.startsWith('sim-dse:'));
    expect(errors).toHaveLength(1);
    const refusal = new RegExp(
      `^sim-dse: job accuracy-[0-9a-f]{64} \\(accuracy\\) failed 3 times: worker ${hostname()}/${worker.child.pid} computed the compensation with sha256 [0-9a-f]{12} from its 128 calibration images, the run's is [0-9a-f]{12}$`,
    );
    expect(errors[0]).toMatch(refusal);
    expect(existsSync(join(out, 'r', 'points.jsonl')) ? readFileSync(join(out, 'r', 'points.jsonl'), 'utf8') : '').toBe('');
  });
});
