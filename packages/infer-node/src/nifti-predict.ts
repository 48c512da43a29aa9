// `conv3d-predict model.onnx scan.nii[.gz]`: one scan, read and prepared as the model's contract says (core's
// scanInput / segmentScan: one rule for both tasks). A classifier prints the class, its probability and the
// runner-up classes; a segmenter segments the scan in sliding windows, writes the label map on the scan's own grid
// to --out (atomically, after everything else succeeded) and prints the voxels per label. Needs no HDF5 reader.
import { scanInput, segmentScan, writeLabelNifti } from '@conv3d/core';
import { type CliIo, parseCommandLine, readNiftiFile, UsageError, writeFileAtomic } from '@conv3d/core/node';
import { positiveInt, SEGMENT_FLAG_OPTIONS, windowFlags } from './flags.js';
import { load, loadSegmenter, modelTask } from './load.js';
import { DEVICES, type NodeDevice } from './session.js';

/** True when the data argument names a NIfTI scan rather than an HDF5 file. */
export function isNiftiPath(path: string): boolean {
  return /\.nii(\.gz)?$/i.test(path);
}

/** Classes listed after the predicted one. */
const RUNNERS_UP = 2;

/** Windows per model run when --batch is not given (as for HDF5 sets). */
const DEFAULT_WINDOW_BATCH = 4;

export async function predictNifti(args: readonly string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseCommandLine(args, {
    allowPositionals: true,
    options: { device: { type: 'string', default: 'auto' }, ...SEGMENT_FLAG_OPTIONS },
  });
  const [model = '', scan = ''] = positionals;
  if (positionals.length !== 2)
    throw new UsageError(`expected a model file and a scan, got ${positionals.length} arguments`);
  const device = values.device as NodeDevice;
  if (!DEVICES.includes(device)) {
    throw new UsageError(`--device must be one of ${DEVICES.join(', ')}, got '${values.device}'`);
  }
  const windows = {
    batch: values.batch === undefined ? DEFAULT_WINDOW_BATCH : positiveInt('--batch', values.batch),
    ...windowFlags(values),
  };
  const readScan = () => readNiftiFile(scan, { warn: (line) => io.error(line) });
  if ((await modelTask(model)) === 'segment') {
    const { out } = values;
    if (out === undefined)
      throw new UsageError(`${model} is a segmentation model: give --out seg.nii.gz for its label map`);
    if (!/\.nii\.gz$/i.test(out)) throw new UsageError(`--out must name a .nii.gz file, got '${out}'`);
    const segmenter = await loadSegmenter(model, { device });
    try {
      const image = await readScan();
      const { labels, prepared } = await segmentScan(segmenter, image, windows);
      writeFileAtomic(out, await writeLabelNifti(labels, image));
      const counts = labelCounts(labels, segmenter.contract.labels.length);
      const shown = segmenter.contract.labels.map((label, k) => `${label} ${counts[k]}`);
      io.log(
        `${out}: ${image.shape.join('×')} labels on ${scan}'s grid; voxels per label: ${shown.join(', ')}; ${prepared.windows} windows of ${prepared.roi.join('×')}; provider ${segmenter.provider}`,
      );
    } finally {
      await segmenter.dispose();
    }
    return;
  }
  if ([values.out, values.batch, values.roi, values.overlap, values.blend].some((v) => v !== undefined)) {
    throw new UsageError('--out, --batch, --roi, --overlap and --blend are for segmentation models');
  }
  const classifier = await load(model, { device });
  try {
    const row = scanInput(await readScan(), classifier.contract);
    const [prediction] = await classifier.predict(row);
    if (prediction === undefined) throw new Error(`${model}: returned no prediction`);
    const others = Array.from(prediction.probabilities, (p, k) => ({
      p,
      label: classifier.contract.labels[k],
    }))
      .filter((_, k) => k !== prediction.index)
      .sort((a, b) => b.p - a.p)
      .slice(0, RUNNERS_UP)
      .map((o) => `${o.label} ${o.p.toFixed(4)}`);
    io.log(
      `${scan}: ${prediction.label} p=${prediction.probability.toFixed(4)} (next: ${others.join(', ')}); provider ${classifier.provider}`,
    );
  } finally {
    await classifier.dispose();
  }
}

function labelCounts(labels: Uint16Array, count: number): number[] {
  const counts = new Array<number>(count).fill(0);
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
