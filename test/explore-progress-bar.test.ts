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

  it('appends the activity text and redraws on a tick when only the activity changed', () => {
    let t = 0;
    let activity: string | undefined;
    const s = sink(true);
    const p = createProgress(s, { now: () => t, activity: () => activity });
    p.tick(); // nothing to redraw before the first update
    p.update({ phase: 'references', done: 0, total: 1, evaluated: 0 });
    t = 1000;
    p.tick(); // same activity (none): not redrawn
    activity = 'gcc: 3 units compiled, 2 running';
    t = 2000;
    p.tick();
    t = 2050;
    activity = 'gcc: 4 units compiled, 2 running';
    p.tick(); // within 100 ms of the last draw: skipped
    t = 3000;
    p.update({ phase: 'references', done: 1, total: 1, evaluated: 1 });
    p.tick(); // the phase is finished: the finished line stays
    expect(s.text.split('\r').filter((l) => l !== '')).toEqual([
      'references [........................] 0/1 0.0 pt/s ETA -:--\x1b[K',
      'references [........................] 0/1 0.0 pt/s ETA -:-- (gcc: 3 units compiled, 2 running)\x1b[K',
      'references [########################] 1/1 0.3 pt/s ETA 0:00 (gcc: 4 units compiled, 2 running)\x1b[K\n',
    ]);
  });
});
