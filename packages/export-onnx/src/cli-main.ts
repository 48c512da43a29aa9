// conv3d-export <run-dir|model.json>... [--out model.onnx] [--fixed-size | --input-shape D,H,W,C]
// [--embed-preprocessing [--opencv-compatible]] [--preprocessing ID], on the shared CLI skeleton.
import { preprocessingIds } from '@conv3d/core';
import { type CliIo, parseCommandLine, processIo, runCli as runCommand, UsageError } from '@conv3d/core/node';
import { exportEnsemble } from './ensemble-cli.js';
import { exportModelFile } from './export-file.js';

const CLI = {
  name: 'conv3d-export',
  usage:
    'usage: conv3d-export <run-dir|model.json>... [--out model.onnx] [--fixed-size | --input-shape D,H,W,C] [--embed-preprocessing [--opencv-compatible]] [--preprocessing ID]\n' +
    '  --fixed-size           keep the saved input size (default: symbolic spatial dims when every layer allows it)\n' +
    '  --input-shape D,H,W,C  export for this input shape (without the batch)\n' +
    '  several inputs (or an ensemble run folder): one file whose output is the mean of their probabilities\n' +
    '  --embed-preprocessing  put the contract preprocessing in the graph: raw rows [N, V] in, probabilities out\n' +
    '  --opencv-compatible    with --embed-preprocessing: only ops OpenCV 4.6 DNN imports (slower in onnxruntime)\n' +
    `  --preprocessing ID     override the model contract preprocessing (${preprocessingIds().join(', ')})`,
};

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage error). Every failure is one line on `io.error`. */
export function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  return runCommand(
    CLI,
    argv,
    async (args) => {
      const { values, positionals } = parseCommandLine(args, {
        options: {
          out: { type: 'string', short: 'o' },
          'embed-preprocessing': { type: 'boolean' },
          'opencv-compatible': { type: 'boolean' },
          preprocessing: { type: 'string' },
          'fixed-size': { type: 'boolean' },
          'input-shape': { type: 'string' },
        },
        allowPositionals: true,
      });
      if (positionals.length === 0) throw new UsageError('expected at least one input, got 0');
      const { preprocessing } = values;
      if (preprocessing !== undefined && !preprocessingIds().includes(preprocessing)) {
        throw new UsageError(
          `--preprocessing '${preprocessing}' is not one of ${preprocessingIds().join(', ')}`,
        );
      }
      const embed = values['embed-preprocessing'] === true;
      const opencvCompatible = values['opencv-compatible'] === true;
      if (opencvCompatible && !embed) {
        throw new UsageError(
          '--opencv-compatible applies to --embed-preprocessing only; add --embed-preprocessing',
        );
      }
      const inputShape = parseInputShape(values['input-shape']);
      if (inputShape !== undefined && values['fixed-size'] === true) {
        throw new UsageError('--input-shape already fixes the size; drop --fixed-size');
      }
      if (positionals.length > 1 && (inputShape !== undefined || values['fixed-size'] === true)) {
        throw new UsageError(
          "--fixed-size and --input-shape take one model; an ensemble keeps its members' contract size",
        );
      }
      const out = values.out ?? 'model.onnx';
      const ensembleOptions = {
        embedPreprocessing: embed,
        opencvCompatible,
        ...(preprocessing === undefined ? {} : { preprocessing }),
      };
      const ensemble = await exportEnsemble(positionals, out, ensembleOptions);
      if (ensemble !== undefined) {
        io.log(ensemble);
        return;
      }
      const result = await exportModelFile(positionals[0] as string, out, {
        embedPreprocessing: embed,
        opencvCompatible,
        fixedSize: values['fixed-size'] === true,
        ...(inputShape === undefined ? {} : { inputShape }),
        ...(preprocessing === undefined ? {} : { preprocessing }),
      });
      const ops = Object.entries(result.opTypes)
        .map(([op, n]) => `${op}×${n}`)
        .join(' ');
      const accuracy =
        result.testAccuracy === undefined ? 'unknown' : `${(result.testAccuracy * 100).toFixed(2)} %`;
      const kind = embed
        ? `, raw input [N, ${JSON.parse(result.metadata['conv3d.input_shape'] ?? '[]')[0]}] with ${result.metadata['conv3d.preprocessing']} embedded`
        : '';
      io.log(
        `wrote ${out}: ${result.bytes} bytes, ${result.nodes} nodes (${ops}), ${result.parameters} parameters, test accuracy ${accuracy}${kind}`,
      );
      io.log(
        result.freeSize
          ? `input size: free (${result.inputShapes.map((s) => `[${s.join(', ')}]`).join(', ')})`
          : `input size: fixed (${result.inputShapes.map((s) => `[${s.join(', ')}]`).join(', ')})${result.fixedSizeReason === undefined ? '' : `: ${result.fixedSizeReason}`}`,
      );
      if (Object.keys(result.metadata).length === 0) {
        io.log(`no conv3d contract found in ${result.modelJson}: wrote a plain ONNX (no conv3d.* metadata)`);
      }
    },
    io,
  );
}

/** `--input-shape 64,64,64,1` → [64, 64, 64, 1]. */
function parseInputShape(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const dims = value.split(',').map((d) => Number(d.trim()));
  if (dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new UsageError(
      `--input-shape '${value}' is not a comma-separated list of positive integers (e.g. 64,64,64,1)`,
    );
  }
  return dims;
}
