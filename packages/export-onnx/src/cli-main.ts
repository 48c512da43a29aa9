// conv3d-export <run-dir|model.json>... [--out model.onnx] [--fixed-size | --input-shape D,H,W,C]
// [--embed-preprocessing [--opencv-compatible]] [--preprocessing ID] [--task classify|segment --labels a,b,c
// [--grid D,H,W]], on the shared CLI skeleton.
import { isOrientation, METADATA_KEYS, preprocessingIds, TASKS, type Task } from '@conv3d/core';
import { type CliIo, parseCommandLine, processIo, runCli as runCommand, UsageError } from '@conv3d/core/node';
import { exportEnsemble } from './ensemble-cli.js';
import { exportModelFile } from './export-file.js';

const CLI = {
  name: 'conv3d-export',
  usage:
    'usage: conv3d-export <run-dir|model.json>... [--out model.onnx] [--fixed-size | --input-shape D,H,W,C] [--embed-preprocessing [--opencv-compatible]] [--preprocessing ID]\n' +
    '                     [--task classify|segment --labels a,b,c [--grid D,H,W] [--orientation CODE]]\n' +
    '  --fixed-size           keep the saved input size (default: symbolic spatial dims when every layer allows it)\n' +
    '  --input-shape D,H,W,C  export for this input shape (without the batch)\n' +
    '  several inputs (or an ensemble run folder): one file whose output is the mean of their probabilities\n' +
    '  --embed-preprocessing  put the contract preprocessing in the graph: raw rows [N, V] in, probabilities out\n' +
    '  --opencv-compatible    with --embed-preprocessing: only ops OpenCV 4.6 DNN imports (slower in onnxruntime)\n' +
    `  --preprocessing ID     override the model contract preprocessing (${preprocessingIds().join(', ')})\n` +
    "  --task, --labels       give a model without a contract one (labels in output order; a segmenter's output is\n" +
    '                         [N, D, H, W, K] channels last), with --preprocessing (default none); --grid: its\n' +
    '                         training patch when the model input size is free; --orientation: the axis codes its\n' +
    "                         volumes are in (RAS, FreeSurfer's LIA, ...; 'stored': as the scan stores them)",
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
          task: { type: 'string' },
          labels: { type: 'string' },
          grid: { type: 'string' },
          orientation: { type: 'string' },
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
      const contractOptions = contractOptionsFrom(values);
      const ensembleOptions = {
        embedPreprocessing: embed,
        opencvCompatible,
        ...(preprocessing === undefined ? {} : { preprocessing }),
      };
      const ensemble =
        contractOptions === undefined ? await exportEnsemble(positionals, out, ensembleOptions) : undefined;
      if (ensemble !== undefined) {
        io.log(ensemble);
        return;
      }
      const result = await exportModelFile(positionals[0] as string, out, {
        embedPreprocessing: embed,
        opencvCompatible,
        fixedSize: values['fixed-size'] === true,
        ...(inputShape === undefined ? {} : { inputShape }),
        ...(contractOptions === undefined
          ? preprocessing === undefined
            ? {}
            : { preprocessing }
          : { contractOptions: { ...contractOptions, ...(preprocessing && { preprocessing }) } }),
      });
      const ops = Object.entries(result.opTypes)
        .map(([op, n]) => `${op}×${n}`)
        .join(' ');
      const accuracy =
        result.testAccuracy === undefined ? 'unknown' : `${(result.testAccuracy * 100).toFixed(2)} %`;
      const kind = embed
        ? `, raw input [N, ${JSON.parse(result.metadata['conv3d.input_shape'] ?? '[]')[0]}] with ${result.metadata['conv3d.preprocessing']} embedded`
        : '';
      const meta = result.metadata;
      const task =
        meta[METADATA_KEYS.task] === 'segment'
          ? `, segmenter: ${JSON.parse(meta[METADATA_KEYS.labels] ?? '[]').length} labels per voxel, output [N, D, H, W, K] ${meta[METADATA_KEYS.voxelOutput]}, ${meta[METADATA_KEYS.freeSize] === 'true' ? 'any volume size' : `patch ${meta[METADATA_KEYS.grid]} (larger volumes in sliding windows)`}`
          : '';
      io.log(
        `wrote ${out}: ${result.bytes} bytes, ${result.nodes} nodes (${ops}), ${result.parameters} parameters, test accuracy ${accuracy}${kind}${task}`,
      );
      io.log(
        result.freeSize
          ? `input size: free (${result.inputShapes.map((s) => `[${s.join(', ')}]`).join(', ')})`
          : `input size: fixed (${result.inputShapes.map((s) => `[${s.join(', ')}]`).join(', ')})${result.fixedSizeReason === undefined ? '' : `: ${result.fixedSizeReason}`}`,
      );
      if (meta[METADATA_KEYS.contractVersion] === undefined) {
        io.log(
          `no conv3d contract found in ${result.modelJson}: wrote a plain ONNX (no conv3d.* metadata), which conv3d's runtimes refuse; give one with --task classify|segment --labels a,b,c [--preprocessing ID]`,
        );
      }
    },
    io,
  );
}

/** --task/--labels/--grid as ContractOptions; undefined when none is given. */
function contractOptionsFrom(values: {
  task?: string;
  labels?: string;
  grid?: string;
  orientation?: string;
}): { task: Task; labels: string[]; grid?: [number, number, number]; orientation?: string } | undefined {
  const { task, labels, grid, orientation } = values;
  if (task === undefined && labels === undefined && grid === undefined && orientation === undefined) {
    return undefined;
  }
  if (task === undefined || !TASKS.includes(task as Task)) {
    throw new UsageError(
      `--task must be one of ${TASKS.join(', ')} (with --labels), got ${task ?? 'nothing'}`,
    );
  }
  if (labels === undefined) throw new UsageError('--task needs --labels a,b,c (class names in output order)');
  let patch: [number, number, number] | undefined;
  if (grid !== undefined) {
    const parts = grid.split(',').map(Number);
    if (parts.length !== 3 || !parts.every((n) => Number.isInteger(n) && n > 0)) {
      throw new UsageError(`--grid must be D,H,W (3 positive integers), got '${grid}'`);
    }
    patch = parts as [number, number, number];
  }
  if (orientation !== undefined && !isOrientation(orientation)) {
    throw new UsageError(
      `--orientation must be 'stored' or 3 axis codes, one of L/R, P/A, I/S each (e.g. RAS, LIA), got '${orientation}'`,
    );
  }
  return {
    task: task as Task,
    labels: labels.split(',').map((l) => l.trim()),
    ...(patch && { grid: patch }),
    ...(orientation !== undefined && { orientation }),
  };
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
