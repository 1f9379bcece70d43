/**
 * C of one output channel's straight-line reduction for `P` adjacent output
 * positions: accumulators `a0..a{P-1}` start at the folded bias, then one
 * statement group per site (or SMLAD pair) with the weight as a literal, then
 * requantization and the stores. Pure string generation.
 */
import type { ChannelSites, Site } from './sites.js';
import type { MacForm } from './structure.js';

/** One multiply-accumulate group: a lone weight, or two weights at offsets `offset` and `offset + 1`. */
export type MacGroup =
  | { readonly kind: 'single'; readonly offset: number; readonly weight: number }
  | { readonly kind: 'pair'; readonly offset: number; readonly low: number; readonly high: number };

/**
 * Groups sorted sites for a MAC form: `mla` keeps every site single; `smlad`
 * pairs a site at an even offset with a site at the next offset (a
 * word-aligned 16-bit pair in the patch), the rest stay single.
 */
export function macGroups(sites: readonly Site[], form: MacForm): MacGroup[] {
  const out: MacGroup[] = [];
  for (let i = 0; i < sites.length; i++) {
    const s = sites[i];
    const next = sites[i + 1];
    if (form === 'smlad' && s.offset % 2 === 0 && next !== undefined && next.offset === s.offset + 1) {
      out.push({ kind: 'pair', offset: s.offset, low: s.weight, high: next.weight });
      i++;
    } else out.push({ kind: 'single', offset: s.offset, weight: s.weight });
  }
  return out;
}

/** The SMLAD operand of a weight pair: `high` in the top halfword, `low` in the bottom, as a signed int32 literal. */
export function pairConstant(low: number, high: number): number {
  return ((high << 16) | (low & 0xffff)) | 0;
}

const lit = (v: number): string => (v < 0 ? `(${v})` : `${v}`);

/** Where a channel block reads and writes. */
export interface BlockFrame {
  /** Prefix of the translation unit's helpers (`<prefix>_ld2`, `<prefix>_rq`): the layer function's name. */
  readonly prefix: string;
  /** Positions per pass. */
  readonly positions: number;
  /** Patch elements between adjacent output positions. */
  readonly positionStep: number;
  /** Patch pointer expression of position 0 (type of the patch). */
  readonly patch: string;
  /** Output pointer expression of position 0 of this channel. */
  readonly out: string;
  /** Output bytes between adjacent positions (the channel count). */
  readonly outStep: number;
  /** C condition that position j (j >= 1) is a real column, or null when all are. */
  readonly valid: ((j: number) => string) | null;
}

/** Requantization of one channel: multiplier, shift, output zero point and clamp. */
export interface ChannelRequant {
  readonly multiplier: number;
  readonly shift: number;
  readonly outZp: number;
  readonly actMin: number;
  readonly actMax: number;
}

/** Largest |accumulator| a channel can reach: |folded bias| + 128 * sum |w| (raw int8 inputs). */
export function accumulatorBound(ch: ChannelSites): number {
  let sum = 0;
  for (const s of ch.sites) sum += Math.abs(s.weight);
  return Math.abs(ch.foldedBias) + 128 * sum;
}

/**
 * True when the channel may use the short requantization {@link FAST_REQUANT_C}:
 * the (left-shifted) accumulator stays below 2^30 in magnitude, so no step can overflow.
 */
export function fastRequantApplies(ch: ChannelSites, q: ChannelRequant): boolean {
  return fastRequantFits(accumulatorBound(ch), q);
}

/** True when an accumulator bounded by `bound` in magnitude may use the short requantization of channel `q`. */
export function fastRequantFits(bound: number, q: ChannelRequant): boolean {
  return bound * 2 ** Math.max(q.shift, 0) < 2 ** 30;
}

/**
 * C of `<prefix>_rq(acc, m, left, right)`: the short form of TFLite's MultiplyByQuantizedMultiplier, exact while
 * |acc << left| < 2^30. gemmlowp's SaturatingRoundingDoublingHighMul (nudge
 * +2^30 or 1-2^30, then division truncating toward zero) equals
 * floor((a*b + 2^30) / 2^31) for every sign of a*b (it rounds half up), and
 * RoundingDivideByPOT (half away from zero) equals
 * (x + 2^(e-1) - (x < 0)) >> e with an arithmetic shift; neither saturates
 * nor overflows in that range. Compiles to SMULL, ADDS/ADC, a funnel shift,
 * ADD/SUB and ASR instead of snn_requantize's branches.
 */
export function fastRequantC(prefix: string): string {
  return `static inline int32_t ${prefix}_rq(int32_t acc, int32_t m, int32_t left, int32_t right) {
  int32_t x = (int32_t)(((int64_t)(int32_t)((uint32_t)acc << left) * m + (1 << 30)) >> 31);
  if (right > 0) x = (x + (1 << (right - 1)) - (int32_t)((uint32_t)x >> 31)) >> right;
  return x;
}`;
}

/** C expression of the requantized int8 output of accumulator `acc` (`fast`: use `<prefix>_rq`). */
export function requantExpr(acc: string, q: ChannelRequant, fast: boolean, prefix: string): string {
  const scaled = fast
    ? `${prefix}_rq(${acc}, ${q.multiplier}, ${Math.max(q.shift, 0)}, ${Math.max(-q.shift, 0)})`
    : `snn_requantize(${acc}, ${q.multiplier}, ${q.shift})`;
  // the whole int8 range (no activation, or ReLU with the zero point at -128): one SSAT
  if (q.actMin === -128 && q.actMax === 127) return `(int8_t)__builtin_arm_ssat(${scaled} + ${lit(q.outZp)}, 8)`;
  return `(int8_t)snn_clamp(${scaled} + ${lit(q.outZp)}, ${q.actMin}, ${q.actMax})`;
}

/** Lines of one channel's block (a C compound statement), indented by `indent`. */
export function channelBlockC(ch: ChannelSites, form: MacForm, frame: BlockFrame, q: ChannelRequant, indent: string): string[] {
  const P = frame.positions;
  const accs = Array.from({ length: P }, (_, j) => `a${j}`);
  const lines: string[] = [`{`, `  int32_t ${accs.map((a) => `${a} = ${ch.foldedBias}`).join(', ')};`];
  for (const g of macGroups(ch.sites, form)) {
    if (g.kind === 'single') {
      for (let j = 0; j < P; j++) lines.push(`  a${j} += ${frame.patch}[${g.offset + j * frame.positionStep}] * ${lit(g.weight)};`);
    } else {
      const k = pairConstant(g.low, g.high);
      for (let j = 0; j < P; j++) lines.push(`  a${j} = __smlad(${frame.prefix}_ld2(${frame.patch} + ${g.offset + j * frame.positionStep}), ${k}, a${j});`);
    }
  }
  const fast = fastRequantApplies(ch, q);
  for (let j = 0; j < P; j++) {
    const store = `${frame.out}[${j * frame.outStep}] = ${requantExpr(`a${j}`, q, fast, frame.prefix)};`;
    lines.push(j > 0 && frame.valid !== null ? `  if (${frame.valid(j)}) ${store}` : `  ${store}`);
  }
  lines.push(`}`);
  return lines.map((l) => indent + l);
}
