import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BoardProfile } from '../../src/emulator/board.js';
import { createMacsLatency } from '../../src/explore/evaluate/macs-latency.js';
import { isBuilt, type Cost, type LatencyProvider } from '../../src/explore/evaluate/latency-types.js';
import type { AccuracyPool } from '../../src/explore/pool/accuracy-pool.js';
import type { Graph, SkipMasks } from '../../src/model/ir.js';

/** Every file under a run directory (sub-stores included), by relative path, with its text. */
export function treeFiles(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) Object.assign(out, treeFiles(path, `${prefix}${f}/`));
    else out[`${prefix}${f}`] = readFileSync(path, 'utf8');
  }
  return out;
}

/** The factor of layer k's cycles on the board at `index` of a run: odd layers cost 10 times more on the second board, so the boards rank points differently. */
export function boardLayerFactor(index: number, k: number): number {
  return 1 + index * 9 * (k % 2);
}

/**
 * The analytic provider with board-dependent cycles: on the board at
 * `index` of the run, layer k's cycles are multiplied by
 * {@link boardLayerFactor} and the references by 1 + index.
 */
export function boardLatency(graph: Graph, board: BoardProfile, index: number): LatencyProvider {
  const macs = createMacsLatency(graph, board);
  return {
    description: `${macs.description}, scaled for ${board.id}`,
    async reference() {
      const r = await macs.reference();
      const scale = (c: Cost): Cost => ({ ...c, cycles: c.cycles * (1 + index) });
      return { baseline: scale(r.baseline), unpackedExact: isBuilt(r.unpackedExact) ? scale(r.unpackedExact) : r.unpackedExact };
    },
    async point(masks: SkipMasks) {
      const p = await macs.point(masks);
      const perLayer = p.perLayer.map((l, k) => ({ ...l, cycles: l.cycles * boardLayerFactor(index, k) }));
      return { ...p, perLayer, cycles: perLayer.reduce((s, l) => s + l.cycles, 0) };
    },
  };
}

/** Wraps a pool, adding the configurations it is asked to evaluate to `counts` per image set. */
export function countingPool(pool: AccuracyPool, counts: { search: number; full: number }): AccuracyPool {
  return {
    kind: pool.kind,
    threads: pool.threads,
    evaluate(set, configs) {
      counts[set] += configs.length;
      return pool.evaluate(set, configs);
    },
    close: () => pool.close(),
  };
}
