// Classification as a task: one softmax per volume, categorical cross-entropy through tfjs's trainOnBatch (the
// seed's exact arithmetic), accuracy and a confusion matrix per split (evaluate.ts), the report's test section.
import type { ModelContract } from '@conv3d/core';
import type { RawBatch } from '../augmentation/epoch-rows.js';
import { batchTensors, toTensors } from '../batches.js';
import { type Evaluation, Evaluator } from '../evaluate.js';
import { classificationSection } from '../report.js';
import type { PreparedBatch } from '../stream/prepare.js';
import type { Task } from './task.js';

export function classificationTask(contract: ModelContract): Task<Evaluation> {
  return {
    labelLength: 1,
    async trainStep(model, batch: RawBatch | PreparedBatch) {
      const { xs, ys } =
        'inputs' in batch
          ? batchTensors(contract, batch.inputs, batch.y, batch.count)
          : toTensors(contract, batch.x, batch.y, batch.count);
      let out: number | number[];
      try {
        out = await model.trainOnBatch(xs, ys);
      } finally {
        xs.dispose();
        ys.dispose();
      }
      const [loss, accuracy] = Array.isArray(out) ? out : [out, Number.NaN];
      return { loss: loss as number, accuracy: accuracy as number };
    },
    evaluator: (model) => new Evaluator(model, contract),
    validationMetrics: (val) => ({ val_loss: val.loss, val_accuracy: val.accuracy }),
    testLine: (test) =>
      `Test: loss ${test.loss.toFixed(4)} - accuracy ${test.accuracy.toFixed(4)} (${test.count} samples)`,
    metrics: (test) => test,
    reportSection: classificationSection,
    contractScore: (test) => (Number.isFinite(test.accuracy) ? test.accuracy : undefined),
  };
}
