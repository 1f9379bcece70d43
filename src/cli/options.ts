/**
 * The options several commands share (--model, --models, --data, --board,
 * --preprocess, --resize, --threads), each declared once with one help text,
 * and the model they name loaded once. Every command that takes --model
 * takes the whole set of model options ({@link modelOptions}).
 */
import type { Command } from 'commander';
import { listBoards } from '../emulator/boards.js';
import type { SkipMasks } from '../model/ir.js';
import { parsePreprocess, parseResize, resolveModel, type ResolvedModel } from '../model/registry.js';
import { readSkipConfig } from '../model/skip-config.js';

/** The name of a shared option (its flag without the dashes). */
export type SharedOption = 'model' | 'models' | 'data' | 'board' | 'preprocess' | 'resize' | 'threads';

const boardIds = (): string => listBoards().map((b) => b.id).join(', ');

/** Flags and help text of each shared option (the help is computed when the command is built). */
const SHARED: Record<SharedOption, { readonly flags: string; readonly help: () => string }> = {
  model: { flags: '--model <name|file>', help: () => 'model name from models/manifest.json (lenet, resnet8) or a .tflite path' },
  models: { flags: '--models <dir>', help: () => 'folder of the manifest models (default: $SIM_DSE_MODELS or ../shared/models)' },
  data: { flags: '--data <dir>', help: () => 'CIFAR-10 binary folder (default: $SIM_DSE_DATA or ../shared/datasets/cifar10)' },
  board: { flags: '--board <id>', help: () => `board profile (${boardIds()})` },
  preprocess: { flags: '--preprocess <spec>', help: () => 'input preprocessing for models not in the manifest: int8:OFFSET or float:SCALE:OFFSET' },
  resize: {
    flags: '--resize <method>',
    help: () => "how CIFAR-10's 32x32 images become a model input of another size: bilinear (tf.image.resize, half_pixel_centers; the default, with a note) or none (refuse)",
  },
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

/**
 * The model options, one set for every command that takes --model: the model,
 * the manifest models' folder, the preprocessing and the resize method.
 * @param model how the command takes --model (`'required'`, or optional with a note)
 */
export function modelOptions(model: SharedOptionUse): Partial<Record<SharedOption, SharedOptionUse>> {
  return { model, models: true, preprocess: true, resize: true };
}

/** The options that name a model (and optionally a skip configuration for it). */
export interface ModelOptions {
  readonly model: string;
  readonly models?: string;
  readonly preprocess?: string;
  readonly resize?: string;
  readonly skip?: string;
}

/** Writes a note of the model side to stderr (`sim-dse: note: ...`). */
export function printNote(note: string): void {
  process.stderr.write(`sim-dse: note: ${note}\n`);
}

/** Loads the model (and skip configuration) the options name; its notes (e.g. automatic resizing) go to `note`. */
export function loadModelFromOptions(opts: ModelOptions, note: (line: string) => void = printNote): { model: ResolvedModel; masks: SkipMasks | undefined } {
  const model = resolveModel(opts.model, {
    modelsDir: opts.models,
    preprocess: opts.preprocess ? parsePreprocess(opts.preprocess) : undefined,
    resize: opts.resize ? parseResize(opts.resize) : undefined,
  });
  for (const n of model.notes) note(n);
  const masks = opts.skip ? readSkipConfig(opts.skip, model.graph) : undefined;
  return { model, masks };
}
