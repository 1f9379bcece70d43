/**
 * Per-layer kernel style and placement of a design point: every maskable
 * layer picks one option (a kernel style, baseline, unpacked or sparse,
 * with its code and constants in flash, SRAM or the SRAM window), the kernel
 * library's code one home for the whole image, so that the network is as
 * fast as possible while it fits the board: flash (every layer's image, the
 * placed ones included, since placed code and constants are loaded from
 * flash), SRAM (the fixed part, i.e. arena, stack and buffers, plus the
 * scratch buffer, which is the largest any chosen layer needs, plus what is
 * placed there) and the SRAM window (code placed there to stay, 32-byte
 * aligned, plus the largest overlay: overlaid layers take turns in one region
 * after it; using the window takes its bank away from the SRAM).
 *
 * A multiple-choice knapsack in four resources, solved exactly: per layer,
 * the set of partial choices that no other partial choice beats in cycles,
 * flash, SRAM, window and scratch at once (dominated ones cannot lead to a
 * better feasible whole, and a resource no choice can exceed is left out of
 * that test), over the budgets dropped; then the fastest whole that fits.
 * Equal cycles go to the smaller image (flash, then SRAM, window, scratch),
 * then to the earlier option of the lowest layer. Pure: the
 * figures come from the caller.
 *
 * Bounded: first passes keep only the {@link BEAMS} best partial choices of
 * each layer, which give a feasible whole fast; the exact pass then drops
 * every partial choice whose cycles plus the least cycles of the layers
 * still to choose exceed that whole's (it cannot lead to the fastest whole,
 * and a partial choice it would have dominated is dropped with it, so the
 * result is the unbounded search's). On ResNet-8 on nucleo-l4r5zi (ten
 * layers of 8-14 options, SRAM, scratch and window binding) that took one
 * choice from about 8 minutes to 2.7 ms; LeNet's choices on that board
 * (300 recorded from a run) from 6.8 ms (a beam of 200) to 0.23 ms each.
 */
import type { KernelStyle } from '../../kernels/network/assemble.js';
import type { CodeHome, UnitPlacement } from '../../kernels/placement/placement.js';

/** One way to run one layer: style, homes and what it costs. */
export interface StyleOption {
  readonly style: KernelStyle;
  readonly homes: UnitPlacement;
  /** Cycles of the layer so placed (with the library's code at the case's home). */
  readonly cycles: number;
  /** Flash bytes of the layer's code and constants (wherever they run from, they are loaded from flash). */
  readonly flashBytes: number;
  /** SRAM bytes of what is placed in SRAM (code with its veneers, constants). */
  readonly sramBytes: number;
  /** SRAM-window bytes of the code placed there to stay. */
  readonly aliasBytes: number;
  /** SRAM-window bytes of the code as an overlay (32-byte multiple; 0 when not an overlay): the region all overlays share. */
  readonly overlayBytes: number;
  /** Scratch bytes the layer needs. */
  readonly scratchBytes: number;
}

/** The options of every layer when the kernel library's code lives at `library`. */
export interface LibraryCase {
  readonly library: CodeHome;
  /** SRAM and window bytes the library's code takes at that home (0 in flash). */
  readonly sramBytes: number;
  readonly aliasBytes: number;
  /** Cycles outside the maskable layers (runtime, fixed layers) with the library there. */
  readonly fixedCycles: number;
  /** Per maskable layer, its options (at least one each). */
  readonly layers: readonly (readonly StyleOption[])[];
}

/** What the layers may use. */
export interface ChoiceBudget {
  /** Flash bytes left for the layers' own code and constants. */
  readonly flash: number;
  /** SRAM bytes left after the fixed part (not counting the scratch buffer), when the window is not used. */
  readonly sram: number;
  /** The same when the window is used (its bank is then not SRAM). */
  readonly sramWithAlias: number;
  /** Bytes of the SRAM window (0 without one). */
  readonly alias: number;
}

/** Scratch buffer bytes for a layer need of `n` (the runtime's array of words, at least one). */
export function scratchWords(n: number): number {
  return 4 * Math.max(1, Math.ceil(n / 4));
}

/** The chosen combination. */
export interface StyleChoice {
  readonly library: CodeHome;
  /** The option of each layer. */
  readonly picks: readonly StyleOption[];
  /** Cycles of the whole network (fixed part included). */
  readonly cycles: number;
  /** Flash of the layers' own code and constants. */
  readonly flashBytes: number;
  /** SRAM of the placed units and the scratch buffer (the fixed part not included). */
  readonly sramBytes: number;
  /** Window bytes: the code that stays and the overlay region. */
  readonly aliasBytes: number;
  /** False when no combination fits (then the picks are the smallest in flash, nothing placed). */
  readonly fits: boolean;
}

/** A partial choice: the layers up to one, as a chain of picks back to the empty choice. */
interface State {
  readonly cycles: number;
  readonly flash: number;
  readonly sram: number;
  readonly alias: number;
  /** The largest overlay chosen so far (0: none). */
  readonly overlay: number;
  readonly scratch: number;
  /** The choice of the layers before (null for the empty choice) and this layer's option index. */
  readonly prev: State | null;
  readonly pick: number;
}

/**
 * Partial choices kept per layer by the bounding passes: 4 was the fastest single width of 1 to 1,000 on both
 * models' recorded choices; the wider pass tightens the bound where the narrow one finds a slow whole.
 */
const BEAMS = [4, 64] as const;

/** Most partial choices the exact pass keeps per layer (see {@link fastestOfCase}). */
const EXACT_FRONT_LIMIT = 1_000;

/** The option index of every layer chosen by `s`, first layer first. */
function picksOf(s: State): number[] {
  const picks: number[] = [];
  for (let x: State | null = s; x !== null && x.prev !== null; x = x.prev) picks.push(x.pick);
  return picks.reverse();
}

/** A resource of a state that its budget can bind. */
type Resource = 'flash' | 'sram' | 'alias' | 'overlay' | 'scratch';

/** The figures states are compared by, in order. */
const ORDER_KEYS: readonly (keyof Omit<State, 'prev' | 'pick'>)[] = ['cycles', 'flash', 'sram', 'alias', 'overlay', 'scratch'];

/** Compares states by cycles, then resources, then picks (lexicographic): a total order, so the result is deterministic. */
function order(a: State, b: State): number {
  for (const k of ORDER_KEYS) if (a[k] !== b[k]) return a[k] - b[k];
  const [pa, pb] = [picksOf(a), picksOf(b)];
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/**
 * The states no other state dominates in cycles and the `binding` resources (the first of equal ones kept).
 * Sorted by {@link order} first, so a kept state never has more cycles than a later one: with no binding
 * resource the fastest state alone remains, with one a running minimum of it decides (n log n).
 */
function paretoFront(states: State[], binding: readonly Resource[], most: number): State[] {
  states.sort(order);
  if (binding.length === 0) return states.slice(0, 1);
  const kept: State[] = [];
  if (binding.length === 1) {
    const r = binding[0];
    let least = Infinity;
    for (const s of states) {
      if (s[r] < least) {
        kept.push(s);
        least = s[r];
        if (kept.length >= most) break;
      }
    }
    return kept;
  }
  for (const s of states) {
    if (kept.some((k) => binding.every((r) => k[r] <= s[r]))) continue;
    kept.push(s);
    if (kept.length >= most) break;
  }
  return kept;
}

/**
 * The resources the budget can bind in case `c`: a resource that every whole choice fits, even taking
 * each layer's largest option, cannot make one choice feasible and another not, so dropping it from the
 * dominance test keeps the fastest feasible whole (and its tie-break: states equal in cycles stay
 * ordered by {@link order}) while the front shrinks (on nucleo-l4r5zi only the SRAM window binds).
 */
function bindingResources(c: LibraryCase, budget: ChoiceBudget): Resource[] {
  const most = (f: (o: StyleOption) => number): number => c.layers.reduce((t, options) => t + Math.max(...options.map(f)), 0);
  const scratch = Math.max(0, ...c.layers.flatMap((options) => options.map((o) => o.scratchBytes)));
  const sramLoose = c.sramBytes + most((o) => o.sramBytes) + scratchWords(scratch) <= Math.min(budget.sram, budget.sramWithAlias);
  return [
    ...(most((o) => o.flashBytes) <= budget.flash ? [] : (['flash'] as const)),
    ...(sramLoose ? [] : (['sram', 'scratch'] as const)),
    // window use takes a bank from the SRAM: it stays in the test while the SRAM can bind
    ...(sramLoose && windowBytes(c.aliasBytes + most((o) => o.aliasBytes), Math.max(0, ...c.layers.flatMap((options) => options.map((o) => o.overlayBytes)))) <= budget.alias
      ? []
      : (['alias', 'overlay'] as const)),
  ];
}

/** Alignment of the overlay region's start (placement/fit.ts OVERLAY_ALIGN). */
const OVERLAY_ALIGN = 32;

/** Window bytes of `alias` bytes of code that stays and an overlay region of `overlay` bytes. */
function windowBytes(alias: number, overlay: number): number {
  return overlay > 0 ? Math.ceil(alias / OVERLAY_ALIGN) * OVERLAY_ALIGN + overlay : alias;
}

/** Whether a (partial) state can still fit the budget. */
function withinBudget(s: State, budget: ChoiceBudget): boolean {
  const window = windowBytes(s.alias, s.overlay);
  if (s.flash > budget.flash || window > budget.alias) return false;
  return s.sram + scratchWords(s.scratch) <= (window > 0 ? budget.sramWithAlias : budget.sram);
}

/**
 * The fastest feasible choice of one library case, or null when none fits: with `most` finite, the
 * partial choices of each layer are cut to the first `most` (a feasible, not always fastest, whole); with
 * `bound` (the cycles of a feasible whole), partial choices that cannot reach it are dropped.
 */
function solveCase(c: LibraryCase, budget: ChoiceBudget, binding: readonly Resource[], most = Infinity, bound = Infinity): Solved {
  let states: State[] = [{ cycles: c.fixedCycles, flash: 0, sram: c.sramBytes, alias: c.aliasBytes, overlay: 0, scratch: 0, prev: null, pick: -1 }];
  let cut = false;
  if (!withinBudget(states[0], budget)) return { state: null, cut };
  // the least cycles of layers i.. (whatever their resources)
  const rest = new Array<number>(c.layers.length + 1).fill(0);
  for (let i = c.layers.length - 1; i >= 0; i--) rest[i] = rest[i + 1] + Math.min(...c.layers[i].map((o) => o.cycles));
  for (const [i, options] of c.layers.entries()) {
    const next: State[] = [];
    for (const s of states) {
      options.forEach((o, k) => {
        const t: State = {
          cycles: s.cycles + o.cycles,
          flash: s.flash + o.flashBytes,
          sram: s.sram + o.sramBytes,
          alias: s.alias + o.aliasBytes,
          overlay: Math.max(s.overlay, o.overlayBytes),
          scratch: Math.max(s.scratch, o.scratchBytes),
          prev: s,
          pick: k,
        };
        if (t.cycles + rest[i + 1] <= bound && withinBudget(t, budget)) next.push(t);
      });
    }
    if (next.length === 0) return { state: null, cut };
    const front = paretoFront(next, binding, most);
    cut ||= front.length >= most;
    states = front.length < most ? front : withLeanest(front, next, binding, budget, most);
  }
  return { state: states[0], cut };
}

/** What {@link solveCase} found, and whether a layer's front was cut at its limit (then not always the fastest). */
interface Solved {
  readonly state: State | null;
  readonly cut: boolean;
}

/**
 * A front cut at `most` partial choices keeps only fast ones, which may all run out of a budget later: it
 * gets the `most / 2` partial choices that use least of the binding resources (relative to their budgets)
 * beside it, so a whole that fits is still found where the lean choices lead to one.
 */
function withLeanest(front: State[], all: readonly State[], binding: readonly Resource[], budget: ChoiceBudget, most: number): State[] {
  const cap = (r: Resource): number => Math.max(1, r === 'flash' ? budget.flash : r === 'alias' || r === 'overlay' ? budget.alias : budget.sram);
  const loads = all.map((x) => binding.reduce((t, r) => t + x[r] / cap(r), 0));
  const lighter = (i: number, j: number): number => loads[i] - loads[j] || order(all[i], all[j]);
  const leanest = smallest(all.length, Math.max(1, Math.floor(most / 2)), lighter).map((i) => all[i]);
  return [...new Set([...front, ...leanest])].sort(order);
}

/** The `k` smallest of indices 0..n-1 under the total order `cmp` (a scan for few, a sort for many). */
function smallest(n: number, k: number, cmp: (i: number, j: number) => number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (k >= n) return all;
  if (k > 8) return all.sort(cmp).slice(0, k);
  const out: number[] = [];
  for (const i of all) {
    if (out.length === k && cmp(i, out[k - 1]) >= 0) continue;
    let at = out.length === k ? k - 1 : out.length;
    while (at > 0 && cmp(i, out[at - 1]) < 0) at--;
    out.splice(at, 0, i);
    if (out.length > k) out.pop();
  }
  return out;
}

/** The faster of two (partial) wholes by {@link order}, either possibly null. */
function faster(a: State | null, b: State | null): State | null {
  if (a === null) return b;
  if (b === null) return a;
  return order(a, b) <= 0 ? a : b;
}

/**
 * The exact {@link solveCase}, bounded by the fastest whole of its beam passes (unbounded when they found
 * none: their cut may have dropped the only partial choices that fit, which the exact pass keeps). When a
 * layer's front of partial choices outgrows {@link EXACT_FRONT_LIMIT} (many layers of many options with
 * several binding resources: a pair-skipped ResNet-8 on both boards held the run's thread for minutes),
 * that pass keeps the fastest {@link EXACT_FRONT_LIMIT} of them and the leanest half as many, and the
 * whole is the faster of its and the beams' (then not always the fastest).
 */
function fastestOfCase(c: LibraryCase, budget: ChoiceBudget): State | null {
  // Most cases: the narrow beam's bound already keeps every front under the limit, and the exact pass is exact.
  const binding = bindingResources(c, budget);
  const narrow = solveCase(c, budget, binding, BEAMS[0]).state;
  const first = solveCase(c, budget, binding, EXACT_FRONT_LIMIT, narrow === null ? Infinity : narrow.cycles);
  if (!first.cut) return faster(first.state, narrow);
  const beams = BEAMS.slice(1).reduce<State | null>((best, width) => faster(best, solveCase(c, budget, binding, width).state), narrow);
  return faster(solveCase(c, budget, binding, EXACT_FRONT_LIMIT, beams === null ? Infinity : beams.cycles).state, beams);
}

/** Chooses the fastest combination over the library cases (see the module comment). */
export function chooseStyles(cases: readonly LibraryCase[], budget: ChoiceBudget): StyleChoice {
  let best: { c: LibraryCase; s: State } | null = null;
  for (const c of cases) {
    const s = fastestOfCase(c, budget);
    if (s && (best === null || s.cycles < best.s.cycles)) best = { c, s };
  }
  if (best) {
    const { c, s } = best;
    const picks = picksOf(s).map((k, i) => c.layers[i][k]);
    return { library: c.library, picks, cycles: s.cycles, flashBytes: s.flash, sramBytes: s.sram + scratchWords(s.scratch), aliasBytes: windowBytes(s.alias, s.overlay), fits: true };
  }
  // nothing fits: the smallest flash image, everything in flash (library in flash: the first case)
  const c = cases[0];
  const picks = c.layers.map((options) => {
    const flashOnly = options.filter((o) => o.homes.code === 'flash' && o.homes.data === 'flash');
    return (flashOnly.length ? flashOnly : options).reduce((a, b) => (b.flashBytes < a.flashBytes ? b : a));
  });
  return {
    library: c.library,
    picks,
    cycles: c.fixedCycles + picks.reduce((t, o) => t + o.cycles, 0),
    flashBytes: picks.reduce((t, o) => t + o.flashBytes, 0),
    sramBytes: scratchWords(Math.max(0, ...picks.map((o) => o.scratchBytes))),
    aliasBytes: 0,
    fits: false,
  };
}
