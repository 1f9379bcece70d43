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
import type { ClusterClient } from './client.js';

/** The offload of a cluster run's emulated latency source. */
export function clusterOffload(client: ClusterClient): NonNullable<LatencyContext['offload']> {
  const timer: FirmwareTimer = { kind: 'cluster', time: (request) => client.submit('firmware', { request }), close: async () => undefined };
  return {
    variantCost: (r) => client.submit('variant', variantPayload(r)),
    firmwareTimer: () => timer,
  };
}
