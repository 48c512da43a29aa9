// Progress of `conv3d-dataset build` on stderr: a live bar with rows/s and an ETA on a terminal; in a log (no TTY)
// one plain line per tenth of the rows, so CI shows the build is alive without a line per update.
import cliProgress from 'cli-progress';

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface BuildProgress {
  update(done: number, total: number): void;
  stop(): void;
}

/** "1m05s" / "42s": short enough for a bar, exact enough for an ETA. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Rows per second and seconds left from the rows done so far, averaged since the first row. */
export function rateAndEta(
  done: number,
  total: number,
  elapsedSeconds: number,
): { rate: number; eta: number } {
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  return { rate, eta: rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY };
}

/** `title` and `unit` name the work: 'building 3D MNIST' in rows, 'packing scans' in scans. */
export function buildProgress(
  stream: ProgressSink,
  now: () => number = () => performance.now(),
  title = 'building 3D MNIST',
  unit = 'rows',
): BuildProgress {
  const started = now();
  const figures = (done: number, total: number) => {
    const { rate, eta } = rateAndEta(done, total, (now() - started) / 1000);
    return { rate: rate.toFixed(0), eta: Number.isFinite(eta) ? formatSeconds(eta) : '?' };
  };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${title} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_left}`,
        stream: stream as NodeJS.WriteStream,
      },
      cliProgress.Presets.shades_classic,
    );
    let running = false;
    return {
      update(done, total) {
        const { rate, eta } = figures(done, total);
        if (!running) bar.start(total, done, { rate, eta_left: eta });
        running = true;
        bar.update(done, { rate, eta_left: eta });
      },
      stop: () => bar.stop(),
    };
  }
  let reported = 0;
  return {
    update(done, total) {
      const tenth = Math.floor((10 * done) / total);
      if (tenth <= reported || done === total) return; // the caller's final line reports the end
      reported = tenth;
      const { rate, eta } = figures(done, total);
      stream.write(`${title}: ${done}/${total} ${unit} (${tenth * 10} %), ${rate} ${unit}/s, ETA ${eta}\n`);
    },
    stop() {},
  };
}
