// The bar within an epoch. cli-progress draws only on a terminal; piped output (turbo, CI) gets the per-epoch
// lines alone.
import cliProgress from 'cli-progress';

export interface EpochProgress {
  update(done: number, loss: number, accuracy: number): void;
  stop(): void;
}

export function epochProgress(
  epoch: number,
  epochs: number,
  batches: number,
  enabled: boolean,
): EpochProgress {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `Epoch ${epoch}/${epochs} [{bar}] {value}/{total} batches | loss {loss} | accuracy {accuracy} | ETA {eta_formatted}`,
      stream: process.stderr,
      clearOnComplete: true,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(batches, 0, { loss: '-', accuracy: '-' });
  return {
    update: (done, loss, accuracy) =>
      bar.update(done, { loss: loss.toFixed(4), accuracy: accuracy.toFixed(4) }),
    stop: () => bar.stop(),
  };
}
