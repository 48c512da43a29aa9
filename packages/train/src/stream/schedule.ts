// Which rows each training step takes. The rows are walked in passes: pass p is the seeded permutation
// permutation(rows, deriveSeed(seed, p)) cut into ceil(rows / batchSize) batches, the last one shorter. Epoch e of
// N steps (N = --steps-per-epoch, default one pass) takes global batches e·N .. e·N + N − 1 of that endless
// sequence, continuing where the previous epoch stopped, like Keras's steps_per_epoch on a repeating dataset. With
// the default N, epoch e is exactly pass e: the shuffle of the runs before steps_per_epoch existed.
import { deriveSeed, permutation } from '@conv3d/core';

export class BatchSchedule {
  /** Batches in one pass over the rows. */
  readonly passSteps: number;
  /** Steps in one epoch. */
  readonly stepsPerEpoch: number;
  private readonly passes = new Map<number, Uint32Array>();

  constructor(
    private readonly rows: number,
    private readonly batchSize: number,
    private readonly seed: number,
    stepsPerEpoch?: number,
  ) {
    this.passSteps = Math.ceil(rows / batchSize);
    this.stepsPerEpoch = stepsPerEpoch ?? this.passSteps;
  }

  /** The row indices of step `step` of epoch `epoch` (a view: copy it to keep it past later calls' eviction). */
  indices(epoch: number, step: number): Uint32Array {
    const global = epoch * this.stepsPerEpoch + step;
    const pass = Math.floor(global / this.passSteps);
    const batch = global % this.passSteps;
    return this.pass(pass).subarray(
      batch * this.batchSize,
      Math.min(this.rows, (batch + 1) * this.batchSize),
    );
  }

  /** The permutation of pass `p`; only the latest two are kept (a read-ahead may straddle a pass boundary). */
  private pass(p: number): Uint32Array {
    let order = this.passes.get(p);
    if (!order) {
      order = permutation(this.rows, deriveSeed(this.seed, p));
      this.passes.set(p, order);
      for (const q of this.passes.keys()) if (q < p - 1 || q > p + 1) this.passes.delete(q);
    }
    return order;
  }
}
