/**
 * Writes the derived files of a run directory (front.csv, front.json,
 * report.md and its SVG plots: accuracy against cycles and flash, and the per-layer sensitivity pass when the run has one) from the store's contents. Each file is
 * written atomically; `sim-dse report` calls this on an existing run.
 */
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { analyseRun, type RunAnalysis } from '../front/analysis.js';
import { frontCsv, frontJson } from '../front/front-files.js';
import { jsonText, STORE_FILES, type StoreContents } from '../store/run-store.js';
import { accuracyPlot } from './plots.js';
import { renderReport } from './report-md.js';
import { runSensitivity, sensitivityPlot } from './sensitivity-table.js';

/** Analyses the store and (re)writes its derived files; returns the analysis. */
export function writeReportFiles(store: StoreContents): RunAnalysis {
  const a = analyseRun(store);
  const dir = store.dir;
  writeFileAtomic(join(dir, STORE_FILES.frontCsv), frontCsv(a));
  writeFileAtomic(join(dir, STORE_FILES.frontJson), jsonText(frontJson(a)));
  writeFileAtomic(join(dir, STORE_FILES.plotCycles), accuracyPlot(a, 'cycles'));
  writeFileAtomic(join(dir, STORE_FILES.plotFlash), accuracyPlot(a, 'flashBytes'));
  const sensitivity = a.config.search.sensitivity === true ? runSensitivity(a.config.space, a.points) : null;
  if (sensitivity !== null) writeFileAtomic(join(dir, STORE_FILES.plotSensitivity), sensitivityPlot(sensitivity, `${a.config.model.name} on ${a.config.board}: each layer alone`));
  const plots = { cycles: STORE_FILES.plotCycles, flash: STORE_FILES.plotFlash, ...(sensitivity !== null && { sensitivity: STORE_FILES.plotSensitivity }) };
  writeFileAtomic(join(dir, STORE_FILES.report), renderReport(a, basename(dir), plots));
  return a;
}
