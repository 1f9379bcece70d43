/**
 * A cluster worker (`sim-dse worker --redis URL`): takes jobs from the queue
 * and evaluates them as a local run would, on its own copies of the model
 * and test set (looked up by file name in its models folder, refused when
 * their hashes are not the job's), with `threads` threads for top-1 and
 * firmware timing. A compensated run's jobs name its compensation: the
 * worker computes it from its own calibration images once (or reads it from
 * its cache) and refuses the jobs when its digest differs. Compiled variants
 * go through this machine's content-addressed cache (SIM_DSE_CACHE: a folder
 * shared by the workers lets each variant compile once for all of them).
 *
 * A worker that dies mid-job holds the job's lock until it expires
 * (`lockMs`); another worker's stalled-job check then puts the job back in
 * the queue, and since every job is a pure function of its data, the retry
 * gives the same result.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Worker, type Job } from 'bullmq';
import type { FirmwareTimer } from '../../firmware/timing-pool.js';
import { createFirmwareTimer } from '../../firmware/timing-pool.js';
import { compensationDigest, compensationRefit, type Compensation } from '../../model/compensation/index.js';
import { testImageInput } from '../../model/dataset/preprocess.js';
import { calibrationInputs } from '../significance/calibration.js';
import { describeLoadedCompensation, loadCompensation } from '../significance/compensation-cache.js';
import { modelsDir, resolveModel, type ResolvedModel } from '../../model/registry.js';
import { variantCoster, type VariantCoster } from '../evaluate/variant-payload.js';
import { createInlinePool, createThreadPool, workerScriptAvailable, type AccuracyPool } from '../pool/accuracy-pool.js';
import { fromPlain, toPlain, type Plain } from './codec.js';
import { bullConnection, checkRedis, displayUrl } from './connection.js';
import { datasetHash, shortHash, type ClusterIdentity } from './identity.js';
import { QUEUE_NAME, type ClusterCompensation, type JobData, type JobName, type JobTypes } from './jobs.js';

/** Options of {@link runClusterWorker}. */
export interface ClusterWorkerOptions {
  readonly redis: string;
  /** Threads for top-1 and firmware timing; jobs taken at once: twice this. */
  readonly threads: number;
  /** Folder of this machine's models (default: the usual lookup). */
  readonly modelsDir?: string;
  /** This machine's CIFAR-10 folder (default: the usual lookup). */
  readonly dataDir?: string;
  /** Milliseconds a job stays locked to a worker that stopped answering (default 30,000). */
  readonly lockMs?: number;
  /** One line per job started and finished. */
  readonly logJobs?: boolean;
  readonly log: (line: string) => void;
  /** Aborting it stops taking jobs, finishes the ones running and returns. */
  readonly signal: AbortSignal;
}

/** What a worker holds for one model and test set. */
interface Served {
  readonly model: ResolvedModel;
  readonly pools: Map<string, AccuracyPool>;
  /** Variant costers by compensation digest ('' for none). */
  readonly variants: Map<string, VariantCoster>;
  /** Compensations computed here, by digest. */
  readonly compensations: Map<string, Compensation>;
}

/** A job this worker will not evaluate (another model or test set). */
class Refusal extends Error {}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Runs a worker until `options.signal` aborts. */
export async function runClusterWorker(options: ClusterWorkerOptions): Promise<void> {
  const { threads, log } = options;
  await checkRedis(options.redis);
  const name = `${hostname()}/${process.pid}`;
  const served = new Map<string, Served>();
  let timer: FirmwareTimer | undefined;

  const serve = (identity: ClusterIdentity): Served => {
    const key = JSON.stringify(identity);
    const known = served.get(key);
    if (known) return known;
    const dir = modelsDir(options.modelsDir);
    const path = dir === undefined ? undefined : join(dir, identity.model.file);
    if (path === undefined || !existsSync(path)) throw new Refusal(`worker ${name} has no model file ${identity.model.file} (--models)`);
    const here = sha256(readFileSync(path));
    if (here !== identity.model.sha256) {
      throw new Refusal(`worker ${name} has model ${identity.model.file} with sha256 ${shortHash(here)}, the run's is ${shortHash(identity.model.sha256)}`);
    }
    const data = datasetHash(options.dataDir);
    if (data !== identity.dataset) throw new Refusal(`worker ${name} has a CIFAR-10 test set with sha256 ${shortHash(data)}, the run's is ${shortHash(identity.dataset)}`);
    const model = resolveModel(path, { modelsDir: options.modelsDir, preprocess: identity.preprocess });
    const s: Served = { model, pools: new Map(), variants: new Map(), compensations: new Map() };
    served.set(key, s);
    return s;
  };

  /** The run's compensation, computed here from this machine's calibration images once; refused when it is not the run's. */
  const compensationOf = (s: Served, named: ClusterCompensation | undefined): Compensation | null => {
    if (named === undefined) return null;
    const known = s.compensations.get(named.sha256);
    if (known) return known;
    const t0 = performance.now();
    const graph = s.model.graph;
    const loaded = loadCompensation(graph, calibrationInputs(graph, s.model.preprocess, named.calibration, options.dataDir), named.damping);
    const c = loaded.compensation;
    const here = compensationDigest(c);
    if (here !== named.sha256) {
      throw new Refusal(`worker ${name} computed the compensation with sha256 ${shortHash(here)} from its ${named.calibration} calibration images, the run's is ${shortHash(named.sha256)}`);
    }
    log(describeLoadedCompensation(loaded, (performance.now() - t0) / 1000));
    s.compensations.set(named.sha256, c);
    return c;
  };

  /** The variant coster of `s` under `compensation` (masked layers refitted, as the run's requests are). */
  const costerOf = (s: Served, compensation: Compensation | null, named: ClusterCompensation | undefined): VariantCoster => {
    const key = named?.sha256 ?? '';
    let coster = s.variants.get(key);
    if (coster === undefined) {
      const graph = s.model.graph;
      coster = variantCoster(graph, () => testImageInput(graph, s.model.preprocess, 0, options.dataDir), compensation === null ? null : compensationRefit(compensation));
      s.variants.set(key, coster);
    }
    return coster;
  };

  const handlers: { [N in JobName]: (s: Served, payload: JobTypes[N]['payload']) => Promise<JobTypes[N]['result']> } = {
    check: async () => ({ ok: true }),
    accuracy: async (s, { set, searchImages, fullImages, points, compensation: named }) => {
      const compensation = compensationOf(s, named);
      const key = `${searchImages}/${fullImages}/${named?.sha256 ?? ''}`;
      let pool = s.pools.get(key);
      if (pool === undefined) {
        const spec = {
          modelBytes: s.model.bytes,
          modelName: s.model.name,
          preprocess: s.model.preprocess,
          dataDir: options.dataDir,
          searchImages,
          fullImages,
          ...(compensation && { compensation }),
        };
        pool = workerScriptAvailable() ? createThreadPool(spec, threads) : createInlinePool(spec);
        s.pools.set(key, pool);
      }
      return Promise.all(pool.evaluate(set, points.map((l) => new Map(l))));
    },
    variant: async (s, { compensation: named, ...payload }) => {
      const cost = costerOf(s, compensationOf(s, named), named)(payload);
      if (cost === undefined) throw new Refusal(`model ${s.model.name} has no layer with operator index ${payload.opIndex}`);
      return cost;
    },
    firmware: async (_, { request }) => {
      // at least two threads: timing on this thread would hold up the renewal of the job locks
      timer ??= createFirmwareTimer(Math.max(2, threads));
      return timer.time(request);
    },
  };

  const processor = async (job: Job<JobData>): Promise<Plain> => {
    const t0 = performance.now();
    if (options.logJobs) log(`job ${job.id} started`);
    let s: Served;
    try {
      s = serve(fromPlain<ClusterIdentity>(job.data.identity));
    } catch (err) {
      if (err instanceof Refusal) log(`refused job ${job.id}: ${err.message}`);
      throw err;
    }
    const handler = handlers[job.name as JobName] as (s: Served, payload: unknown) => Promise<unknown>;
    if (handler === undefined) throw new Refusal(`worker ${name} does not know jobs named ${job.name}`);
    const result = await handler(s, fromPlain(job.data.payload));
    if (options.logJobs) log(`job ${job.id} done in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    return toPlain(result);
  };

  const lockMs = options.lockMs ?? 30_000;
  const connection = bullConnection(options.redis);
  const worker = new Worker<JobData, Plain>(QUEUE_NAME, processor, {
    connection,
    concurrency: threads * 2,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: 2,
  });
  worker.on('failed', (job, err) => {
    if (job && !(err instanceof Refusal)) log(`job ${job.id} failed (try ${job.attemptsMade}): ${err.message.split('\n')[0]}`);
  });
  worker.on('error', () => undefined); // connection errors: BullMQ reconnects
  await worker.waitUntilReady();
  log(`worker ${name}: ${displayUrl(options.redis)}, queue ${QUEUE_NAME}, ${threads} thread${threads === 1 ? '' : 's'}`);
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await worker.close();
  connection.disconnect();
  await Promise.allSettled([...[...served.values()].flatMap((s) => [...s.pools.values()].map((p) => p.close())), timer?.close()]);
}
