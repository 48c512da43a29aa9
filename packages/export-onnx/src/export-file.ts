// File-to-file export: a training run folder (or a model.json) → an .onnx file, written atomically.
import { writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { oneLine, writeAtomic } from '@conv3d/core/node';
import { loadModelFile, ModelFileError } from '@conv3d/train/model-io';
import type * as tf from '@tensorflow/tfjs';
import { ExportError } from './errors.js';
import { convertModel, type ExportOptions, type ExportSummary } from './export-model.js';
import { withInputShape } from './input-shape.js';

export interface ExportFileOptions extends ExportOptions {
  /** Rebuild the model for this input shape (without the batch), e.g. [D, H, W, C], before converting. */
  inputShape?: readonly number[];
}

export interface ExportFileResult extends ExportSummary {
  out: string;
  modelJson: string;
  /** Test accuracy written into the metadata, if any. */
  testAccuracy?: number;
}

/** `input` is a run folder holding model.json, or a model.json path. */
export async function resolveModelInput(input: string): Promise<{ modelJson: string; runDir: string }> {
  const info = await stat(input).catch(() => {
    throw new ExportError(`${input}: not found (expected a training run folder or a model.json)`);
  });
  if (info.isDirectory()) return { modelJson: join(input, 'model.json'), runDir: input };
  return { modelJson: input, runDir: dirname(input) };
}

/**
 * The test accuracy in a run's metrics.json (`testAccuracy`, or `test.accuracy` as @conv3d/train writes it);
 * undefined when the run has no metrics.json or it holds neither.
 */
export async function readTestAccuracy(runDir: string): Promise<number | undefined> {
  const path = join(runDir, 'metrics.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ExportError(`${path}: cannot read (${oneLine((error as Error).message)})`);
  }
  let metrics: unknown;
  try {
    metrics = JSON.parse(text);
  } catch (error) {
    throw new ExportError(`${path}: not valid JSON (${oneLine((error as Error).message)})`);
  }
  const record = (metrics ?? {}) as { testAccuracy?: unknown; test?: { accuracy?: unknown } };
  const [key, value] =
    record.testAccuracy !== undefined
      ? ['testAccuracy', record.testAccuracy]
      : ['test.accuracy', record.test?.accuracy];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ExportError(`${path}: '${key}' must be a number in [0, 1], got ${JSON.stringify(value)}`);
  }
  return value;
}

export async function exportModelFile(
  input: string,
  out: string,
  options: ExportFileOptions = {},
): Promise<ExportFileResult> {
  const { modelJson, runDir } = await resolveModelInput(input);
  const testAccuracy = options.testAccuracy ?? (await readTestAccuracy(runDir));
  const { inputShape, ...convertOptions } = options;
  const loaded = await loadLayersModelFromDisk(modelJson);
  const model = inputShape === undefined ? loaded : await withInputShape(loaded, inputShape);
  if (model !== loaded) loaded.dispose();
  try {
    const { bytes, summary } = convertModel(model, {
      ...convertOptions,
      testAccuracy,
      // A shape the caller set is the shape the file gets.
      ...(inputShape === undefined ? {} : { fixedSize: true }),
    });
    await writeAtomically(out, bytes);
    return { ...summary, out, modelJson, ...(testAccuracy === undefined ? {} : { testAccuracy }) };
  } finally {
    model.dispose();
  }
}

/** Reads model.json and its weight files with @conv3d/train's IO handler; its errors become ExportErrors. */
export async function loadLayersModelFromDisk(modelJsonPath: string): Promise<tf.LayersModel> {
  try {
    return await loadModelFile(modelJsonPath);
  } catch (error) {
    if (error instanceof ModelFileError) throw new ExportError(error.message);
    throw error;
  }
}

/** `out` is either the old file or the complete new one; a failed write leaves nothing. */
async function writeAtomically(out: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeAtomic(out, (tmp) => writeFileSync(tmp, bytes));
  } catch (error) {
    throw new ExportError(`${out}: cannot write (${oneLine((error as Error).message)})`);
  }
}
