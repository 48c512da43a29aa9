// conv3d-export <run-dir|model.json> [--out model.onnx] [--embed-preprocessing] [--preprocessing ID]
import { parseArgs } from 'node:util';
import { PREPROCESSING_IDS, type PreprocessingId } from './contract-metadata.js';
import { ExportError, oneLine } from './errors.js';
import { exportModelFile } from './export-file.js';
import type { ExportOptions } from './export-model.js';

const USAGE = `usage: conv3d-export <run-dir|model.json> [--out model.onnx] [--embed-preprocessing] [--preprocessing ${PREPROCESSING_IDS.join('|')}]`;

export interface CliIo {
  log(line: string): void;
  error(line: string): void;
}

/** Runs the CLI; returns the exit code. Every failure is one line on `io.error`. */
export async function runCli(argv: readonly string[], io: CliIo = console): Promise<number> {
  let input: string;
  let out: string;
  let options: ExportOptions;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        out: { type: 'string', short: 'o' },
        'embed-preprocessing': { type: 'boolean' },
        preprocessing: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
    if (values.help) {
      io.log(USAGE);
      return 0;
    }
    if (positionals.length !== 1)
      throw new ExportError(`expected one input, got ${positionals.length}; ${USAGE}`);
    input = positionals[0] as string;
    out = values.out ?? 'model.onnx';
    const preprocessing = values.preprocessing;
    if (preprocessing !== undefined && !(PREPROCESSING_IDS as readonly string[]).includes(preprocessing)) {
      throw new ExportError(
        `--preprocessing '${preprocessing}' is not one of ${PREPROCESSING_IDS.join(', ')}; ${USAGE}`,
      );
    }
    options = {
      embedPreprocessing: values['embed-preprocessing'] === true,
      ...(preprocessing === undefined ? {} : { preprocessing: preprocessing as PreprocessingId }),
    };
  } catch (error) {
    io.error(`conv3d-export: ${oneLine((error as Error).message)}`);
    return 2;
  }
  try {
    const result = await exportModelFile(input, out, options);
    const ops = Object.entries(result.opTypes)
      .map(([op, n]) => `${op}×${n}`)
      .join(' ');
    const accuracy =
      result.testAccuracy === undefined ? 'unknown' : `${(result.testAccuracy * 100).toFixed(2)} %`;
    const kind = options.embedPreprocessing
      ? `, raw input [N, ${result.metadata['conv3d.input_shape']?.slice(1, -1)}] with ${result.metadata['conv3d.preprocessing']} embedded`
      : '';
    io.log(
      `wrote ${out}: ${result.bytes} bytes, ${result.nodes} nodes (${ops}), ${result.parameters} parameters, test accuracy ${accuracy}${kind}`,
    );
    return 0;
  } catch (error) {
    io.error(`conv3d-export: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }
}
