// The one CLI skeleton of every conv3d command: node:util parseArgs, --help on stdout, and one exit-code rule:
// 0 on success, 1 on a failure (one line naming the file, field or layer), 2 on a usage error.
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A command-line mistake: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a command writes: one line per call. */
export interface CliIo {
  log(line: string): void;
  error(line: string): void;
}

export const processIo: CliIo = {
  log: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};

export interface CliInfo {
  /** The command's name, prefixed to every error line. */
  name: string;
  /** Printed by --help / -h. */
  usage: string;
}

/** A command: a number it resolves to is its exit code (anything else: 0); it throws to fail (UsageError: 2, else 1). */
export type CliMain = (argv: readonly string[], io: CliIo) => unknown;

/**
 * Runs a command and returns its exit code. --help or -h anywhere before `--` prints the usage and exits 0;
 * every error is one line on `io.error`, prefixed with the command name.
 */
export async function runCli(
  cli: CliInfo,
  argv: readonly string[],
  main: CliMain,
  io: CliIo = processIo,
): Promise<number> {
  const end = argv.indexOf('--');
  const flags = end < 0 ? argv : argv.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) {
    io.log(cli.usage);
    return 0;
  }
  try {
    const code = await main(argv, io);
    return typeof code === 'number' ? code : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.error(`${cli.name}: ${oneLine(error.message)} (see ${cli.name} --help)`);
      return 2;
    }
    io.error(`${cli.name}: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }
}

/** The entry point of a bin: runs the command on process.argv and sets process.exitCode. */
export async function runMain(cli: CliInfo, main: CliMain): Promise<void> {
  process.exitCode = await runCli(cli, process.argv.slice(2), main);
}

/** node:util parseArgs (strict) whose errors become one-line UsageErrors. */
export function parseCommandLine<const T extends Omit<ParseArgsConfig, 'args' | 'strict'>>(
  argv: readonly string[],
  config: T,
): ReturnType<typeof parseArgs<T & { strict: true }>> {
  try {
    return parseArgs({ ...config, args: [...argv], strict: true }) as ReturnType<
      typeof parseArgs<T & { strict: true }>
    >;
  } catch (error) {
    if (isParseError(error)) throw new UsageError(parseErrorMessage(error.message));
    throw error;
  }
}

function isParseError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
}

/** parseArgs explains at length; the first sentence is the fact, and a missing value reads as one. */
function parseErrorMessage(message: string): string {
  const missing = /^Option '(-[^ ']+)(?:, -[^ ']+)?(?: <value>)?' argument (?:missing|is ambiguous)/.exec(
    message,
  );
  if (missing) return `${missing[1]}: missing value`;
  return (message.split(/\.\s/, 1)[0] ?? message).trim();
}

/** Keeps a message on one line: runtime and fs errors sometimes span several. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
