import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CliMain,
  DiskFullError,
  isDiskFull,
  parseCommandLine,
  runCli,
  temporaryPath,
  UsageError,
  writeAtomic,
  writeFileAtomic,
} from '../src/node/index.js';

const dir = mkdtempSync(join(tmpdir(), 'conv3d-core-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('atomic writes', () => {
  it('knows a full disk by code (ENOSPC, EDQUOT) or by a library errno text, and nothing else', () => {
    expect(isDiskFull(Object.assign(new Error('write'), { code: 'ENOSPC' }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('write'), { code: 'EDQUOT' }))).toBe(true);
    expect(isDiskFull(new Error("H5Dwrite: errno = 28, error message = 'No space left on device'"))).toBe(
      true,
    );
    expect(isDiskFull(Object.assign(new Error('open'), { code: 'EACCES' }))).toBe(false);
    expect(isDiskFull('ENOSPC')).toBe(false);
  });

  it('create directories and replace a file whole', () => {
    const file = join(dir, 'a', 'b', 'out.txt');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, new TextEncoder().encode('two'));
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['out.txt']);
  });

  it('leave the old file and no temporary file when writing fails', async () => {
    const file = join(dir, 'kept.txt');
    writeFileAtomic(file, 'old');
    await expect(
      writeAtomic(file, async (tmp) => {
        writeFileSync(tmp, 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('say in one line that the disk is full, naming the file, and leave nothing half-written', async () => {
    const fresh = join(dir, 'fresh.bin');
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const attempt = writeAtomic(fresh, (tmp) => {
      writeFileSync(tmp, 'partial');
      throw enospc;
    });
    await expect(attempt).rejects.toThrow(DiskFullError);
    await expect(attempt).rejects.toThrow(
      `${fresh}: disk full (no space left on device); the partial file was removed, nothing was written`,
    );
    await expect(attempt).rejects.toMatchObject({ code: 'ENOSPC', file: fresh, cause: enospc });
    expect(existsSync(fresh)).toBe(false);
    // a library that reports errno only in its text (HDF5's error stack) is recognised too
    const kept = join(dir, 'kept-on-enospc.txt');
    writeFileAtomic(kept, 'old');
    await expect(
      writeAtomic(kept, () => {
        throw new Error("file write failed: errno = 28, error message = 'No space left on device'");
      }),
    ).rejects.toThrow(
      `${kept}: disk full (no space left on device); the partial file was removed, the previous file is unchanged`,
    );
    expect(readFileSync(kept, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it.runIf(existsSync('/dev/full'))(
    'turn a real ENOSPC (/dev/full) into the same line for a checkpoint',
    () => {
      const checkpoint = join(dir, 'checkpoint.json');
      writeFileAtomic(checkpoint, '{"epoch":1}');
      // the kernel's full device stands in for a full disk: every write to it fails with ENOSPC
      symlinkSync('/dev/full', temporaryPath(checkpoint));
      expect(() => writeFileAtomic(checkpoint, '{"epoch":2}')).toThrow(
        `${checkpoint}: disk full (no space left on device); the partial file was removed, the previous file is unchanged`,
      );
      expect(readFileSync(checkpoint, 'utf8')).toBe('{"epoch":1}');
      expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    },
  );

  it('fail without leftovers when the directory cannot exist', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    expect(() => writeFileAtomic(join(blocker, 'out.txt'), 'y')).toThrow(/ENOTDIR|EEXIST/);
    expect(existsSync(join(blocker, 'out.txt'))).toBe(false);
  });
});

describe('the CLI skeleton', () => {
  const cli = { name: 'conv3d-x', usage: 'usage: conv3d-x FILE [--n N]' };
  const options = { n: { type: 'string' }, verbose: { type: 'boolean' } } as const;
  async function run(
    argv: string[],
    main: CliMain = async (args) => {
      const { values, positionals } = parseCommandLine(args, { options, allowPositionals: true });
      if (positionals.length !== 1) throw new UsageError(`expected one FILE, got ${positionals.length}`);
      if (positionals[0] === 'broken') throw new Error('broken: not a model\n  at somewhere');
      return values.n === '7' ? 0 : undefined;
    },
  ) {
    const lines = { log: [] as string[], error: [] as string[] };
    const code = await runCli(cli, argv, main, {
      log: (l) => lines.log.push(l),
      error: (l) => lines.error.push(l),
    });
    return { code, ...lines };
  }

  it('exits 0 on success and on --help / -h, printing the usage on stdout', async () => {
    expect(await run(['f', '--n', '7'])).toEqual({ code: 0, log: [], error: [] });
    expect(await run(['f'])).toEqual({ code: 0, log: [], error: [] });
    for (const help of [['--help'], ['f', '-h']]) {
      expect(await run(help)).toEqual({ code: 0, log: [cli.usage], error: [] });
    }
  });

  it('exits 1 with one line on a failure', async () => {
    expect(await run(['broken'])).toEqual({
      code: 1,
      log: [],
      error: ['conv3d-x: broken: not a model at somewhere'],
    });
  });

  it.each([
    [['a', 'b'], 'conv3d-x: expected one FILE, got 2 (see conv3d-x --help)'],
    [['f', '--bogus'], "conv3d-x: Unknown option '--bogus' (see conv3d-x --help)"],
    [['f', '--n'], 'conv3d-x: --n: missing value (see conv3d-x --help)'],
    [['f', '--n', '--verbose'], 'conv3d-x: --n: missing value (see conv3d-x --help)'],
    [['f', '--verbose=yes'], "conv3d-x: Option '--verbose' does not take an argument (see conv3d-x --help)"],
  ])('exits 2 with one line on a usage error: %j', async (argv, line) => {
    expect(await run(argv)).toEqual({ code: 2, log: [], error: [line] });
  });

  it('returns the code a command chooses', async () => {
    expect((await run([], async () => 3)).code).toBe(3);
  });
});
