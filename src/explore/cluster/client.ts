/**
 * The coordinator's side of a cluster: submits jobs to the queue under their
 * content-hash ids and waits for their results. A job already in the queue
 * (submitted by an earlier, interrupted coordinator) is not added again: its
 * stored result comes back, or it is waited for where it is. A job that
 * failed before this coordinator started is tried again once (the workers
 * may have been fixed since); one that fails on every try now stops the run
 * with one line naming it.
 */
import { Job, Queue, QueueEvents } from 'bullmq';
import { SimDseError } from '../../util/errors.js';
import { fromPlain, type Plain } from './codec.js';
import { bullConnection, checkRedis, displayUrl } from './connection.js';
import type { ClusterIdentity } from './identity.js';
import { JOB_ATTEMPTS, jobData, jobId, QUEUE_NAME, type JobName, type JobTypes } from './jobs.js';

/** A connection to the queue, for one run's identity. */
export interface ClusterClient {
  /** The Redis URL (password hidden), for status lines. */
  readonly url: string;
  readonly identity: ClusterIdentity;
  /** Queues the job (unless it is there already) and resolves to its result. */
  submit<N extends JobName>(name: N, payload: JobTypes[N]['payload']): Promise<JobTypes[N]['result']>;
  /** Workers connected to the queue now. */
  workers(): Promise<number>;
  close(): Promise<void>;
}

/** How long a finished job's result is kept for resubmissions (seconds). */
const KEEP_SECONDS = 7 * 24 * 3600;

/**
 * Connects to the queue at `url` (one line and no side effects when Redis is
 * unreachable) and checks, with a `check` job, that a worker serves the
 * identity's model and test set.
 */
export async function openCluster(url: string, identity: ClusterIdentity, log: (line: string) => void = () => undefined): Promise<ClusterClient> {
  await checkRedis(url);
  const startedAt = Date.now();
  const connections = [bullConnection(url), bullConnection(url)];
  const queue = new Queue(QUEUE_NAME, { connection: connections[0] });
  const events = new QueueEvents(QUEUE_NAME, { connection: connections[1] });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  const failure = (name: JobName, id: string, job: Job | undefined, err: unknown): SimDseError<'cluster'> => {
    const reason = (job?.failedReason ?? (err instanceof Error ? err.message : String(err))).split('\n')[0];
    const tries = job?.attemptsMade ?? JOB_ATTEMPTS;
    return new SimDseError('cluster', `job ${id} (${name}) failed ${tries} time${tries === 1 ? '' : 's'}: ${reason}`, { job: id });
  };
  const client: ClusterClient = {
    url: displayUrl(url),
    identity,
    async submit(name, payload) {
      const data = jobData(identity, payload);
      const id = jobId(name, data);
      let job = await queue.add(name, data, {
        jobId: id,
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'fixed', delay: 500 },
        removeOnComplete: { age: KEEP_SECONDS },
        removeOnFail: { age: KEEP_SECONDS },
      });
      for (let retried = false; ; retried = true) {
        try {
          return fromPlain(await job.waitUntilFinished(events) as Plain);
        } catch (err) {
          const stored = (await Job.fromId(queue, id)) ?? undefined;
          if (retried || stored === undefined || (stored.finishedOn ?? 0) >= startedAt || (await stored.getState()) !== 'failed') throw failure(name, id, stored, err);
          await stored.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          job = stored;
        }
      }
    },
    async workers() {
      return (await queue.getWorkers()).length;
    },
    async close() {
      await Promise.allSettled([events.close(), queue.close()]);
      for (const c of connections) c.disconnect(); // BullMQ leaves connections it was given open
    },
  };
  try {
    const workers = await client.workers();
    log(`cluster: ${client.url}, queue ${QUEUE_NAME}, ${workers} worker${workers === 1 ? '' : 's'} connected${workers === 0 ? ' (waiting for one: sim-dse worker --redis URL)' : ''}`);
    await client.submit('check', {});
  } catch (err) {
    await client.close();
    throw err;
  }
  return client;
}
