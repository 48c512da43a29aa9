// Jobs run on worker threads and their results handed back in job order, with memory bounded: a worker gets its
// next job only while fewer than 2·workers finished results wait for an earlier one. Used by `build` (blocks of
// 3D MNIST rows) and `pack` (one scan per job).
import { Worker } from 'node:worker_threads';

/** A job carries its position in the list: results are written in this order. */
export interface OrderedJob {
  index: number;
}

/** What a worker posts: progress ticks (rows or scans done) and one result per job. */
export type PoolMessage<J extends OrderedJob, R> =
  | { kind: 'progress'; rows: number }
  | { kind: 'done'; job: J; result: R };

/**
 * The worker script is compiled JS and must load compiled dependencies: a parent run on TypeScript sources (e.g.
 * vitest's `--conditions source`) would otherwise hand the worker `@conv3d/core`'s .ts entry. `--input-type` (a
 * parent run as `node --input-type=module -e ...`) applies to string input only and makes a worker file fail.
 */
function compiledExecArgv(): string[] {
  const argv: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i] as string;
    const next = process.execArgv[i + 1];
    if (((arg === '--conditions' || arg === '-C') && next === 'source') || arg === '--input-type') i++;
    else if (arg !== '--conditions=source' && !arg.startsWith('--input-type=')) argv.push(arg);
  }
  return argv;
}

/** Runs `jobs` on `count` workers of `script` (given `workerData`) and calls `write` for each result in job order. */
export function runOrdered<J extends OrderedJob, R>(
  jobs: readonly J[],
  script: URL,
  workerData: unknown,
  count: number,
  progress: (rows: number) => void,
  write: (job: J, result: R) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const pool = Array.from(
      { length: Math.min(count, jobs.length) },
      () => new Worker(script, { workerData, execArgv: compiledExecArgv() }),
    );
    if (pool.length === 0) return resolve();
    const finished = new Map<number, R>();
    const idle: Worker[] = [];
    let next = 0;
    let written = 0;
    let failed = false;
    const stop = (error?: unknown): void => {
      for (const worker of pool) void worker.terminate();
      if (error === undefined) resolve();
      else reject(error);
    };
    const dispatch = (): void => {
      while (idle.length > 0 && next < jobs.length && finished.size < 2 * pool.length) {
        const worker = idle.pop() as Worker;
        worker.postMessage(jobs[next++] as J);
      }
    };
    for (const worker of pool) {
      worker.on('message', (message: PoolMessage<J, R>) => {
        if (failed) return;
        if (message.kind === 'progress') return progress(message.rows);
        try {
          finished.set(message.job.index, message.result);
          while (finished.has(written)) {
            const result = finished.get(written) as R;
            finished.delete(written);
            write(jobs[written] as J, result);
            written++;
          }
        } catch (error) {
          failed = true;
          return stop(error);
        }
        if (written === jobs.length) return stop();
        idle.push(worker);
        dispatch();
      });
      worker.on('error', (error) => {
        if (failed) return;
        failed = true;
        stop(error);
      });
      worker.on('exit', (code) => {
        if (failed || written === jobs.length || code === 0) return;
        failed = true;
        stop(new Error(`a worker exited with code ${code}`));
      });
      idle.push(worker);
    }
    dispatch();
  });
}
