/**
 * Configurations to worker lanes by prefix. A worker's session reuses the
 * activations of the configurations it evaluated before (prefix checkpoints,
 * src/model/engine/session.ts), so where a configuration runs decides how
 * much it costs: a batch cut into chunks that any free worker takes spreads
 * the configurations sharing their first layers' masks over every worker, and
 * each computes those layers again (a warm LeNet search did 45 % more work on
 * two workers than on one). Here every configuration goes to a lane (one
 * worker) chosen by the masks of its first {@link PREFIX_LAYERS} maskable
 * layers: a prefix goes where it went before while that lane has room, so
 * every lane gets its share of the batch (at most one more than another) and most
 * configurations find their prefix in their own worker's checkpoints. Where a
 * configuration runs changes no result, only what it costs.
 */
import { maskDigest } from '../space/mask-digest.js';
import type { MaskList } from './accuracy-bench.js';

/** Leading maskable layers whose masks place a configuration (LeNet's second conv is 68 % of its work). */
export const PREFIX_LAYERS = 2;

/** The prefix key of `list`: the masks of the first `PREFIX_LAYERS` of `ops` (absent: exact). */
export function prefixKey(list: MaskList, ops: readonly number[]): string {
  const byOp = new Map(list);
  return ops
    .slice(0, PREFIX_LAYERS)
    .map((op) => {
      const m = byOp.get(op);
      return m === undefined ? '-' : maskDigest(m);
    })
    .join('/');
}

/**
 * The lane of each of `lists` (indices into `lists`, by lane, each in `order`): at most ceil(n / lanes)
 * per lane; the configurations of a prefix `homes` knows go to its lane first, the rest, in `order`, to
 * the least loaded lane with room (lowest index first), and a new prefix's lane is remembered in `homes`.
 */
export function assignLanes(lists: readonly MaskList[], order: readonly number[], lanes: number, homes: Map<string, number>): number[][] {
  const ops = [...new Set(lists.flatMap((l) => l.map(([op]) => op)))].sort((a, b) => a - b);
  const cap = Math.ceil(lists.length / lanes);
  const out: number[][] = Array.from({ length: lanes }, () => []);
  const keys = lists.map((l) => prefixKey(l, ops));
  const later: number[] = [];
  for (const i of order) {
    const home = homes.get(keys[i]);
    if (home !== undefined && home < lanes && out[home].length < cap) out[home].push(i);
    else later.push(i);
  }
  for (const i of later) {
    const home = homes.get(keys[i]);
    let lane = 0;
    for (let k = 1; k < lanes; k++) if (out[k].length < out[lane].length) lane = k;
    if (home !== undefined && home < lanes && out[home].length < cap) lane = home; // a prefix new in this batch, placed above
    out[lane].push(i);
    if (home === undefined) homes.set(keys[i], lane);
  }
  const rank = new Map(order.map((i, r) => [i, r]));
  for (const lane of out) lane.sort((a, b) => rank.get(a)! - rank.get(b)!);
  return out;
}
