import { describe, expect, it } from 'vitest';
import { createProgress, formatProgress } from '../src/explore/run/progress.js';

function sink(isTTY: boolean): { isTTY: boolean; text: string; write(s: string): boolean } {
  return { isTTY, text: '', write(s) { this.text += s; return true; } };
}

describe('run progress', () => {
  it('formats done/total, rate and ETA', () => {
    expect(formatProgress({ phase: 'search', done: 250, total: 1000, evaluated: 200 }, 100, 20)).toBe('search [#####...............] 250/1000 2.0 pt/s ETA 6:15');
    expect(formatProgress({ phase: 'final', done: 0, total: 4, evaluated: 0 }, 0, 4)).toBe('final [....] 0/4 0.0 pt/s ETA -:--');
  });

  it('redraws one line on a TTY and ends each phase with a newline', () => {
    let t = 0;
    const s = sink(true);
    const p = createProgress(s, { now: () => t });
    p.update({ phase: 'search', done: 1, total: 2, evaluated: 1 });
    t = 50;
    p.update({ phase: 'search', done: 1, total: 2, evaluated: 1 }); // within 100 ms: skipped
    t = 1000;
    p.update({ phase: 'search', done: 2, total: 2, evaluated: 2 });
    p.update({ phase: 'search', done: 2, total: 2, evaluated: 2 }); // the same state again: not redrawn
    p.end();
    expect(s.text).toBe('\rsearch [############............] 1/2 0.0 pt/s ETA -:--\x1b[K\rsearch [########################] 2/2 2.0 pt/s ETA 0:00\x1b[K\n');
  });

  it('prints plain lines at most every interval when not a TTY', () => {
    let t = 0;
    const s = sink(false);
    const p = createProgress(s, { now: () => t, intervalMs: 10_000 });
    for (let i = 1; i <= 10; i++) {
      t = i * 3000;
      p.update({ phase: 'search', done: i, total: 10, evaluated: i });
    }
    expect(s.text.trim().split('\n').map((l) => l.split(' ')[2])).toEqual(['1/10', '5/10', '9/10', '10/10']);
  });
});
