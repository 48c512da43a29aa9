import { describe, expect, it } from 'vitest';
import { buildProgress, formatSeconds, rateAndEta } from '../src/build-progress.js';

/** A stream that records what is written; `isTTY` picks the bar or the log lines. */
function sink(isTTY: boolean) {
  const out: string[] = [];
  const stream = {
    isTTY,
    columns: 120,
    write: (text: string) => out.push(text),
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    on: () => stream,
    removeListener: () => stream,
  };
  return { stream, out };
}

describe('build progress', () => {
  it('rates and ETAs from the rows done so far', () => {
    expect(rateAndEta(500, 2000, 2)).toEqual({ rate: 250, eta: 6 });
    expect(rateAndEta(0, 2000, 0).eta).toBe(Number.POSITIVE_INFINITY);
    expect([5.4, 65, 3599, 3600 * 2 + 60 * 5].map(formatSeconds)).toEqual(['5s', '1m05s', '59m59s', '2h05m']);
  });

  it('in a log: one line per tenth with rows/s and ETA, none for the end (the final line says it)', () => {
    const { stream, out } = sink(false);
    let clock = 0;
    const progress = buildProgress(stream, () => clock);
    for (let done = 25; done <= 1000; done += 25) {
      clock = done * 4; // 250 rows/s
      progress.update(done, 1000);
    }
    progress.stop();
    expect(out).toHaveLength(9);
    expect(out[0]).toBe('building 3D MNIST: 100/1000 rows (10 %), 250 rows/s, ETA 4s\n');
    expect(out[8]).toBe('building 3D MNIST: 900/1000 rows (90 %), 250 rows/s, ETA 0s\n');
  });

  it('on a terminal: a bar with rows/s and ETA', () => {
    const { stream, out } = sink(true);
    let clock = 0;
    const progress = buildProgress(stream, () => clock);
    clock = 2000;
    progress.update(500, 2000);
    progress.stop();
    expect(out.join('')).toMatch(/building 3D MNIST \[.*\] 25% \| 500\/2000 rows \| 250 rows\/s \| ETA 6s/);
  });
});
