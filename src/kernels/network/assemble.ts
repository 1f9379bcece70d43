/**
 * The network runtime as C: one translation unit `net.c` with the static
 * activation arena, the scratch buffer, `sim_infer(in, out)` calling one
 * function per layer (each layer its own translation unit, so a layer variant
 * compiles on its own), and per-layer DWT cycle marks. The same sources go
 * into emulator images and exported firmware.
 *
 * C interface (net.h):
 *   void sim_infer(const int8_t *in, int8_t *out);
 *   #define SIM_LAYER_COUNT, SIM_INPUT_BYTES, SIM_OUTPUT_BYTES
 *   extern const char *const sim_layer_names[SIM_LAYER_COUNT];
 *   extern volatile uint32_t sim_marks[SIM_LAYER_COUNT + 1];
 * `sim_marks[k]` is DWT CYCCNT (0xE0001004) before layer k and
 * `sim_marks[SIM_LAYER_COUNT]` after the last: layer k took
 * `sim_marks[k + 1] - sim_marks[k]` cycles. An optional built-in input gives
 * `int sim_bench(void)` (one inference, returns the argmax class), so an image
 * can be timed by symbol alone.
 */
import { isWeightedOp, type PreparedGraph, type PreparedOp, type PreparedWeighted } from '../../model/engine/prepare.js';
import type { SkipMask, SkipMasks } from '../../model/ir.js';
import { SimDseError } from '../../util/errors.js';
import type { CSource } from '../compile/compile.js';
import { layerPrototype, type EmittedLayer } from '../layer-types.js';
import type { CodeTarget } from '../unpacked/choose.js';
import { OVERLAY_SYMBOLS } from '../../emulator/overlay.js';
import { overlaySection } from '../placement/link-script.js';
import { PAGE_BYTES } from '../placement/pages.js';
import { planNetwork, type NetworkPlan, type PlannedLayer, type Storage } from './plan.js';

/**
 * Which kernels implement the maskable layers: baseline (library loop,
 * weights as data), unpacked (weights as code), sparse (skip-aware loop over
 * kept 2x2 weight units; CONV_2D only, other layers baseline).
 */
export type KernelStyle = 'baseline' | 'unpacked' | 'sparse';

/** Every kernel style, in the order the CLI lists them. */
export const KERNEL_STYLES: readonly KernelStyle[] = ['baseline', 'unpacked', 'sparse'];

/** A network variant: kernel style of the maskable layers and their skip masks. */
export interface NetworkSpec {
  readonly style: KernelStyle;
  /** Skip masks by operator index (layers not present are exact). */
  readonly masks?: SkipMasks;
  /** Per-layer kernel style overriding `style` (maskable layers only; a baseline layer computes its mask as zeroed weights). */
  readonly layerStyles?: ReadonlyMap<number, KernelStyle>;
}

/** The layer emitters the assembler uses (injected: kernels/baseline and kernels/unpacked). */
export interface LayerEmitters {
  baseline(op: PreparedOp, fn: string, mask?: SkipMask): EmittedLayer;
  unpacked(op: PreparedWeighted, fn: string, mask?: SkipMask, options?: { readonly target?: CodeTarget; readonly pageBytes?: number }): EmittedLayer;
  /** The sparse kernel of the operator, or null when it has none (the baseline runs it). */
  sparse(op: PreparedOp, fn: string, mask?: SkipMask): EmittedLayer | null;
  /** Library translation units the baseline layers call. */
  librarySources(): CSource[];
}

/** One layer of an assembled network. */
export interface AssembledLayer {
  readonly opIndex: number;
  readonly fn: string;
  readonly name: string;
  readonly style: KernelStyle;
  /** Source file name of the layer's translation unit. */
  readonly file: string;
  /** Overlay pages the layer loads itself ({@link EmittedLayer.pages}); absent when not paged. */
  readonly pages?: number;
}

/** A whole network as C sources, in link order (net.c first, then layers, then the library). */
export interface NetworkSource {
  readonly plan: NetworkPlan;
  readonly layers: readonly AssembledLayer[];
  readonly sources: readonly CSource[];
  readonly scratchBytes: number;
}

/** Options of {@link assembleNetwork}. */
export interface AssembleOptions {
  /** int8 input bytes to build into the image as `sim_bench`. */
  readonly benchInput?: Uint8Array;
  /**
   * Where each layer's code will run, by operator index, for the unpacked structure choice
   * (unpacked/choose.ts); absent: the zero-wait choice, the same on every board.
   */
  readonly codeTarget?: (opIndex: number) => CodeTarget | undefined;
  /**
   * Operator indices whose layer code is an overlay (placement `overlay`): the runtime copies it into
   * the window (loader {@link OVERLAY_LOADER}) right before calling the layer, inside the layer's mark.
   */
  readonly overlaid?: ReadonlySet<number>;
}

/**
 * The overlay loader (Thumb-2, in flash): copies [r1, r2) to r0 in 32-byte blocks (LDM/STM of eight
 * registers; overlays are 32-byte multiples; nothing when r1 = r2, as in firmware for a target without
 * the window, where the overlays' code runs from SRAM), then DSB and ISB as the architecture asks before
 * running code just written (ARMv7-M ARM, A3.7.3); the emulator learns which overlay is loaded at
 * the next instruction from r2 (src/emulator/overlay.ts).
 */
export const OVERLAY_LOADER = `__asm__(
  "  .section .text.sim_overlay_load,\\"ax\\",%progbits\\n"
  "  .syntax unified\\n"
  "  .thumb\\n"
  "  .p2align 2\\n"
  "  .global sim_overlay_load\\n"
  "  .type sim_overlay_load, %function\\n"
  "  .thumb_func\\n"
  "sim_overlay_load:\\n"
  "  push {r4-r10}\\n"
  "  cmp r1, r2\\n"
  "  bhs 2f\\n"
  "1:\\n"
  "  ldmia r1!, {r3-r10}\\n"
  "  stmia r0!, {r3-r10}\\n"
  "  cmp r1, r2\\n"
  "  blo 1b\\n"
  "2:\\n"
  "  dsb\\n"
  "  isb\\n"
  "  .global ${OVERLAY_SYMBOLS.loaded}\\n"
  "  .thumb_func\\n"
  "${OVERLAY_SYMBOLS.loaded}:\\n"
  "  pop {r4-r10}\\n"
  "  bx lr\\n"
  "  .size sim_overlay_load, . - sim_overlay_load\\n"
  "  .text\\n");
void sim_overlay_load(uint32_t *dst, const uint32_t *src, const uint32_t *end);
`;


/** C expression of a storage place. */
function place(s: Storage | null): string {
  if (s === null) return '0';
  if (s.kind === 'input') return 'in';
  if (s.kind === 'output') return 'out';
  return `sim_arena + ${s.offset}`;
}

/** C initializer of int8 bytes, 24 per line. */
function cBytes(bytes: Uint8Array): string {
  const v = Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const lines: string[] = [];
  for (let i = 0; i < v.length; i += 24) lines.push('  ' + v.slice(i, i + 24).join(', ') + ',');
  return lines.join('\n');
}

function netHeader(plan: NetworkPlan, bench: boolean): string {
  return `/* Generated by sim-dse: network runtime interface. */
#ifndef SIM_NET_H
#define SIM_NET_H
#include <stdint.h>
#define SIM_LAYER_COUNT ${plan.layers.length}
#define SIM_INPUT_BYTES ${plan.inputBytes}
#define SIM_OUTPUT_BYTES ${plan.outputBytes}
void sim_infer(const int8_t *in, int8_t *out);
extern const char *const sim_layer_names[SIM_LAYER_COUNT];
extern volatile uint32_t sim_marks[SIM_LAYER_COUNT + 1];
${bench ? 'int sim_bench(void);\n' : ''}#endif
`;
}

/** The symbol stem of a layer's overlay load image (`__load_start_<stem>`, `__load_stop_<stem>`). */
function overlayStem(fn: string): string {
  return overlaySection(fn).slice(1);
}

/** The call of the overlay loader for layer function `fn` (loads its code into the region). */
function overlayLoad(fn: string): string {
  return `sim_overlay_load(${OVERLAY_SYMBOLS.lo}, __load_start_${overlayStem(fn)}, __load_stop_${overlayStem(fn)});`;
}

/** Declarations of the loader (when `loader`, or any of `fns`) and of the overlay load images of `fns`. */
function overlayDeclarations(fns: readonly string[], loader = fns.length > 0): string[] {
  if (!loader) return [];
  return [
    OVERLAY_LOADER,
    `extern uint32_t ${OVERLAY_SYMBOLS.lo}[];`,
    ...fns.map((fn) => `extern const uint32_t __load_start_${overlayStem(fn)}[], __load_stop_${overlayStem(fn)}[];`),
  ];
}

/**
 * A translation unit defining `<fn>_overlaid` for each of `fns`, which loads layer `fn`'s overlay and
 * calls it: what the network runtime does for an overlaid layer, for timing a layer alone (variant-cost.ts).
 */
export function overlayCallSource(fns: readonly string[]): CSource {
  const wrappers = fns.map(
    (fn) => `${layerPrototype(fn)};
${layerPrototype(`${fn}_overlaid`)} {
  ${overlayLoad(fn)}
  ${fn}(in0, in1, out, scratch);
}`,
  );
  return {
    name: `${fns.join('_')}_overlay_call.c`,
    code: `/* Generated by sim-dse: load an overlay, then call it. */
#include <stdint.h>
${overlayDeclarations(fns).join('\n')}
${wrappers.join('\n')}
`,
  };
}

/** A translation unit defining only the overlay loader: for timing a paged layer alone (it loads its own pages). */
export function overlayLoaderSource(): CSource {
  return { name: 'sim_overlay_loader.c', code: `/* Generated by sim-dse: the overlay loader. */\n#include <stdint.h>\n${overlayDeclarations([], true).join('\n')}\n` };
}

function netUnit(
  plan: NetworkPlan,
  layers: readonly PlannedLayer[],
  scratchBytes: number,
  benchInput?: Uint8Array,
  overlaid: ReadonlySet<number> = new Set(),
  paged: ReadonlySet<number> = new Set(),
): string {
  // a paged layer loads its pages itself; the runtime loads the others' whole code
  const isOverlay = (l: PlannedLayer): boolean => overlaid.has(l.op.opIndex) && !paged.has(l.op.opIndex);
  const loader = layers.some((l) => overlaid.has(l.op.opIndex));
  const decls = [...overlayDeclarations(layers.filter(isOverlay).map((l) => l.fn), loader), ...layers.map((l) => `${layerPrototype(l.fn)};`)].join('\n');
  const names = layers.map((l) => `  "${l.name}",`).join('\n');
  const load = (l: PlannedLayer): string => (isOverlay(l) ? `  ${overlayLoad(l.fn)}\n` : '');
  const calls = layers
    .map((l, k) => `  sim_marks[${k}] = SIM_CYCCNT;\n${load(l)}  ${l.fn}(${place(l.in0)}, ${place(l.in1)}, ${place(l.out)}, sim_scratch);`)
    .join('\n');
  const bench = benchInput
    ? `
static const int8_t sim_bench_in[SIM_INPUT_BYTES] = {
${cBytes(benchInput)}
};
static int8_t sim_bench_out[SIM_OUTPUT_BYTES];

int sim_bench(void) {
  sim_infer(sim_bench_in, sim_bench_out);
  int best = 0;
  for (int i = 1; i < SIM_OUTPUT_BYTES; i++)
    if (sim_bench_out[i] > sim_bench_out[best]) best = i;
  return best;
}
`
    : '';
  return `/* Generated by sim-dse: network runtime (${layers.length} layers, arena ${plan.arenaBytes} bytes, scratch ${scratchBytes} bytes). */
#include <stdint.h>
#include "net.h"

#define SIM_CYCCNT (*(volatile uint32_t *)0xE0001004u)

static int8_t sim_arena[${Math.max(4, plan.arenaBytes)}] __attribute__((aligned(4)));
static uint32_t sim_scratch[${Math.max(1, Math.ceil(scratchBytes / 4))}];
volatile uint32_t sim_marks[SIM_LAYER_COUNT + 1];

const char *const sim_layer_names[SIM_LAYER_COUNT] = {
${names}
};

${decls}

void sim_infer(const int8_t *in, int8_t *out) {
${calls}
  sim_marks[SIM_LAYER_COUNT] = SIM_CYCCNT;
}
${bench}`;
}

/** The layer in the wanted style where it has one, else baseline. */
export function emitLayer(
  emitters: LayerEmitters,
  l: { op: PreparedOp; fn: string },
  wanted: KernelStyle,
  mask: SkipMask | undefined,
  target?: CodeTarget,
  overlay = false,
): { style: KernelStyle; emitted: EmittedLayer } {
  if (wanted === 'unpacked' && isWeightedOp(l.op)) {
    // an unpacked layer placed as an overlay is cut into pages it loads itself (placement/pages.ts)
    const options = { ...(target ? { target } : {}), ...(overlay ? { pageBytes: PAGE_BYTES } : {}) };
    return { style: 'unpacked', emitted: Object.keys(options).length > 0 ? emitters.unpacked(l.op, l.fn, mask, options) : emitters.unpacked(l.op, l.fn, mask) };
  }
  if (wanted === 'sparse') {
    const emitted = emitters.sparse(l.op, l.fn, mask);
    if (emitted !== null) return { style: 'sparse', emitted };
  }
  return { style: 'baseline', emitted: emitters.baseline(l.op, l.fn, mask) };
}

/** Operator indices of the layers that load their own overlay pages. */
function pagedLayers(layers: readonly AssembledLayer[]): Set<number> {
  return new Set(layers.filter((l) => l.pages !== undefined).map((l) => l.opIndex));
}

/** Units (layer functions) of a network whose code is cut into overlay pages, with their page counts (for the link scripts). */
export function networkPages(layers: readonly AssembledLayer[]): Map<string, number> {
  return new Map(layers.filter((l) => l.pages !== undefined).map((l) => [l.fn, l.pages!]));
}

/** Assembles the C sources of a network variant. */
export function assembleNetwork(prepared: PreparedGraph, spec: NetworkSpec, emitters: LayerEmitters, options: AssembleOptions = {}): NetworkSource {
  const plan = planNetwork(prepared);
  const masks = spec.masks ?? new Map<number, SkipMask>();
  for (const opIndex of masks.keys()) {
    const layer = plan.layers.find((l) => l.op.opIndex === opIndex);
    if (!layer || !isWeightedOp(layer.op)) {
      throw new SimDseError('kernels', `skip mask for operator ${opIndex}: ${layer ? `${layer.name} takes no mask` : 'no such layer on the device'}`);
    }
    const want = layer.op.weights.length;
    if (masks.get(opIndex)!.length !== want) {
      throw new SimDseError('kernels', `skip mask for ${layer.name} has ${masks.get(opIndex)!.length} entries, expected ${want}`);
    }
  }
  if (options.benchInput && options.benchInput.byteLength !== plan.inputBytes) {
    throw new SimDseError('kernels', `bench input has ${options.benchInput.byteLength} bytes, the network takes ${plan.inputBytes}`);
  }
  const layers: AssembledLayer[] = [];
  const layerSources: CSource[] = [];
  let scratchBytes = 0;
  let usesLibrary = false;
  for (const l of plan.layers) {
    const mask = masks.get(l.op.opIndex);
    const wanted = spec.layerStyles?.get(l.op.opIndex) ?? spec.style;
    const { style, emitted } = emitLayer(emitters, l, wanted, mask, options.codeTarget?.(l.op.opIndex), options.overlaid?.has(l.op.opIndex) === true);
    if (style === 'baseline') usesLibrary = true;
    scratchBytes = Math.max(scratchBytes, emitted.scratchBytes);
    layers.push({ opIndex: l.op.opIndex, fn: l.fn, name: l.name, style, file: emitted.source.name, ...(emitted.pages !== undefined ? { pages: emitted.pages } : {}) });
    layerSources.push(emitted.source);
  }
  const bench = options.benchInput !== undefined;
  const sources: CSource[] = [
    { name: 'net.h', code: netHeader(plan, bench) },
    { name: 'net.c', code: netUnit(plan, plan.layers, scratchBytes, options.benchInput, options.overlaid, pagedLayers(layers)) },
    ...layerSources,
    ...(usesLibrary ? emitters.librarySources() : []),
  ];
  return { plan, layers, sources, scratchBytes };
}
