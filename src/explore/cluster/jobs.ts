/**
 * The jobs of a cluster run: the same evaluations a local run makes, each a
 * pure function of its data, named by the hash of that data (so a job
 * submitted twice, by a resumed coordinator or another run of the same
 * model, is computed once and its stored result returned).
 */
import { createHash } from 'node:crypto';
import type { ProjectRequest } from '../../firmware/export.js';
import type { FirmwareTimingOutcome } from '../../firmware/image-timing.js';
import type { VariantCost } from '../../kernels/variant-cost.js';
import { compensationDigest, type Compensation } from '../../model/compensation/index.js';
import type { VariantPayload } from '../evaluate/variant-payload.js';
import type { ImageSet, MaskList } from '../pool/accuracy-bench.js';
import { weakMemo } from '../../util/weak-memo.js';
import { toPlain, type Plain } from './codec.js';
import type { ClusterIdentity } from './identity.js';

/** Name of the BullMQ queue every coordinator and worker uses. */
export const QUEUE_NAME = 'sim-dse';

/** Tries of a job before it fails for good (a refusing or crashing worker counts as one). */
export const JOB_ATTEMPTS = 3;

/**
 * A `--compensate` run's compensation as its jobs name it: the worker computes it from its own calibration
 * images and refuses the job when the digest of its Gram inverses is not the run's (compensationDigest).
 */
export interface ClusterCompensation {
  readonly calibration: number;
  readonly damping: number;
  readonly sha256: string;
}

const named = weakMemo<Compensation, ClusterCompensation>();

/** How the jobs of a run with `compensation` name it (its inverses hashed once, whoever asks: the pool and each board's offload). */
export function clusterCompensation(compensation: Compensation): ClusterCompensation {
  return named(compensation, () => ({ calibration: compensation.calibration, damping: compensation.damping, sha256: compensationDigest(compensation) }));
}

/** Every job's payload and result, by job name. */
export interface JobTypes {
  /** A worker can serve the identity (its model and test set hashes match): sent once before a run starts. */
  readonly check: { readonly payload: Record<string, never>; readonly result: { readonly ok: true } };
  /** Correct top-1 counts of configurations on the first images of the test set, in order. */
  readonly accuracy: {
    readonly payload: {
      readonly set: ImageSet;
      readonly searchImages: number;
      readonly fullImages: number;
      readonly points: readonly MaskList[];
      /** Masked layers run refitted (absent: plain masks). */
      readonly compensation?: ClusterCompensation;
    };
    readonly result: readonly number[];
  };
  /** Compile and emulate one layer variant on a board (a masked one refitted when the payload names a compensation). */
  readonly variant: {
    readonly payload: VariantPayload & { readonly compensation?: ClusterCompensation };
    readonly result: VariantCost;
  };
  /** Time one whole firmware. */
  readonly firmware: { readonly payload: { readonly request: ProjectRequest }; readonly result: FirmwareTimingOutcome };
}

/** A job's name. */
export type JobName = keyof JobTypes;

/** The data of a job as it is queued: the identity and the payload, as plain JSON. */
export interface JobData {
  readonly identity: Plain;
  readonly payload: Plain;
}

/** The queued data of a job. */
export function jobData<N extends JobName>(identity: ClusterIdentity, payload: JobTypes[N]['payload']): JobData {
  return { identity: toPlain(identity), payload: toPlain(payload) };
}

/** The job's id: its name and the sha256 of its data (BullMQ ids may not contain ':'). */
export function jobId(name: JobName, data: JobData): string {
  return `${name}-${createHash('sha256').update(name).update('\0').update(JSON.stringify(data)).digest('hex')}`;
}
