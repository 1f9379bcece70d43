/**
 * Progress of a run on a stream: a redrawn bar with rate and ETA when the
 * stream is a TTY, otherwise a plain line at most every `intervalMs` (and at
 * the end of each phase). An optional activity text (e.g. what the compiler
 * is doing while the first points wait for their layer variants) is appended
 * and refreshed by {@link Progress.tick} even when no point finishes. The
 * clock is injectable for tests.
 */

/** What the run reports after each point. */
export interface ProgressEvent {
  /** `references`, `search`, `seed-grid`, `final` or `firmware`. */
  readonly phase: string;
  /** Points of the phase done (evaluated now or found in the store). */
  readonly done: number;
  /** Points the phase will do at most. */
  readonly total: number;
  /** Points evaluated by this process in the phase (the rate counts these). */
  readonly evaluated: number;
}

/** A progress sink. */
export interface Progress {
  update(e: ProgressEvent): void;
  /** Redraws the last state when the activity text changed (called by a timer; does nothing before the first update). */
  tick(): void;
  /** Clears the bar (TTY) before other output. */
  end(): void;
}

const mmss = (s: number): string => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

/** One progress line: `search [#####.....] 120/1000 3.2 pt/s ETA 4:35`. */
export function formatProgress(e: ProgressEvent, seconds: number, barWidth = 24): string {
  const frac = e.total > 0 ? Math.min(1, e.done / e.total) : 1;
  const filled = Math.round(frac * barWidth);
  const rate = seconds > 0 ? e.evaluated / seconds : 0;
  const eta = rate > 0 ? (e.total - e.done) / rate : 0;
  return `${e.phase} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${e.done}/${e.total} ${rate.toFixed(1)} pt/s ETA ${rate > 0 ? mmss(eta) : '-:--'}`;
}

/** A progress sink on `stream`. */
export function createProgress(
  stream: { isTTY?: boolean; write(s: string): boolean },
  options: { intervalMs?: number; now?: () => number; activity?: () => string | undefined } = {},
): Progress {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? (stream.isTTY ? 100 : 10_000);
  const starts = new Map<string, number>();
  let last = -Infinity;
  let lastKey = '';
  let drawn = false;
  let current: ProgressEvent | undefined;
  let lastActivity: string | undefined;
  const draw = (e: ProgressEvent, t: number, finished: boolean): void => {
    last = t;
    lastActivity = options.activity?.();
    const line = formatProgress(e, (t - starts.get(e.phase)!) / 1000) + (lastActivity ? ` (${lastActivity})` : '');
    if (stream.isTTY) {
      stream.write(`\r${line}\x1b[K`);
      drawn = true;
      if (finished) {
        stream.write('\n');
        drawn = false;
      }
    } else {
      stream.write(`${line}\n`);
    }
  };
  return {
    update(e) {
      const t = now();
      if (!starts.has(e.phase)) starts.set(e.phase, t);
      current = e;
      const finished = e.done >= e.total;
      const key = `${e.phase}/${e.done}`;
      if ((!finished && t - last < interval) || key === lastKey) return;
      lastKey = key;
      draw(e, t, finished);
    },
    tick() {
      const t = now();
      if (current === undefined || current.done >= current.total || t - last < interval) return;
      if (options.activity?.() === lastActivity) return;
      draw(current, t, false);
    },
    end() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
