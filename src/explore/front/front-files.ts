/**
 * `front.csv` and `front.json`: the Pareto front of a run, one line per
 * point, fastest first, with top-1 on the search images and on the full
 * test set, cycles, flash, the speed-up over both exact references, and the
 * whole-firmware cycles (mean over the timed test images) and flash of the
 * points the DSE timed as firmware.
 */
import { meanCycles } from '../store/rows.js';
import type { FrontEntry, RunAnalysis } from './analysis.js';
import { isBuilt } from '../evaluate/latency-types.js';

/** Short text of a stored configuration: `op3 threshold 0.004, op5 fraction 0.2` (or its JSON). */
export function describeConfig(config: unknown): string {
  const c = config as { settings?: { op: number; kind: string; value: number }[] };
  if (!Array.isArray(c?.settings)) return JSON.stringify(config);
  if (c.settings.length === 0) return 'exact';
  return c.settings.map((s) => `op${s.op} ${s.kind} ${s.value}`).join(', ');
}

function csvField(v: string | number | boolean | null): string {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Plain-data form of one front entry (the rows of front.json). */
export function frontRecord(e: FrontEntry, a: RunAnalysis): Record<string, string | number | boolean | null> {
  const ref = a.reference;
  const fw = a.firmware.get(e.row.hash);
  return {
    id: e.row.id,
    hash: e.row.hash,
    top1Search: e.row.top1,
    correctSearch: e.row.correct,
    imagesSearch: e.row.images,
    top1Full: e.full?.top1 ?? null,
    correctFull: e.full?.correct ?? null,
    imagesFull: e.full?.images ?? null,
    cycles: e.row.cycles,
    flashBytes: e.row.flashBytes,
    skipped: e.row.skipped,
    weights: e.row.weights,
    reductionVsUnpacked: ref && isBuilt(ref.unpackedExact) ? 1 - e.row.cycles / ref.unpackedExact.cycles : null,
    reductionVsBaseline: ref ? 1 - e.row.cycles / ref.baseline.cycles : null,
    firmwareCycles: fw ? meanCycles(fw.inference) : null,
    firmwareFlashBytes: fw?.flashBytes ?? null,
    config: describeConfig(e.row.config),
  };
}

/** front.csv text. */
export function frontCsv(a: RunAnalysis): string {
  const records = a.front.map((e) => frontRecord(e, a));
  const header = ['id', 'hash', 'top1Search', 'correctSearch', 'imagesSearch', 'top1Full', 'correctFull', 'imagesFull', 'cycles', 'flashBytes', 'skipped', 'weights', 'reductionVsUnpacked', 'reductionVsBaseline', 'firmwareCycles', 'firmwareFlashBytes', 'config'];
  return `${[header.join(','), ...records.map((r) => header.map((h) => csvField(r[h])).join(','))].join('\n')}\n`;
}

/** front.json value. */
export function frontJson(a: RunAnalysis): unknown {
  return {
    model: a.config.model.name,
    board: a.config.board,
    exact: {
      top1Full: a.exactFull?.top1 ?? null,
      baseline: a.reference?.baseline ?? null,
      unpackedExact: a.reference?.unpackedExact ?? null,
    },
    complete: a.complete,
    front: a.front.map((e) => ({ ...frontRecord(e, a), config: e.row.config })),
    seedGridFront: a.seedGridFront?.map((e) => ({ ...frontRecord(e, a), config: e.row.config })) ?? null,
    reductions: a.reductions,
    seedGridReductions: a.seedGridReductions,
  };
}
