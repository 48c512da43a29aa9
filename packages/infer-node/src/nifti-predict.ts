// `conv3d-predict model.onnx scan.nii[.gz]`: one scan, prepared as the model's contract says (core's scanInput),
// classified; prints the class, its probability and the runner-up classes. Needs no HDF5 reader.
import { scanInput } from '@conv3d/core';
import { type CliIo, parseCommandLine, readNiftiFile, UsageError } from '@conv3d/core/node';
import { load } from './load.js';
import { DEVICES, type NodeDevice } from './session.js';

/** True when the data argument names a NIfTI scan rather than an HDF5 file. */
export function isNiftiPath(path: string): boolean {
  return /\.nii(\.gz)?$/i.test(path);
}

/** Classes listed after the predicted one. */
const RUNNERS_UP = 2;

export async function predictNifti(args: readonly string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseCommandLine(args, {
    allowPositionals: true,
    options: { device: { type: 'string', default: 'auto' } },
  });
  const [model = '', scan = ''] = positionals;
  if (positionals.length !== 2)
    throw new UsageError(`expected a model file and a scan, got ${positionals.length} arguments`);
  const device = values.device as NodeDevice;
  if (!DEVICES.includes(device)) {
    throw new UsageError(`--device must be one of ${DEVICES.join(', ')}, got '${values.device}'`);
  }
  const classifier = await load(model, { device });
  try {
    const image = await readNiftiFile(scan, { warn: (line) => io.error(line) });
    const row = scanInput(image, classifier.contract);
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
