/**
 * What the emulated latency source sends to a cluster's workers: every layer
 * variant's compile and emulation as a `variant` job, and every whole
 * firmware timing as a `firmware` job. The provider itself (which variants a
 * point needs, the kernel choice, the references) stays on the coordinator,
 * so its results are the local provider's.
 */
import type { FirmwareTimer } from '../../firmware/timing-pool.js';
import type { LatencyContext } from '../evaluate/latency-sources.js';
import { variantPayload } from '../evaluate/variant-payload.js';
import type { Compensation } from '../../model/compensation/index.js';
import type { ClusterClient } from './client.js';
import { clusterCompensation } from './jobs.js';

/**
 * The offload of a cluster run's emulated latency source; with `compensation` (`--compensate`), a masked
 * variant's job names it, so the worker compiles the refitted layer the run asked for.
 */
export function clusterOffload(client: ClusterClient, compensation: Compensation | null = null): NonNullable<LatencyContext['offload']> {
  const timer: FirmwareTimer = { kind: 'cluster', time: (request) => client.submit('firmware', { request }), close: async () => undefined };
  const named = compensation === null ? null : clusterCompensation(compensation);
  return {
    variantCost: (r) => client.submit('variant', { ...variantPayload(r), ...(named !== null && r.mask !== null && { compensation: named }) }),
    firmwareTimer: () => timer,
  };
}
