// conv3d-predict: classifies a split of any HDF5 volumes file the model's contract fits (grid, channels, classes)
// and reports the label names, per-class and overall accuracy and the provider. Reading HDF5
// needs @conv3d/data (h5wasm), an optional peer dependency: library users who never run this command don't get it.
import { type CliIo, parseCommandLine, processIo, runCli, UsageError } from '@conv3d/core/node';
import type { Dataset3D, OpenOptions, Split } from '@conv3d/data';
import { load, type NodeClassifier } from './load.js';
import { isNiftiPath, predictNifti } from './nifti-predict.js';
import { DEVICES, type NodeDevice } from './session.js';

export const USAGE = `usage: conv3d-predict model.onnx data.h5 [--split test|train] [--limit N] [--device auto|cuda|cpu] [--batch N]
                      [--grid D,H,W[,C]] [--labels a,b,...] [--x-train NAME] [--y-train NAME] [--x-test NAME] [--y-test NAME]
       conv3d-predict model.onnx scan.nii[.gz] [--device auto|cuda|cpu]
The reader flags say how to read data.h5, as for conv3d-dataset inspect. A scan is prepared as the model's contract says.`;

const CLI = { name: 'conv3d-predict', usage: USAGE };

/** What the command says when @conv3d/data cannot be imported. */
export const DATA_PACKAGE_MISSING =
  'reading HDF5 files needs the optional peer dependency @conv3d/data: run `npm install @conv3d/data`';

type DataPackage = typeof import('@conv3d/data');

interface Options {
  model: string;
  data: string;
  split: Split;
  limit: number | undefined;
  device: NodeDevice;
  batch: number;
  read: OpenOptions;
}

/**
 * Runs the command; returns the exit code (0 ok, 1 bad file or model, 2 bad arguments). `importData` loads
 * @conv3d/data (replaceable in tests).
 */
export function runPredict(
  argv: readonly string[],
  io: CliIo = processIo,
  importData: () => Promise<DataPackage> = () => import('@conv3d/data'),
): Promise<number> {
  return runCli(
    CLI,
    argv,
    async (args) => {
      if (args.some(isNiftiPath)) return predictNifti(args, io);
      const data = await loadDataPackage(importData);
      const options = parseOptions(args, data);
      const { openDataset } = data;
      let dataset: Dataset3D | undefined;
      let classifier: NodeClassifier | undefined;
      try {
        classifier = await load(options.model, { device: options.device });
        dataset = await openDataset(options.data, options.read);
        await classify(classifier, dataset, options, io);
      } finally {
        dataset?.close();
        await classifier?.dispose();
      }
    },
    io,
  );
}

async function loadDataPackage(importData: () => Promise<DataPackage>): Promise<DataPackage> {
  try {
    return await importData();
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ERR_MODULE_NOT_FOUND' && /'@conv3d\/data'/.test(message))
      throw new Error(DATA_PACKAGE_MISSING);
    throw error;
  }
}

async function classify(
  classifier: NodeClassifier,
  dataset: Dataset3D,
  options: Options,
  io: CliIo,
): Promise<void> {
  const { contract } = classifier;
  checkLabels(dataset, contract.labels, options.model);
  io.log(`labels (${contract.labels.length}): ${contract.labels.join(', ')}`);
  const perClass = contract.labels.map(() => ({ correct: 0, total: 0 }));
  const available = dataset.count(options.split);
  const total = Math.min(available, options.limit ?? available);
  let correct = 0;
  let done = 0;
  const started = performance.now();
  // reuse: one buffer pair for every batch; each is consumed by predict before the next is read.
  for (const batch of dataset.batches(options.split, options.batch, { start: 0, end: total, reuse: true })) {
    if (batch.x.length !== batch.count * contract.rawLength) {
      throw new Error(
        `${dataset.path}: rows of ${batch.x.length / batch.count} values, but ${options.model} takes ${contract.rawLength} (its 'conv3d.grid' × 'conv3d.raw_channels')`,
      );
    }
    const predictions = await classifier.predict(batch.x);
    predictions.forEach((p, i) => {
      // The dataset's labels are output indices: score by index, whatever the label names.
      const truth = batch.y[i] as number;
      const truthLabel = contract.labels[truth];
      if (truthLabel === undefined) {
        throw new Error(
          `${dataset.path}: ${options.split} row ${done + i} has label ${truth}, but ${options.model} has ${contract.labels.length} labels`,
        );
      }
      const tally = perClass[truth] as { correct: number; total: number };
      tally.total++;
      if (p.index === truth) {
        correct++;
        tally.correct++;
      }
      io.log(
        `${options.split}[${done + i}] true ${truthLabel} predicted ${p.label} p=${p.probability.toFixed(4)}`,
      );
    });
    done += batch.count;
  }
  const seconds = (performance.now() - started) / 1000;
  const accuracy = total === 0 ? 0 : correct / total;
  const classes = perClass.map(
    (t, k) =>
      `${contract.labels[k]} ${t.total === 0 ? 'n/a' : (t.correct / t.total).toFixed(4)} (${t.correct}/${t.total})`,
  );
  io.log(`per class: ${classes.join(', ')}`);
  io.log(
    `accuracy ${accuracy.toFixed(4)} (${correct}/${total}) on ${options.split}; provider ${classifier.provider}; ` +
      `${(total / seconds).toFixed(0)} samples/s`,
  );
}

/**
 * A file that names its classes must name the model's: same index, same name. Files without names get "0".."K−1"
 * from the reader and are scored by index.
 */
function checkLabels(dataset: Dataset3D, labels: readonly string[], model: string): void {
  const names = dataset.descriptor.labels;
  const numbered = names.every((name, i) => name === String(i));
  if (numbered) return;
  if (names.length !== labels.length || names.some((name, i) => name !== labels[i])) {
    throw new Error(
      `${dataset.path}: labels ${names.join(', ')} are not ${model}'s labels ${labels.join(', ')} ('conv3d.labels')`,
    );
  }
}

function parseOptions(argv: readonly string[], reader: DataPackage): Options {
  const { values, positionals } = parseCommandLine(argv, {
    allowPositionals: true,
    options: {
      ...reader.DATASET_FLAG_OPTIONS,
      split: { type: 'string', default: 'test' },
      limit: { type: 'string' },
      device: { type: 'string', default: 'auto' },
      batch: { type: 'string', default: '100' },
    },
  });
  if (positionals.length !== 2) {
    throw new UsageError(`expected a model file and a data file, got ${positionals.length} arguments`);
  }
  const [model = '', data = ''] = positionals;
  const split = values.split;
  if (split !== 'test' && split !== 'train')
    throw new UsageError(`--split must be test or train, got '${split}'`);
  const device = values.device as NodeDevice;
  if (!DEVICES.includes(device)) {
    throw new UsageError(`--device must be one of ${DEVICES.join(', ')}, got '${values.device}'`);
  }
  return {
    model,
    data,
    split,
    limit: values.limit === undefined ? undefined : positiveInt('--limit', values.limit),
    device,
    batch: positiveInt('--batch', values.batch),
    read: reader.datasetOptionsFromFlags(values),
  };
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
  return n;
}
