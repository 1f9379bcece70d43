/**
 * Progress of a run on a stream: a redrawn bar with rate and ETA when the
 * stream is a TTY, otherwise a plain line at most every `intervalMs` (and at
 * the end of each phase). The clock is injectable for tests.
 */

/** What the run reports after each point. */
export interface ProgressEvent {
  /** `search`, `seed-grid` or `final`. */
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
  options: { intervalMs?: number; now?: () => number } = {},
): Progress {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? (stream.isTTY ? 100 : 10_000);
  const starts = new Map<string, number>();
  let last = -Infinity;
  let lastKey = '';
  let drawn = false;
  return {
    update(e) {
      const t = now();
      if (!starts.has(e.phase)) starts.set(e.phase, t);
      const finished = e.done >= e.total;
      const key = `${e.phase}/${e.done}`;
      if ((!finished && t - last < interval) || key === lastKey) return;
      last = t;
      lastKey = key;
      const line = formatProgress(e, (t - starts.get(e.phase)!) / 1000);
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
    },
    end() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
