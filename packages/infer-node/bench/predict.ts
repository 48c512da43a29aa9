// Benchmark of @conv3d/infer-node on the seed architecture (seeded random weights), in one run:
// - predict() on 100 raw vectors (preprocessing included) vs raw onnxruntime-node on the preprocessed tensor;
// - the same against the same model in PyTorch CPU (bench/torch_predict.py, Debian's python3-torch);
// - batch-1 latency including preprocessing; cold load() in fresh processes.
// Run: npm run bench -w @conv3d/infer-node (builds first). Medians; writes artifacts/bench/results.json.
import { type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { mulberry32, preprocessBatch, SEED_CONTRACT } from '@conv3d/core';
import { writeFileAtomic } from '@conv3d/core/node';
import { load } from '@conv3d/infer-node';
import { InferenceSession, Tensor } from 'onnxruntime-node';

// Runs compiled, from build/bench/predict.js.
const PKG = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(PKG, 'artifacts', 'bench');
const PYTHON = '/usr/bin/python3';
const BATCH = 100;
const RUNS = Number(process.env.CONV3D_BENCH_RUNS ?? 30);
// onnxruntime's CPU EP uses one thread per core by default; PyTorch gets as many.
const THREADS = availableParallelism();

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const ms = (x: number): string => `${x.toFixed(3)} ms`;
const min = (xs: number[]): number => Math.min(...xs);

/** Seeded sparse raw vectors in [0, 1] with max 1, like 3D MNIST rows. */
function rawBatch(count: number, seed: number): Float64Array {
  const V = SEED_CONTRACT.rawLength;
  const out = new Float64Array(count * V);
  const next = mulberry32(seed);
  for (let s = 0; s < count; s++) {
    for (let i = 0; i < V; i++) if (next() < 0.12) out[s * V + i] = next();
    out[s * V + Math.floor(next() * V)] = 1;
  }
  return out;
}

/** bench/torch_predict.py as a long-lived process answering one line per command. */
class TorchProcess {
  private readonly pending: ((line: string) => void)[] = [];

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    createInterface({ input: child.stdout }).on('line', (line) => this.pending.shift()?.(line));
    child.on('exit', (code) => {
      if (this.pending.length > 0) throw new Error(`torch_predict.py exited early (code ${code})`);
    });
  }

  static async start(args: string[]): Promise<TorchProcess> {
    const torch = new TorchProcess(spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'inherit'] }));
    const ready = await torch.next();
    if (ready !== 'ready') throw new Error(`torch_predict.py: expected 'ready', got '${ready}'`);
    return torch;
  }

  send(command: string): Promise<string> {
    const answer = this.next();
    this.child.stdin.write(`${command}\n`);
    return answer;
  }

  close(): void {
    this.child.stdin.end();
  }

  private next(): Promise<string> {
    return new Promise((resolve) => this.pending.push(resolve));
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  execFileSync(PYTHON, [join(PKG, 'scripts', 'make-test-model.py'), '--seed-arch', OUT], {
    stdio: 'inherit',
  });
  const modelPath = join(OUT, 'seed-model.onnx');

  const raw = rawBatch(BATCH, 42);
  const tensorData = preprocessBatch(SEED_CONTRACT, raw, BATCH);
  const classifier = await load(modelPath, { device: 'cpu' });
  // The reference: onnxruntime-node with the session options load() uses, fed the preprocessed tensor.
  const session = await InferenceSession.create(readFileSync(modelPath), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  });
  const preprocessed = { data: tensorData, dims: [BATCH, 16, 16, 16, 3] };
  const feed = { input: new Tensor('float32', tensorData, [BATCH, 16, 16, 16, 3]) };

  const inputFile = join(OUT, 'input.f32');
  writeFileSync(inputFile, tensorData);
  const torch = await TorchProcess.start([
    join(PKG, 'bench', 'torch_predict.py'),
    join(OUT, 'seed-model.npz'),
    inputFile,
    String(BATCH),
    String(THREADS),
  ]);

  for (let i = 0; i < 5; i++) {
    await classifier.predict(raw);
    await session.run(feed);
  }
  // Interleaved, so the load of a shared machine hits all three sides alike.
  const ours: number[] = [];
  const oursTensor: number[] = [];
  const ort: number[] = [];
  const prep: number[] = [];
  const pytorch: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await classifier.predict(raw);
    ours.push(performance.now() - t);
    t = performance.now();
    await classifier.predict(preprocessed);
    oursTensor.push(performance.now() - t);
    t = performance.now();
    await session.run(feed);
    ort.push(performance.now() - t);
    t = performance.now();
    preprocessBatch(SEED_CONTRACT, raw, BATCH);
    prep.push(performance.now() - t);
    pytorch.push(Number(await torch.send('run')));
  }

  const one = raw.subarray(0, SEED_CONTRACT.rawLength);
  for (let i = 0; i < 50; i++) await classifier.predict(one);
  const single: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await classifier.predict(one);
    single.push(performance.now() - t);
  }

  const torchOut = join(OUT, 'torch-probs.f32');
  await torch.send(`save ${torchOut}`);
  torch.close();
  const torchBytes = readFileSync(torchOut);
  const torchProbs = new Float32Array(
    torchBytes.buffer.slice(torchBytes.byteOffset, torchBytes.byteOffset + torchBytes.byteLength),
  );
  const predictions = await classifier.predict(raw);
  let maxDiff = 0;
  predictions.forEach((p, s) => {
    p.probabilities.forEach((v, c) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - (torchProbs[s * 10 + c] as number)));
    });
  });
  await classifier.dispose();
  await session.release();

  // Cold load: a fresh process each time; load() timed apart from importing the package.
  const coldScript = `const t0 = performance.now(); const { load } = await import('@conv3d/infer-node');
const t1 = performance.now(); const c = await load(${JSON.stringify(modelPath)}, { device: 'auto' });
const t2 = performance.now(); console.log(JSON.stringify({ import: t1 - t0, load: t2 - t1, provider: c.provider }));`;
  const cold = Array.from({ length: 5 }, () =>
    JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', coldScript], { cwd: PKG }).toString(),
    ),
  ) as { import: number; load: number; provider: string }[];

  const results = {
    batch: BATCH,
    runs: RUNS,
    predictBatchMs: median(ours),
    rawOrtBatchMs: median(ort),
    predictTensorBatchMs: median(oursTensor),
    tensorRatioVsRawOrt: median(oursTensor) / median(ort),
    preprocessBatchMs: median(prep),
    ratioVsRawOrt: median(ours) / median(ort),
    // The least disturbed runs, for a machine shared with other work: medians stay the reported figures.
    minima: {
      predictBatchMs: min(ours),
      rawOrtBatchMs: min(ort),
      preprocessBatchMs: min(prep),
      torchBatchMs: min(pytorch),
    },
    loadAverage: loadavg()[0] ?? Number.NaN,
    torchBatchMs: median(pytorch),
    torchThreads: THREADS,
    throughputVsTorch: median(pytorch) / median(ours),
    maxAbsDiffVsTorch: maxDiff,
    batch1LatencyMs: median(single),
    coldLoadMs: median(cold.map((c) => c.load)),
    coldImportMs: median(cold.map((c) => c.import)),
    coldLoadProvider: cold[0]?.provider,
  };
  console.log(`predict, ${BATCH} raw vectors (incl. preprocessing): ${ms(results.predictBatchMs)}`);
  console.log(`  raw onnxruntime-node, preprocessed tensor:   ${ms(results.rawOrtBatchMs)}`);
  console.log(
    `  predict on the preprocessed tensor:           ${ms(results.predictTensorBatchMs)} (ratio ${results.tensorRatioVsRawOrt.toFixed(3)})`,
  );
  console.log(`  preprocessBatch alone (fresh output buffer):  ${ms(results.preprocessBatchMs)}`);
  console.log(`  ratio vs raw onnxruntime: ${results.ratioVsRawOrt.toFixed(3)} (target ≤ 1.10)`);
  const m = results.minima;
  console.log(
    `  minima: predict ${ms(m.predictBatchMs)}, raw ${ms(m.rawOrtBatchMs)} (ratio ${(m.predictBatchMs / m.rawOrtBatchMs).toFixed(3)}), preprocess ${ms(m.preprocessBatchMs)}, PyTorch ${ms(m.torchBatchMs)}`,
  );
  console.log(`PyTorch CPU (${THREADS} threads), same batch: ${ms(results.torchBatchMs)}`);
  console.log(
    `  throughput vs PyTorch: ${results.throughputVsTorch.toFixed(2)}× (target ≥ 2); max |Δp| ${maxDiff.toExponential(2)}`,
  );
  console.log(`batch-1 latency incl. preprocessing: ${ms(results.batch1LatencyMs)} (target ≤ 1 ms)`);
  console.log(
    `cold load(): ${ms(results.coldLoadMs)} (target ≤ 300 ms; import ${ms(results.coldImportMs)}; provider ${results.coldLoadProvider})`,
  );
  console.log(`load average (1 min) at the end: ${results.loadAverage.toFixed(2)} on ${THREADS} cores`);
  const file = join(OUT, 'results.json');
  writeFileAtomic(file, `${JSON.stringify(results, null, 2)}\n`);
}

await main();
