/**
 * report.md of a run: set-up, the exact references, the latency reductions
 * at 0, 1, 2 and 5 % top-1 loss on the full test set (against the exact
 * unpacked kernels and the exact baseline, with flash), those points timed as
 * whole firmware, the comparison with
 * the seed paper and its toolkit's grid, the per-layer sensitivity pass, the plots and the front. Pure: the
 * same analysis gives the same bytes.
 */
import { describePreprocess } from '../../model/registry.js';
import { describeMetric } from '../significance/metric.js';
import type { FrontEntry, RunAnalysis } from '../front/analysis.js';
import { describeConfig } from '../front/front-files.js';
import type { Reduction } from '../front/reductions.js';
import type { StoredCmsisNn } from '../store/run-store.js';
import { meanCycles } from '../store/rows.js';
import { isBuilt } from '../evaluate/latency-types.js';
import { runSensitivity, sensitivityTable } from './sensitivity-table.js';

/** Average latency reduction at no accuracy loss that the seed paper reports. */
export const SEED_PAPER_REDUCTION = 0.21;

const pct = (v: number, digits = 2): string => `${(v * 100).toFixed(digits)} %`;
const int = (v: number): string => String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** CMSIS-NN's measurement when the run has one. */
function cmsisFound(a: RunAnalysis): Extract<StoredCmsisNn, { found: true }> | null {
  return a.cmsisNn !== null && a.cmsisNn.found ? a.cmsisNn : null;
}

function reductionTable(rs: readonly Reduction[], a: RunAnalysis): string[] {
  const ref = a.reference!;
  const cmsis = cmsisFound(a);
  const chosen = ref.exactChosen !== undefined;
  const lines = [
    `| top-1 loss allowed | point | top-1 (full) | loss | cycles | reduction vs exact unpacked | reduction vs exact baseline |${chosen ? ' reduction vs exact, chosen kernels |' : ''}${cmsis ? ' reduction vs CMSIS-NN |' : ''} flash | flash vs unpacked |`,
    `|---|---|---|---|---|---|---|${chosen ? '---|' : ''}${cmsis ? '---|' : ''}---|---|`,
  ];
  for (const r of rs) {
    const p = r.point;
    const name = typeof p.id === 'number' ? `#${p.id}` : p.id;
    const u = ref.unpackedExact;
    const flashDelta = isBuilt(u) ? p.flashBytes / u.flashBytes - 1 : null;
    lines.push(
      `| <= ${r.maxLoss} % | ${name} | ${pct(p.top1)} | ${r.loss.toFixed(2)} pp | ${int(p.cycles)} | ${r.vsUnpacked === null ? 'n/a' : pct(r.vsUnpacked, 1)} | ${pct(r.vsBaseline, 1)} |${chosen ? ` ${r.vsExactChosen === null ? 'n/a' : pct(r.vsExactChosen, 1)} |` : ''}${cmsis ? ` ${pct(1 - p.cycles / cmsis.cycles, 1)} |` : ''} ${int(p.flashBytes)} B | ${flashDelta === null ? 'n/a' : `${flashDelta >= 0 ? '+' : ''}${pct(flashDelta, 1)}`} |`,
    );
  }
  return lines;
}

/** The reduction points' whole-firmware timing beside the layer-variant sum (empty when no point was timed so). */
function firmwareTable(rs: readonly Reduction[], a: RunAnalysis): string[] {
  const rows = rs.flatMap((r) => {
    const row = typeof r.point.id === 'number' ? a.points[r.point.id] : undefined;
    const fw = row === undefined ? undefined : a.firmware.get(row.hash);
    return row === undefined || fw === undefined ? [] : [{ r, row, fw, cycles: meanCycles(fw.inference) }];
  });
  if (rows.length === 0) return [];
  const images = rows[0].fw.images;
  return [
    '## Whole-firmware timing',
    '',
    `Every re-evaluated point on the front of full-test-set top-1 against cycles was also built as the firmware \`sim-dse export\` writes for ${a.config.board} (start-up, clock set-up, the point's kernels, ` +
      `the first ${images} test images) and run from reset in the emulator. Its DWT-measured cycles are what \`sim-dse validate\` predicts a board ` +
      "measures; the search's figure is the sum of layer variants each timed alone (code addresses and cache state at layer entry differ).",
    '',
    `| top-1 loss allowed | point | cycles (layer variants) | cycles (whole firmware, mean of ${images} images) | difference | firmware flash |`,
    '|---|---|---|---|---|---|',
    ...rows.map(({ r, row, fw, cycles }) => {
      const diff = cycles / row.cycles - 1;
      return `| <= ${r.maxLoss} % | #${row.id} | ${int(row.cycles)} | ${int(Math.round(cycles))} | ${diff >= 0 ? '+' : ''}${pct(diff)} | ${int(fw.flashBytes)} B |`;
    }),
    '',
  ];
}

function frontTable(front: readonly FrontEntry[], a: RunAnalysis): string[] {
  const proxy = a.macsRemoved.length > 0;
  const lines = [
    `| point | top-1 (search) | top-1 (full) | cycles |${proxy ? ' MACs removed (proxy) |' : ''} flash | skipped weights | configuration |`,
    `|---|---|---|---|${proxy ? '---|' : ''}---|---|---|`,
  ];
  for (const e of front) {
    const r = e.row;
    lines.push(
      `| #${r.id} | ${pct(r.top1)} | ${e.full ? pct(e.full.top1) : '-'} | ${int(r.cycles)} |${proxy ? ` ${pct(a.macsRemoved[r.id])} |` : ''} ${int(r.flashBytes)} B | ${int(r.skipped)} / ${int(r.weights)} | ${describeConfig(r.config)} |`,
    );
  }
  return lines;
}

/** The seed toolkit's MAC proxy against the emulated cycles (empty without it). */
function proxySection(a: RunAnalysis): string[] {
  const m = a.macProxy;
  if (m === null || m.rho === null) return [];
  const lines = [
    "## The seed toolkit's latency proxy",
    '',
    `The seed toolkit ranks configurations by the fraction of multiply-accumulates they remove. Over the ${int(m.points)} stored points, ` +
      `Spearman's rank correlation of that fraction with the emulated cycles is ${m.rho.toFixed(3)} (-1 would mean the proxy orders points exactly as the cycles do).`,
  ];
  if (m.noLoss !== null) {
    const { proxyBest: p, fastest: f } = m.noLoss;
    const extra = p.cycles / f.cycles - 1;
    const vsBaseline = (c: number): string => (a.reference ? ` (${pct(1 - c / a.reference.baseline.cycles, 1)} vs exact baseline)` : '');
    lines.push(
      '',
      `At no top-1 loss on the search images, the proxy's best point #${p.id} removes ${pct(p.macsRemoved)} of the MACs and takes ${int(p.cycles)} cycles${vsBaseline(p.cycles)}; ` +
        `the fastest lossless point by emulated cycles, #${f.id}, removes ${pct(f.macsRemoved)} and takes ${int(f.cycles)} cycles${vsBaseline(f.cycles)}: ` +
        (extra > 0 ? `choosing by the proxy costs ${pct(extra, 1)} more cycles.` : 'the proxy picks the fastest point here.'),
    );
  }
  return [...lines, ''];
}

function comparison(a: RunAnalysis): string[] {
  const zero = a.reductions?.find((r) => r.maxLoss === 0);
  if (zero === undefined) return ['The comparison with the seed paper needs the full-test-set results (run not finished).'];
  const lines = [
    `The seed paper reports a latency reduction of ${pct(SEED_PAPER_REDUCTION, 0)} on average at no accuracy loss. ` +
      `This run finds ${zero.vsUnpacked === null ? '' : `${pct(zero.vsUnpacked, 1)} against the exact unpacked kernels and `}${pct(zero.vsBaseline, 1)} against the exact baseline ` +
      `at no top-1 loss on the full test set (${int(a.exactFull!.images)} images)` +
      (cmsisFound(a) ? `, and ${pct(1 - zero.point.cycles / cmsisFound(a)!.cycles, 1)} against Arm's CMSIS-NN, the library the paper compares against.` : '.'),
  ];
  const seedZero = a.seedGridReductions?.find((r) => r.maxLoss === 0);
  if (seedZero !== undefined) {
    lines.push(
      '',
      `The seed toolkit's own grid (${a.seedGridPoints!.length} points) reaches ${pct(seedZero.vsBaseline, 1)} against the baseline` +
        `${seedZero.vsUnpacked === null ? '' : ` (${pct(seedZero.vsUnpacked, 1)} against exact unpacked)`} at no loss, evaluated the same way.`,
    );
  }
  const ref = a.reference!;
  const u = ref.unpackedExact;
  const unpackedVsBaseline = isBuilt(u) ? u.cycles / ref.baseline.cycles - 1 : null;
  lines.push(
    '',
    'Why the figures can differ:',
    '',
    `- "No loss" here means no drop of top-1 on all ${int(a.exactFull!.images)} test images, bit-exact int8; the front is searched on the first ` +
      `${int(a.config.images.search)} images, so a point lossless there can lose on the full set, and only front points are re-evaluated.`,
    `- Latency: ${ref.latency}, board ${a.config.board}; the paper measures its own kernels on its boards.`,
    unpackedVsBaseline === null
      ? '- The exact unpacked kernels cannot fit this board (not built), so the reductions are against the exact baseline, the one a user of library kernels would see.'
      : `- The exact unpacked kernels are ${pct(Math.abs(unpackedVsBaseline), 1)} ${unpackedVsBaseline >= 0 ? 'slower' : 'faster'} than the exact baseline here, ` +
        'so the reduction against the baseline is the one a user of library kernels would see.',
    `- Significance metric ${a.config.metric} with ${a.config.search.strategy} over the space above; the seed toolkit uses its own metric on a 2-layer threshold grid.`,
  );
  return lines;
}

/** The line under the references saying where CMSIS-NN comes from, or why it is missing (nothing when the run did not measure it). */
function cmsisNote(a: RunAnalysis): string[] {
  if (a.cmsisNn === null) return [];
  if (!a.cmsisNn.found) return [`CMSIS-NN was not found: ${a.cmsisNn.reason}. The reductions are against sim-dse's own exact references only.`, ''];
  const c = a.cmsisNn;
  return [
    `CMSIS-NN: Arm's library compiled from ${c.dir} with sim-dse's toolchain, one inference of test image 0 emulated as a whole image ` +
      `(${c.matchesEngine ? 'output equal to the reference engine' : '**output differs from the reference engine**'}); ` +
      `per layer: ${c.layers.map((l) => `${l.name} ${int(l.cycles)}`).join(', ')}.`,
    '',
  ];
}

/**
 * A set-up row naming the search point, in evaluation order, that first reached the fastest time of the points
 * losing no top-1 on the search images (how much of the budget the search needed there), or none before the
 * exact point is stored.
 */
function firstLossless(a: RunAnalysis): string[] {
  const search = a.points.filter((p) => p.phase === 'search');
  const exact = search.find((p) => p.genome.every((v) => v === 0));
  let best = -1;
  search.forEach((p, i) => {
    if (exact !== undefined && (p.fits || !exact.fits) && p.correct >= exact.correct && (best < 0 || p.cycles < search[best].cycles)) best = i;
  });
  if (best < 0) return [];
  const p = search[best];
  return [`| fastest point without loss (search images) | #${p.id}, ${int(p.cycles)} cycles: search point ${best + 1} of ${search.length} |`];
}

/** One line describing the stored space (`config.space`). */
export function describeSpace(space: unknown): string {
  const s = space as { name?: string; kind?: string; layers?: { opIndex: number; levels: number[] }[] };
  const wellFormed = (l: unknown): boolean => typeof l === 'object' && l !== null && Array.isArray((l as { levels?: unknown }).levels);
  if (!Array.isArray(s?.layers) || !s.layers.every(wellFormed)) return JSON.stringify(space);
  const levels = [...new Set(s.layers.map((l) => l.levels.join(', ')))];
  const lv = levels.length === 1 ? `levels ${levels[0]}` : 'per-layer levels';
  return `${s.name ?? 'custom'}: ${s.kind} per layer on ${s.layers.map((l) => `op${l.opIndex}`).join(', ')}; ${lv}`;
}

/** The report's Markdown text. Plot files are referenced by name. */
export function renderReport(a: RunAnalysis, runId: string, plotFiles: { cycles: string; flash: string; sensitivity?: string }): string {
  const c = a.config;
  const out: string[] = [
    `# sim-dse run ${runId}: ${c.model.name} on ${c.board}`,
    '',
    '## Set-up',
    '',
    `| | |`,
    `|---|---|`,
    `| model | ${c.model.name} (${c.model.file}, sha256 ${c.model.sha256.slice(0, 16)}) |`,
    ...(c.model.preprocess ? [`| input | ${describePreprocess(c.model.preprocess)} |`] : []),
    `| board | ${c.board} |`,
    `| latency | ${a.reference?.latency ?? c.latency} |`,
    `| significance | ${describeMetric(c.metric)}, from ${c.calibration} calibration images (data_batch_1) |`,
    `| space | ${describeSpace(c.space)} |`,
    ...(c.compensation
      ? [`| compensation | kept weights and bias of each masked layer refitted by least squares over the ${c.calibration} calibration images' activations (damping ${c.compensation.damping}); kernels and firmware bake the refitted weights |`]
      : []),
    `| search | ${c.search.strategy === 'grid' ? `grid of ${c.search.budget} points` : `nsga2, budget ${c.search.budget}, population ${c.search.population}, seed ${c.search.seed}, points losing more than ${c.search.maxLoss} pp infeasible`} |`,
    `| images | ${c.images.search} while searching, ${c.images.full} for the front (${c.images.dataset}) |`,
    `| points evaluated | ${a.points.length} (front: ${a.front.length}) |`,
    ...firstLossless(a),
    '',
  ];
  if (!a.complete) out.push('**This run is not finished**: some front points lack their full-test-set top-1; rerun the same command to resume.', '');
  if (a.reference !== null) {
    const r = a.reference;
    const capacity = a.flashCapacity;
    const fits = (cost: { flashBytes: number; sramFits?: false }) =>
      cost.sramFits === false ? '**no** (SRAM: timed with room)' : cost.flashBytes <= capacity ? 'yes' : '**no**';
    out.push(
      '## Exact references',
      '',
      `| | cycles | flash | fits ${int(capacity)} B | top-1 (search) | top-1 (full) |`,
      '|---|---|---|---|---|---|',
      `| exact baseline | ${int(r.baseline.cycles)} | ${int(r.baseline.flashBytes)} B | ${fits(r.baseline)} | ${pct(r.exactSearch.top1)} | ${a.exactFull ? pct(a.exactFull.top1) : 'n/a'} |`,
      isBuilt(r.unpackedExact)
        ? `| exact unpacked | ${int(r.unpackedExact.cycles)} | ${int(r.unpackedExact.flashBytes)} B | ${fits(r.unpackedExact)} | ${pct(r.exactSearch.top1)} | ${a.exactFull ? pct(a.exactFull.top1) : 'n/a'} |`
        : `| exact unpacked | not built | ${int(r.unpackedExact.flashEstimate)} B (estimated) | **no** (checked before compiling) | ${pct(r.exactSearch.top1)} | ${a.exactFull ? pct(a.exactFull.top1) : 'n/a'} |`,
    );
    if (r.exactChosen) {
      const e = r.exactChosen;
      out.push(`| exact, per-layer style and placement (${e.placement ?? 'all in flash'}) | ${int(e.cycles)} | ${int(e.flashBytes)} B | ${e.fits ? 'yes' : '**no**'} | ${pct(r.exactSearch.top1)} | ${a.exactFull ? pct(a.exactFull.top1) : 'n/a'} |`);
    }
    const cmsis = cmsisFound(a);
    if (cmsis !== null) {
      const top1 = (v: number | undefined): string => (v === undefined ? 'n/a' : cmsis.matchesEngine ? pct(v) : '**differs**');
      out.push(`| CMSIS-NN (Arm) | ${int(cmsis.cycles)} | ${int(cmsis.flashBytes)} B | ${fits(cmsis)} | ${top1(r.exactSearch.top1)} | ${top1(a.exactFull?.top1)} |`);
    }
    out.push('');
    out.push(...cmsisNote(a));
  }
  if (a.reductions !== null) {
    out.push('## Latency reduction at a top-1 loss budget (full test set)', '', ...reductionTable(a.reductions, a), '');
    out.push('Loss is in percentage points of top-1 below the exact model. The chosen point is the fastest feasible point whose full-test-set top-1 is known (the re-evaluated front, and points with the same masks, such as the exact configuration) within the budget, or the faster exact reference that fits the flash.', '');
  }
  if (a.seedGridReductions !== null) out.push("### The seed toolkit's grid", '', ...reductionTable(a.seedGridReductions, a), '');
  if (a.reductions !== null) out.push(...firmwareTable(a.reductions, a));
  out.push('## Comparison with the seed paper', '', ...comparison(a), '');
  out.push(...proxySection(a));
  const sensitivity = c.search.sensitivity === true ? runSensitivity(c.space, a.points) : null;
  if (sensitivity !== null) {
    out.push('## Per-layer sensitivity', '', ...sensitivityTable(sensitivity), '');
    if (plotFiles.sensitivity !== undefined) out.push(`![each layer alone: top-1 change vs cycles saved](${plotFiles.sensitivity})`, '');
  }
  out.push('## Plots', '', `![top-1 vs cycles](${plotFiles.cycles})`, '', `![top-1 vs flash](${plotFiles.flash})`, '');
  out.push('## Pareto front (top-1 on the search images vs cycles)', '', ...frontTable(a.front, a), '');
  if (c.search.maxLoss !== undefined) {
    out.push(`Only front points within ${c.search.maxLoss} pp of the exact top-1 on the search images are re-evaluated on the full test set (others: -).`, '');
  }
  if (a.seedGridFront !== null) out.push("## Pareto front of the seed toolkit's grid", '', ...frontTable(a.seedGridFront, a), '');
  return `${out.join('\n')}`;
}
