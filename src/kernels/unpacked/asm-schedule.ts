/**
 * Hand-scheduled Thumb-2 for one pass of an unpacked layer: G output channels
 * at P adjacent output positions, as one leaf function
 * `void <name>(const int16_t *p, int32_t *acc)` that writes the G x P
 * sums (from the channels' biases when given, else raw) to `acc[g * P + j]`. Every SMLAD multiplies one
 * word of the int16 patch (two adjacent elements) with one packed weight pair
 * read from the function's weight table; each loaded input word feeds every
 * channel of the group and each loaded weight pair every position. Pure
 * string generation, with the schedule's cycle and byte counts on the
 * zero-wait cycle model (src/emulator/timing/table.ts).
 *
 * Registers: r0 walks the patch, r1 the weight table, r2.. hold the G x P
 * accumulators (ascending, so one STM stores them), the rest (up to r12, lr)
 * hold loaded operands. Loads are issued in runs (an LDR after an LDR costs
 * one cycle, TRM 3.3.2) and every body instruction is 32-bit, so each stays
 * word aligned and keeps pipelining. A pair index whose input word is beyond
 * the 12-bit immediate moves the base by a multiple of 2048.
 */
import type { PairWord } from './pair-words.js';

/** Registers the schedule may use besides r0 (patch) and r1 (weights). */
const FREE_REGISTERS = ['r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'lr'] as const;

/** Largest immediate offset of LDR.W (T3). */
const MAX_LDR_OFFSET = 4095;
/** Base moves are multiples of this (encodable as a Thumb-2 modified immediate up to 2^19). */
const BASE_STEP = 2048;

/** Cycles outside the body per call: BL + argument setup, PUSH of 10, MOVW/MOVT, POP r1, STM (1 + GP), POP with pc. */
export function callOverheadCycles(accumulators: number): number {
  return 3 + 2 + 11 + 2 + 2 + (1 + accumulators) + 12;
}

/** Whether G channels x P positions fit the register file with at least one streamed operand register. */
export function shapeFits(channels: number, positions: number): boolean {
  const scratch = FREE_REGISTERS.length - channels * positions;
  return scratch > Math.min(channels, positions);
}

/** One pair index of a group and the channels (with their weight words) that have a pair there. */
interface Offset {
  readonly index: number;
  readonly present: ReadonlyArray<{ readonly g: number; readonly word: number }>;
}

/**
 * The group's pair indices in processing order: chains u, u + step, u + 2 step, ...
 * (position j + 1 at one tap reads what position j reads at the next tap, so
 * consecutive offsets of a chain share all input words but one), chains in
 * increasing order of their first index. `step` 0: increasing index order.
 */
function processingOrder(channels: readonly (readonly PairWord[])[], step: number): Offset[] {
  const byIndex = new Map<number, Array<{ g: number; word: number }>>();
  channels.forEach((ch, g) => {
    for (const p of ch) {
      let list = byIndex.get(p.index);
      if (list === undefined) byIndex.set(p.index, (list = []));
      list.push({ g, word: p.word });
    }
  });
  const sorted = [...byIndex.keys()].sort((a, b) => a - b);
  const out: Offset[] = [];
  const done = new Set<number>();
  for (const u of sorted) {
    for (let v = u; byIndex.has(v) && !done.has(v); v += step) {
      done.add(v);
      out.push({ index: v, present: byIndex.get(v) as Array<{ g: number; word: number }> });
      if (step === 0) break;
    }
  }
  return out;
}

/** One group function's assembly and its costs. */
export interface GroupAsm {
  /** Assembly lines (no leading `.section`; the caller places them). */
  readonly text: string[];
  /** The weight table's `.word` lines. */
  readonly data: string[];
  /** Zero-wait cycles of one call, call overhead included. */
  readonly cycles: number;
  /** Bytes of code and of weight table. */
  readonly codeBytes: number;
  readonly dataBytes: number;
  /** Data words one call loads (patch and weight words): what it moves over the data bus. */
  readonly loads: number;
}

/**
 * Where a schedule's lines go: kept (the text to assemble) or only counted (an estimate: the
 * structure chooser plans every candidate structure of a layer and keeps the text of one).
 */
class Lines {
  readonly kept: string[] | null;
  length = 0;
  constructor(keep: boolean, first: readonly string[] = []) {
    this.kept = keep ? [...first] : null;
    this.length = first.length;
  }
  push(...lines: string[]): void {
    if (this.kept !== null) this.kept.push(...lines);
    this.length += lines.length;
  }
}

/** A movable base register: its current offset and the instructions that move it. */
class Base {
  offset = 0;
  constructor(readonly reg: string) {}

  /** Brings byte offsets [lo, hi] into LDR.W immediate range; returns the instructions needed (0 or 1). */
  reach(lo: number, hi: number, out: Lines): number {
    if (hi - this.offset <= MAX_LDR_OFFSET && lo >= this.offset) return 0;
    const delta = Math.floor((lo - this.offset) / BASE_STEP) * BASE_STEP;
    if (hi - this.offset - delta > MAX_LDR_OFFSET) throw new Error(`offsets ${lo}..${hi} span more than one LDR.W range`);
    out.push(delta > 0 ? `  add.w ${this.reg}, ${this.reg}, #${delta}` : `  sub.w ${this.reg}, ${this.reg}, #${-delta}`);
    this.offset += delta;
    return 1;
  }
}

/**
 * Assembly of one group function. `channels[g]` are the pair words of the
 * group's g-th channel (each non-empty); position j reads patch word
 * `index + j * stepWords`. With `biases` (one per channel) the table starts
 * with them and every accumulator starts at its channel's bias (one run of
 * G x P loads; every MAC an SMLAD), so the sums it writes include the bias.
 * With `keepText` false only its costs are computed (`text` and `data`
 * empty; the same cycles, bytes and loads).
 */
export function groupAsm(
  name: string,
  channels: readonly (readonly PairWord[])[],
  positions: number,
  stepWords: number,
  keepText = true,
  biases?: readonly number[],
): GroupAsm {
  const G = channels.length;
  const P = positions;
  if (!shapeFits(G, P)) throw new Error(`${G} channels x ${P} positions do not fit the register file`);
  const acc = (g: number, j: number): string => FREE_REGISTERS[g * P + j];
  const scratch = FREE_REGISTERS.slice(G * P);
  const text = new Lines(keepText, [
    `  .p2align 2`,
    `  .global ${name}`,
    `  .type ${name}, %function`,
    `  .thumb_func`,
    `${name}:`,
    `  push.w {r1, r4-r11, lr}`,
    `  movw r1, #:lower16:${name}_w`,
    `  movt r1, #:upper16:${name}_w`,
  ]);
  const data = new Lines(keepText, [`  .p2align 2`, `${name}_w:`]);
  const started = new Array<boolean>(G * P).fill(false);
  const patch = new Base('r0');
  const table = new Base('r1');
  const order = processingOrder(channels, P > 1 ? stepWords : 0);
  // Hold the P input words and stream the weights when registers allow (inputs then carry over between
  // offsets of a chain); otherwise hold the weights and stream the inputs.
  const holdInputs = scratch.length > P;
  let inputRegs = new Map<number, string>();
  let cycles = callOverheadCycles(G * P);
  let instructions = 5;
  let loads = 0;
  let words = 0;
  if (biases !== undefined) {
    // the biases head the table; one run of loads starts every accumulator at its channel's bias
    if (biases.length !== G) throw new Error(`${biases.length} biases for ${G} channels`);
    if (keepText) for (const b of biases) data.push(`  .word ${b}`);
    words = G;
    for (let g = 0; g < G; g++) for (let j = 0; j < P; j++) text.push(keepText ? `  ldr.w ${acc(g, j)}, [r1, #${4 * g}]` : '');
    cycles += G * P + 1;
    instructions += G * P;
    loads += G * P;
    started.fill(true);
  }
  for (const { index, present: entries } of order) {
    const present = entries.map((e) => {
      if (keepText) data.push(`  .word ${e.word}`);
      return { g: e.g, at: words++ };
    });
    const moves =
      patch.reach(index * 4, (index + (P - 1) * stepWords) * 4, text) +
      table.reach(present[0].at * 4, present[present.length - 1].at * 4, text);
    cycles += 2 * moves; // ADD, then the address-dependency stall of the next load
    instructions += moves;
    const weightLoad = (k: number, reg: string): string => (keepText ? `  ldr.w ${reg}, [r1, #${present[k].at * 4 - table.offset}]` : '');
    const inputLoad = (j: number, reg: string): string => (keepText ? `  ldr.w ${reg}, [r0, #${(index + j * stepWords) * 4 - patch.offset}]` : '');
    const smlad = (k: number, j: number, w: string, x: string): void => {
      const slot = present[k].g * P + j;
      const a = FREE_REGISTERS[slot];
      text.push(keepText ? (started[slot] ? `  smlad ${a}, ${w}, ${x}, ${a}` : `  smuad ${a}, ${w}, ${x}`) : '');
      started[slot] = true;
    };
    const runs: Array<{ loads: string[]; macs: () => void }> = [];
    if (holdInputs) {
      const wordOf = (j: number): number => index + j * stepWords;
      const needed = new Set(Array.from({ length: P }, (_, j) => wordOf(j)));
      const next = new Map<number, string>();
      for (const [word, reg] of inputRegs) if (needed.has(word)) next.set(word, reg);
      const free = scratch.slice(0, P).filter((r) => ![...next.values()].includes(r));
      const newLoads: string[] = [];
      for (let j = 0; j < P; j++) {
        if (next.has(wordOf(j))) continue;
        const reg = free.shift() as string;
        next.set(wordOf(j), reg);
        newLoads.push(inputLoad(j, reg));
      }
      inputRegs = next;
      const chunk = scratch.length - P;
      for (let k0 = 0; k0 < present.length; k0 += chunk) {
        const k1 = Math.min(present.length, k0 + chunk);
        const loads = k0 === 0 ? newLoads : [];
        for (let k = k0; k < k1; k++) loads.push(weightLoad(k, scratch[P + k - k0]));
        runs.push({
          loads,
          macs: () => {
            for (let k = k0; k < k1; k++) for (let j = 0; j < P; j++) smlad(k, j, scratch[P + k - k0], inputRegs.get(wordOf(j)) as string);
          },
        });
      }
    } else {
      const held = present.length;
      const chunk = scratch.length - held;
      for (let j0 = 0; j0 < P; j0 += chunk) {
        const j1 = Math.min(P, j0 + chunk);
        const loads = j0 === 0 ? present.map((_, k) => weightLoad(k, scratch[k])) : [];
        for (let j = j0; j < j1; j++) loads.push(inputLoad(j, scratch[held + j - j0]));
        runs.push({
          loads,
          macs: () => {
            for (let j = j0; j < j1; j++) for (let k = 0; k < held; k++) smlad(k, j, scratch[k], scratch[held + j - j0]);
          },
        });
      }
    }
    for (const run of runs) {
      text.push(...run.loads);
      loads += run.loads.length;
      if (run.loads.length > 0) cycles += run.loads.length + 1;
      instructions += run.loads.length;
      const before = text.length;
      run.macs();
      cycles += text.length - before;
      instructions += text.length - before;
    }
  }
  text.push(
    `  pop {r1}`,
    `  stmia r1, {${FREE_REGISTERS.slice(0, G * P).join(', ')}}`,
    `  pop {r4-r11, pc}`,
    `  .size ${name}, . - ${name}`,
  );
  return { text: text.kept ?? [], data: data.kept ?? [], cycles, codeBytes: 4 * instructions + 10, dataBytes: 4 * words, loads };
}
