import { describe, expect, it } from 'vitest';
import { analyseRun, finalHashes, fullResultsByMasks, wantsFinal } from '../src/explore/front/analysis.js';
import { EXACT_MASKS_HASH } from '../src/explore/store/masks-hash.js';
import { frontCsv } from '../src/explore/front/front-files.js';
import { paretoFront } from '../src/explore/front/pareto.js';
import { fallbackReference, lossPoints, reductionsAt } from '../src/explore/front/reductions.js';
import { accuracyPlot } from '../src/explore/report/plots.js';
import { describeSpace, renderReport } from '../src/explore/report/report-md.js';
import { formatSummary, summarise } from '../src/explore/run/summary.js';
import { niceTicks, renderScatter, shortNumber } from '../src/explore/report/svg-plot.js';
import type { RunConfig } from '../src/explore/store/run-config.js';
import type { PointRow } from '../src/explore/store/rows.js';
import type { StoreContents } from '../src/explore/store/run-store.js';

/** A stored point with the fields the analysis reads. */
function row(id: number, correct: number, cycles: number, flashBytes: number, fits = true, phase: PointRow['phase'] = 'search'): PointRow {
  return {
    id, hash: `h${id}`, masksHash: `m${id}`, phase, genome: [id], config: { metric: 'contribution', settings: [{ op: 3, kind: 'fraction', value: id / 10 }] },
    skipped: id, weights: 100, correct, images: 100, top1: correct / 100, cycles, flashBytes, fits, layers: [],
  };
}

const config: RunConfig = {
  version: 1, model: { name: 'toy', sha256: 'ab'.repeat(32), file: 'toy.tflite' }, board: 'nucleo-f446re', metric: 'contribution', calibration: 128, latency: 'macs',
  space: {}, search: { strategy: 'grid', budget: 6, population: 50, seed: 1, maxLoss: 10 }, images: { search: 100, full: 1000, dataset: 'cifar10 test_batch.bin' }, seedGrid: false,
};

const points = [
  row(0, 80, 1000, 500), // exact
  row(1, 80, 900, 480), // faster, as accurate: dominates 0
  row(2, 78, 700, 400),
  row(3, 75, 750, 390), // dominated by 2
  row(4, 50, 300, 200, false), // does not fit (and is more than 20 pp below exact: not plotted)
  row(5, 70, 500, 300),
  row(6, 70, 500, 290), // same top-1 and cycles as 5, less flash: kept instead of 5
];

describe('Pareto front', () => {
  it('keeps feasible non-dominated points, fastest first, one per (top-1, cycles)', () => {
    expect(paretoFront(points).map((p) => p.id)).toEqual([6, 2, 1]);
  });
});

describe('reductions at a loss budget', () => {
  const ref = { baseline: { cycles: 800, flashBytes: 100 }, unpackedExact: { cycles: 1000, flashBytes: 500 } };
  const unpacked = { id: 'exact unpacked' as const, top1: 0.8, ...ref.unpackedExact };
  it('picks the fastest point within each budget, relative to exact unpacked and baseline', () => {
    const scored = [
      { id: 1, top1: 0.8, cycles: 900, flashBytes: 480 },
      { id: 2, top1: 0.79, cycles: 700, flashBytes: 400 },
      { id: 6, top1: 0.76, cycles: 500, flashBytes: 290 },
    ];
    const r = reductionsAt(scored, 0.8, ref, unpacked);
    expect(r.map((x) => [x.maxLoss, x.point.id, x.loss])).toEqual([[0, 1, 0], [1, 2, 1], [2, 2, 1], [5, 6, 4]]);
    expect(r[0].vsUnpacked).toBeCloseTo(0.1, 12);
    expect(r[0].vsBaseline).toBeCloseTo(-0.125, 12);
    expect(r[3].vsUnpacked).toBeCloseTo(0.5, 12);
    expect(r[3].vsBaseline).toBeCloseTo(0.375, 12);
    // with the (faster) baseline as the fallback, nothing slower than it is chosen
    expect(reductionsAt(scored, 0.8, ref, fallbackReference(ref, 0.8, 1000)).map((x) => x.point.id)).toEqual(['exact baseline', 2, 2, 6]);
  });
  it('falls back to the exact reference, and rounds float noise out of losses', () => {
    const r = reductionsAt([{ id: 9, top1: 0.5, cycles: 10, flashBytes: 1 }], 0.8, ref, unpacked, [0]);
    expect([r[0].point.id, r[0].vsUnpacked, r[0].point.flashBytes]).toEqual(['exact unpacked', 0, 500]);
    expect(lossPoints(0.715, 0.705)).toBe(1);
  });
  it('the fallback is the faster exact reference that fits the flash', () => {
    expect(fallbackReference(ref, 0.8, 1000).id).toBe('exact baseline');
    expect(fallbackReference(ref, 0.8, 50).id).toBe('exact unpacked'); // neither fits
    expect(fallbackReference({ ...ref, baseline: { cycles: 1200, flashBytes: 100 } }, 0.8, 1000).id).toBe('exact unpacked');
    expect(fallbackReference({ ...ref, baseline: { cycles: 1200, flashBytes: 100 } }, 0.8, 400)).toEqual({ id: 'exact baseline', top1: 0.8, cycles: 1200, flashBytes: 100 });
  });
  it('an exact reference whose inference exceeds the SRAM (sramFits false) is never the fallback, and the report says it does not fit', () => {
    const slowBaseline = { ...ref, baseline: { cycles: 1200, flashBytes: 100 } };
    const noSram = { ...slowBaseline, unpackedExact: { ...ref.unpackedExact, sramFits: false as const } };
    expect(fallbackReference(noSram, 0.8, 1000).id).toBe('exact baseline');
    const s = store();
    const md = renderReport(analyseRun({ ...s, reference: { ...s.reference!, ...noSram } }), 'toy-run', { cycles: 'c.svg', flash: 'f.svg' });
    expect(md).toContain('| exact unpacked | 1,000 | 500 B | **no** (SRAM: timed with room) |');
    expect(md).toContain('| exact baseline | 1,200 | 100 B | yes |');
  });
});

describe('an exact unpacked network that cannot fit the flash (never built)', () => {
  const unbuilt = { baseline: { cycles: 1200, flashBytes: 100 }, unpackedExact: { built: false as const, flashEstimate: 700_982 } };
  it('is never the fallback, even when nothing fits; reductions against it are null', () => {
    expect(fallbackReference(unbuilt, 0.8, 1000).id).toBe('exact baseline');
    expect(fallbackReference(unbuilt, 0.8, 50).id).toBe('exact baseline');
    const r = reductionsAt([{ id: 2, top1: 0.8, cycles: 600, flashBytes: 400 }], 0.8, unbuilt, fallbackReference(unbuilt, 0.8, 1000), [0]);
    expect([r[0].point.id, r[0].vsUnpacked, r[0].vsBaseline]).toEqual([2, null, 0.5]);
  });
  it('the report says it was not built, with its estimate, and gives n/a where it would be compared', () => {
    const s = store();
    const md = renderReport(analyseRun({ ...s, reference: { ...s.reference!, ...unbuilt } }), 'toy-run', { cycles: 'c.svg', flash: 'f.svg' });
    expect(md).toContain('| exact unpacked | not built | 700,982 B (estimated) | **no** (checked before compiling) | 80.00 % | 80.00 % |');
    // point 1 (900 cycles) at no loss: n/a against exact unpacked, 1 - 900 / 1200 against the baseline, flash n/a against unpacked
    expect(md).toContain('| <= 0 % | #1 | 80.00 % | 0.00 pp | 900 | n/a | 25.0 % | 480 B | n/a |');
    expect(md).toContain('The exact unpacked kernels cannot fit this board (not built)');
  });
});

describe('the exact model with the per-layer style and placement choice', () => {
  const ref = { baseline: { cycles: 800, flashBytes: 100 }, unpackedExact: { cycles: 1000, flashBytes: 500 }, exactChosen: { cycles: 750, flashBytes: 300, fits: true } };
  it('is a fallback when it fits and is faster, and every reduction is also measured against it', () => {
    expect(fallbackReference(ref, 0.8, 1000)).toEqual({ id: 'exact, chosen kernels', top1: 0.8, cycles: 750, flashBytes: 300 });
    expect(fallbackReference({ ...ref, exactChosen: { ...ref.exactChosen, fits: false } }, 0.8, 1000).id).toBe('exact baseline');
    const r = reductionsAt([{ id: 2, top1: 0.8, cycles: 600, flashBytes: 400 }], 0.8, ref, fallbackReference(ref, 0.8, 1000), [0]);
    expect(r[0].point.id).toBe(2);
    expect(r[0].vsExactChosen).toBeCloseTo(0.2, 12);
    expect(reductionsAt([], 0.8, { baseline: ref.baseline, unpackedExact: ref.unpackedExact }, fallbackReference(ref, 0.8, 1000), [0])[0].vsExactChosen).toBeNull();
  });
  it('the report lists it among the references and gives the column', () => {
    const s = store();
    const md = renderReport(analyseRun({ ...s, reference: { ...s.reference!, exactChosen: { cycles: 950, flashBytes: 200, fits: true, placement: '3:flash/sram' } } }), 'toy-run', { cycles: 'c.svg', flash: 'f.svg' });
    expect(md).toContain('| exact, per-layer style and placement (3:flash/sram) | 950 | 200 B | yes | 80.00 % | 80.00 % |');
    // point 1 (900 cycles) at no loss: 1 - 900 / 950
    expect(md).toContain('| <= 0 % | #1 | 80.00 % | 0.00 pp | 900 | 10.0 % | 25.0 % | 5.3 % | 480 B | -4.0 % |');
  });
});

function store(): StoreContents {
  return {
    dir: '/tmp/toy-run',
    config,
    reference: { latency: 'analytic test', baseline: { cycles: 1200, flashBytes: 100 }, unpackedExact: { cycles: 1000, flashBytes: 500 }, exactSearch: { correct: 80, images: 100, top1: 0.8 } },
    points,
    finals: [
      { hash: 'exact', correct: 800, images: 1000, top1: 0.8 },
      { hash: 'h1', correct: 800, images: 1000, top1: 0.8 },
      { hash: 'h2', correct: 790, images: 1000, top1: 0.79 },
      { hash: 'h6', correct: 760, images: 1000, top1: 0.76 },
    ],
    firmware: [],
    seedGrid: null,
    cmsisNn: null,
  };
}

describe('analysis, front files and report', () => {
  it('joins full-test-set results to the front and states the reductions', () => {
    const a = analyseRun(store());
    expect(a.complete).toBe(true);
    expect(a.front.map((e) => [e.row.id, e.full?.correct])).toEqual([[6, 760], [2, 790], [1, 800]]);
    expect(a.reductions!.map((r) => r.point.id)).toEqual([1, 2, 2, 6]);
    expect(frontCsv(a).split('\n').slice(0, 2)).toEqual([
      'id,hash,top1Search,correctSearch,imagesSearch,top1Full,correctFull,imagesFull,cycles,flashBytes,skipped,weights,reductionVsUnpacked,reductionVsBaseline,firmwareCycles,firmwareFlashBytes,config',
      '6,h6,0.7,70,100,0.76,760,1000,500,290,6,100,0.5,0.5833333333333333,,,op3 fraction 0.6',
    ]);
    const md = renderReport(a, 'toy-run', { cycles: 'c.svg', flash: 'f.svg' });
    expect(md).toContain('| <= 0 % | #1 | 80.00 % | 0.00 pp | 900 | 10.0 % | 25.0 % | 480 B | -4.0 % |');
    expect(md).toContain('| <= 5 % | #6 | 76.00 % | 4.00 pp | 500 | 50.0 % | 58.3 % | 290 B | -42.0 % |');
    expect(md).toContain('This run finds 10.0 % against the exact unpacked kernels and 25.0 % against the exact baseline');
    expect(md).toContain('![top-1 vs cycles](c.svg)');
    expect(md).not.toContain('not finished');
    expect(md).not.toContain('Whole-firmware timing'); // no point was timed as a whole firmware
  });

  it('states the reduction points timed as whole firmware beside the layer-variant sum', () => {
    const fw = (hash: string, inference: number[]) => ({ hash, kind: 'timed' as const, board: 'nucleo-f446re', images: 2, layers: [{ name: 'conv_2d#1', cycles: inference }], inference, flashBytes: 4000 });
    const a = analyseRun({ ...store(), firmware: [fw('h1', [905, 906]), fw('h6', [495, 495]), { hash: 'h2', kind: 'too-large', board: 'nucleo-f446re', reason: 'overflow' }] });
    const md = renderReport(a, 'toy-run', { cycles: 'c.svg', flash: 'f.svg' });
    expect(md).toContain('| top-1 loss allowed | point | cycles (layer variants) | cycles (whole firmware, mean of 2 images) | difference | firmware flash |');
    // point 1: 905.5 against 900 (+0.61 %), rounded to 906 in the table; point 2's firmware does not
    // build (too-large), so no budget recommends it: the 1 % and 2 % budgets fall back to point 1
    expect(md.match(/^\| <= \d % \| #\d \| \d+ \| \d+ \|.*$/gm)).toEqual([
      '| <= 0 % | #1 | 900 | 906 | +0.61 % | 4,000 B |',
      '| <= 1 % | #1 | 900 | 906 | +0.61 % | 4,000 B |',
      '| <= 2 % | #1 | 900 | 906 | +0.61 % | 4,000 B |',
      '| <= 5 % | #6 | 500 | 495 | -1.00 % | 4,000 B |',
    ]);
    // the run summary names each budget's point with its whole-firmware cycles when it was timed so
    const summary = summarise({ kind: 'complete', dir: '/tmp/toy-run', analysis: a, boards: [], evaluated: 3, seconds: 2, pool: 'inline' });
    expect(summary.reductions!.map((r) => [r.point, r.firmwareCycles])).toEqual([[1, 906], [1, 906], [1, 906], [6, 495]]);
    expect(summary.firmwareTimed).toBe(2);
    const text = formatSummary(summary);
    expect(text).toContain('loss <= 0 %: point 1, top-1 80.00 %, 900 cycles (10.0 % vs exact unpacked, 25.0 % vs baseline), flash 480 B; as firmware 906 cycles\n');
    expect(text).toContain('loss <= 1 %: point 1, top-1 80.00 %, 900 cycles (10.0 % vs exact unpacked, 25.0 % vs baseline), flash 480 B; as firmware 906 cycles\n');
    expect(text).toContain('firmware  2 points of the full-test-set front timed as whole firmware');
    // front.csv: the timed points carry their whole-firmware mean and flash, the others nothing
    expect(frontCsv(a).split('\n').slice(1, 4).map((l) => l.split(',').slice(14, 16).join(','))).toEqual(['495,4000', ',', '905.5,4000']);
  });

  it('gives reductions against CMSIS-NN when the run measured it, and says when it was not found', () => {
    const layers = [{ name: 'conv_2d#1', style: 'cmsis-nn', cycles: 1400 }];
    const found = analyseRun({ ...store(), cmsisNn: { found: true, dir: '/x/CMSIS-NN', cycles: 1500, flashBytes: 120, fits: true, matchesEngine: true, layers } });
    const md = renderReport(found, 'toy-run', { cycles: 'c.svg', flash: 'f.svg' });
    expect(md).toContain('| CMSIS-NN (Arm) | 1,500 | 120 B | yes | 80.00 % | 80.00 % |');
    expect(md).toContain('| top-1 loss allowed | point | top-1 (full) | loss | cycles | reduction vs exact unpacked | reduction vs exact baseline | reduction vs CMSIS-NN | flash | flash vs unpacked |');
    expect(md).toContain('| <= 0 % | #1 | 80.00 % | 0.00 pp | 900 | 10.0 % | 25.0 % | 40.0 % | 480 B | -4.0 % |');
    expect(md).toContain('and 40.0 % against Arm\'s CMSIS-NN, the library the paper compares against.');
    expect(md).toContain('compiled from /x/CMSIS-NN');
    const missing = renderReport(analyseRun({ ...store(), cmsisNn: { found: false, reason: 'no such folder' } }), 'toy-run', { cycles: 'c.svg', flash: 'f.svg' });
    expect(missing).toContain('CMSIS-NN was not found: no such folder.');
    expect(missing).not.toContain('reduction vs CMSIS-NN');
    // a run that did not measure it (another latency source) says nothing about it
    expect(renderReport(analyseRun(store()), 'toy-run', { cycles: 'c.svg', flash: 'f.svg' })).not.toContain('CMSIS-NN');
  });

  it("states the MAC proxy's rank correlation with cycles and what its best lossless point costs", () => {
    // layers: op 3 skips id * 2 weights, each taking part in 5 MACs, out of 100 MACs
    const withLayers = points.map((p) => ({ ...p, layers: [{ opIndex: 3, skipped: p.id * 2, weights: 100, cycles: 0 }] }));
    const a = analyseRun({ ...store(), points: withLayers, macProxy: { totalMacs: 100, macsPerWeight: { '3': 5 } } });
    const md = renderReport(a, 'toy-run', { cycles: 'c.svg', flash: 'f.svg' });
    expect(md).toContain("## The seed toolkit's latency proxy");
    expect(md).toContain(`Over the 7 stored points, Spearman's rank correlation of that fraction with the emulated cycles is ${a.macProxy!.rho!.toFixed(3)}`);
    // lossless on the search images (80 correct): points 0 and 1; the proxy's best, #1, is also the fastest
    expect(md).toContain("the proxy's best point #1 removes 10.00 % of the MACs and takes 900 cycles (25.0 % vs exact baseline)");
    expect(md).toContain('| #6 | 70.00 % | 76.00 % | 500 | 60.00 % | 290 B |');
  });

  it('marks a run whose front lacks full-test-set results as not finished', () => {
    const s = store();
    const a = analyseRun({ ...s, finals: s.finals.slice(0, 2) });
    expect(a.complete).toBe(false);
    expect(renderReport(a, 'toy-run', { cycles: 'c.svg', flash: 'f.svg' })).toContain('**This run is not finished**');
  });

  it('shares a full-test-set result among points with equal masks (the exact one for points skipping nothing)', () => {
    const s = store();
    const rows = [{ ...points[0], masksHash: EXACT_MASKS_HASH }, points[1], { ...points[2], hash: 'h2b', masksHash: 'm1' }];
    const full = fullResultsByMasks({ points: rows, finals: s.finals });
    expect([full.get(EXACT_MASKS_HASH)?.hash, full.get('m1')?.hash, full.size]).toEqual(['exact', 'h1', 2]);
    const a = analyseRun({ ...s, points: [{ ...points[0], masksHash: EXACT_MASKS_HASH, cycles: 950 }], finals: [s.finals[0]] });
    expect(a.reductions!.map((r) => r.point.id)).toEqual([0, 0, 0, 0]); // the exact configuration, faster than both references
  });

  it('re-evaluates on the full test set only front points within the loss limit', () => {
    const s = store();
    const without6 = s.finals.filter((f) => f.hash !== 'h6');
    const limit = (maxLoss: number) => ({ ...s, finals: without6, config: { ...config, search: { ...config.search, maxLoss } } });
    expect(analyseRun(limit(5)).complete).toBe(true); // point 6 is 10 pp below the exact top-1 on the search images
    expect(analyseRun(limit(10)).complete).toBe(false);
    expect(finalHashes(points.slice(0, 3), null, (r) => wantsFinal(r, s.reference, 1))).toEqual(['exact', 'h0', 'h1']);
    expect(renderReport(analyseRun(limit(5)), 'toy-run', { cycles: 'c.svg', flash: 'f.svg' })).toContain('| #6 | 70.00 % | - |');
  });

  it('plots every series, the references and the legend', () => {
    const svg = accuracyPlot(analyseRun(store()), 'cycles');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="720" height="440"')).toBe(true);
    for (const label of ['points (6 of 7)', 'Pareto front', 'front, full test set', 'exact baseline', 'exact unpacked']) expect(svg).toContain(`>${label}</text>`);
    expect(svg.match(/<rect x=/g)!.length).toBe(3); // the plot frame and the two reference markers
  });
});

describe('SVG helpers', () => {
  it('chooses round ticks and short labels', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1234, 9876)).toEqual([2000, 4000, 6000, 8000]);
    expect([shortNumber(1_250_000), shortNumber(64_000), shortNumber(0.5), shortNumber(12)]).toEqual(['1.25M', '64k', '0.5', '12']);
  });
  it('escapes text and is deterministic', () => {
    const spec = { title: 'a < b & c', xLabel: 'x', yLabel: 'y', series: [{ label: 's', style: 'dots' as const, color: 'red', points: [{ x: 1, y: 2 }] }] };
    const svg = renderScatter(spec);
    expect(svg).toContain('a &lt; b &amp; c');
    expect(renderScatter(spec)).toBe(svg);
  });
});

describe('describeSpace', () => {
  it('names the space of a well-formed config, and prints any other space as JSON (found by bench/fuzz.mjs: a layer without levels crashed the report)', () => {
    const layers = [{ opIndex: 1, levels: [0, 0.5] }, { opIndex: 3, levels: [0, 0.5] }];
    expect(describeSpace({ name: 'seed', kind: 'threshold', layers })).toBe('seed: threshold per layer on op1, op3; levels 0, 0.5');
    expect(describeSpace({ kind: 'fraction', layers: [layers[0], { opIndex: 3 }] })).toBe('{"kind":"fraction","layers":[{"opIndex":1,"levels":[0,0.5]},{"opIndex":3}]}');
    expect(describeSpace({ layers: [null] })).toBe('{"layers":[null]}');
  });
});

describe('a run where no point of the search fits the board', () => {
  it('says so under the front line, naming the analytic proxy when it is the latency, and falls back to the exact references', () => {
    const s = store();
    const a = analyseRun({ ...s, points: s.points.map((p) => ({ ...p, fits: false })) });
    const summary = summarise({ kind: 'complete', dir: '/tmp/toy-run', analysis: a, boards: [], evaluated: 3, seconds: 2, pool: 'inline' });
    expect([summary.fitting, summary.frontSize, summary.points]).toEqual([0, 0, s.points.length]);
    const text = formatSummary(summary);
    expect(text).toContain(
      'note      no point of the search fits nucleo-f446re (the analytic proxy counts every layer unpacked; --latency emulated chooses kernels per layer): the front is empty\n',
    );
    expect(text).toContain('loss <= 0 %: exact unpacked, top-1 80.00 %, 1000 cycles');
    // with points that fit, no note
    expect(formatSummary(summarise({ kind: 'complete', dir: '/tmp/toy-run', analysis: analyseRun(s), boards: [], evaluated: 3, seconds: 2, pool: 'inline' }))).not.toContain('note ');
  });
});
