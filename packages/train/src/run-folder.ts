// The run folder: the model (with its contract and test score), history.json, metrics.json, the curves,
// report.html (with the task's test section) and run.json last, each written atomically.
import { join } from 'node:path';
import { contractToMetadata, withTestAccuracy } from '@conv3d/core';
import { writeFileAtomic } from '@conv3d/core/node';
import type * as tf from '@tensorflow/tfjs';
import type { History } from './history.js';
import { saveModelToDir } from './model-io.js';
import { renderCurves } from './plots.js';
import { renderReport } from './report.js';
import type { BaseEvaluation, Task } from './tasks/task.js';
import type { RunInfo } from './train.js';

export async function writeRunFolder(
  outDir: string,
  model: tf.LayersModel,
  task: Task<BaseEvaluation>,
  history: History,
  test: BaseEvaluation,
  run: RunInfo,
  t0: number,
): Promise<void> {
  model.setUserDefinedMetadata({
    conv3d: contractToMetadata(withTestAccuracy(run.contract, task.contractScore(test))),
  });
  await saveModelToDir(model, outDir);
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  writeFileAtomic(join(outDir, 'history.json'), json(history));
  // Which epoch the saved model comes from, when a callback picked one.
  writeFileAtomic(
    join(outDir, 'metrics.json'),
    json({ test: task.metrics(test), ...(run.callbacks && { weights: run.callbacks }) }),
  );
  const curves = await renderCurves(history);
  writeFileAtomic(join(outDir, 'loss.svg'), curves.loss);
  writeFileAtomic(join(outDir, 'accuracy.svg'), curves.accuracy);
  if (curves.learningRate) writeFileAtomic(join(outDir, 'learning-rate.svg'), curves.learningRate);
  run.timings.finishedAt = new Date().toISOString();
  run.timings.totalSeconds = (performance.now() - t0) / 1000;
  // maxRSS is in kilobytes.
  run.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const summary: Record<string, string> = {
    config: `${run.config.name} (${run.configSource})`,
    backend: `${run.backend.name} (tfjs '${run.backend.tfBackend}')`,
    seed: String(run.seed),
    epochs: String(history.loss.length),
    'batch size': String(run.config.batchSize),
    'learning rate': String(run.config.optimizer.config.learningRate),
    data: `${run.dataset.path}: ${run.dataset.trainRows} train, ${run.dataset.validationRows} validation, ${run.dataset.testRows} test`,
    contract: `grid ${run.contract.grid.join('×')}, ${run.contract.rawChannels} channel(s), preprocessing '${run.contract.preprocessing}', labels ${run.contract.labels.join(', ')}`,
    ...(run.augmentation && {
      augmentation: `${run.augmentation.epochRows} rows per epoch (${run.augmentation.workerThread ? 'worker thread' : 'in-process'}); steps waited ${run.augmentation.waitSeconds.toFixed(1)} s for batches`,
    }),
    batches: `${run.loading.mode === 'stream' ? 'streamed from the file' : 'from the rows in memory'} (${run.loading.reason})${run.loading.mode === 'stream' ? `; steps waited ${run.loading.epochWaitSeconds.reduce((a, b) => a + b, 0).toFixed(1)} s for batches` : ''}`,
    ...(run.callbacks && {
      'saved weights': `${run.callbacks.weights}${run.callbacks.bestEpoch ? ` (epoch ${run.callbacks.bestEpoch})` : ''}`,
    }),
    ...(run.callbacks?.stoppedEpoch && { 'stopped early': `after epoch ${run.callbacks.stoppedEpoch}` }),
    'mean epoch time': `${run.timings.meanEpochSeconds.toFixed(1)} s`,
    'total time': `${run.timings.totalSeconds.toFixed(1)} s`,
  };
  writeFileAtomic(
    join(outDir, 'report.html'),
    renderReport({
      title: `conv3d-train: ${run.config.name}`,
      summary,
      testSection: task.reportSection(test, run.contract.labels),
      history,
      curves,
    }),
  );
  writeFileAtomic(join(outDir, 'run.json'), json(run));
}
