import type { Command } from 'commander';
import { registerCycles } from './cycles.js';
import { registerEval } from './eval.js';
import { registerInfer } from './infer.js';
import { registerExportTflite } from './export-tflite.js';
import { registerBuild } from './build.js';
import { registerProfile } from './profile.js';
import { registerRun } from './run.js';
import { registerReport } from './report.js';
import { registerShow } from './show.js';
import { registerExport } from './export.js';
import { registerValidate } from './validate.js';
import { registerEmulateFirmware } from './emulate-firmware.js';
import { registerWorker } from './worker.js';

/** A CLI command: adds itself to the program. Each lives in its own file. */
export type RegisterCommand = (program: Command) => void;

/** Every command of `sim-dse`, in the order `--help` lists them. */
export const commands: RegisterCommand[] = [
  registerCycles,
  registerEval,
  registerInfer,
  registerExportTflite,
  registerBuild,
  registerProfile,
  registerRun,
  registerReport,
  registerShow,
  registerExport,
  registerValidate,
  registerEmulateFirmware,
  registerWorker,
];
