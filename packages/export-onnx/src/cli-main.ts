// conv3d-export <run-dir|model.json> [--out model.onnx], on the shared CLI skeleton.
import { type CliIo, parseCommandLine, processIo, runCli as runCommand, UsageError } from '@conv3d/core/node';
import { exportModelFile } from './export-file.js';

const CLI = { name: 'conv3d-export', usage: 'usage: conv3d-export <run-dir|model.json> [--out model.onnx]' };

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage error). Every failure is one line on `io.error`. */
export function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  return runCommand(
    CLI,
    argv,
    async (args) => {
      const { values, positionals } = parseCommandLine(args, {
        options: { out: { type: 'string', short: 'o' } },
        allowPositionals: true,
      });
      if (positionals.length !== 1) throw new UsageError(`expected one input, got ${positionals.length}`);
      const out = values.out ?? 'model.onnx';
      const result = await exportModelFile(positionals[0] as string, out);
      const ops = Object.entries(result.opTypes)
        .map(([op, n]) => `${op}×${n}`)
        .join(' ');
      const accuracy =
        result.testAccuracy === undefined ? 'unknown' : `${(result.testAccuracy * 100).toFixed(2)} %`;
      io.log(
        `wrote ${out}: ${result.bytes} bytes, ${result.nodes} nodes (${ops}), ${result.parameters} parameters, test accuracy ${accuracy}`,
      );
    },
    io,
  );
}
