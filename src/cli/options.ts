/**
 * The options several commands share (--model, --models, --data, --board,
 * --preprocess, --threads), each declared once with one help text, and the
 * model they name loaded once.
 */
import type { Command } from 'commander';
import { listBoards } from '../emulator/boards.js';
import type { SkipMasks } from '../model/ir.js';
import { parsePreprocess, resolveModel, type ResolvedModel } from '../model/registry.js';
import { readSkipConfig } from '../model/skip-config.js';

/** The name of a shared option (its flag without the dashes). */
export type SharedOption = 'model' | 'models' | 'data' | 'board' | 'preprocess' | 'threads';

const boardIds = (): string => listBoards().map((b) => b.id).join(', ');

/** Flags and help text of each shared option (the help is computed when the command is built). */
const SHARED: Record<SharedOption, { readonly flags: string; readonly help: () => string }> = {
  model: { flags: '--model <name|file>', help: () => 'model name from models/manifest.json (lenet, resnet8) or a .tflite path' },
  models: { flags: '--models <dir>', help: () => 'folder of the manifest models (default: $SIM_DSE_MODELS or ../shared/models)' },
  data: { flags: '--data <dir>', help: () => 'CIFAR-10 binary folder (default: $SIM_DSE_DATA or ../shared/datasets/cifar10)' },
  board: { flags: '--board <id>', help: () => `board profile (${boardIds()})` },
  preprocess: { flags: '--preprocess <spec>', help: () => 'input preprocessing for models not in the manifest: int8:OFFSET or float:SCALE:OFFSET' },
  threads: { flags: '--threads <n>', help: () => 'worker threads (default: the number of CPUs)' },
};

/**
 * How a command takes a shared option: `true` (optional, no default),
 * `'required'`, or `{ default, note }`: a default value commander shows in the
 * help, and/or a note on what this command does with the option, appended
 * after the one help text.
 */
export type SharedOptionUse = true | 'required' | { readonly default?: string; readonly note?: string };

/**
 * Adds the shared options to `command`, in the order of `uses`, each with its
 * one help text.
 * @example withOptions(cmd, { model: 'required', models: true, board: { default: 'nucleo-f446re' } })
 */
export function withOptions(command: Command, uses: Partial<Record<SharedOption, SharedOptionUse>>): Command {
  for (const [name, use] of Object.entries(uses) as [SharedOption, SharedOptionUse][]) {
    const { flags, help } = SHARED[name];
    if (use === 'required') command.requiredOption(flags, help());
    else if (use === true) command.option(flags, help());
    else command.option(flags, use.note === undefined ? help() : `${help()}; ${use.note}`, use.default);
  }
  return command;
}

/** The options that name a model (and optionally a skip configuration for it). */
export interface ModelOptions {
  readonly model: string;
  readonly models?: string;
  readonly preprocess?: string;
  readonly skip?: string;
}

/** Loads the model (and skip configuration) the options name. */
export function loadModelFromOptions(opts: ModelOptions): { model: ResolvedModel; masks: SkipMasks | undefined } {
  const model = resolveModel(opts.model, {
    modelsDir: opts.models,
    preprocess: opts.preprocess ? parsePreprocess(opts.preprocess) : undefined,
  });
  const masks = opts.skip ? readSkipConfig(opts.skip, model.graph) : undefined;
  return { model, masks };
}
