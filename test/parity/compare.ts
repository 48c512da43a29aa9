// Pairwise agreement of class probabilities across runtimes, and the parity table written as a test artifact.

export interface RuntimeResult {
  runtime: string;
  /** Why the runtime could not run here, or null when it ran. */
  unavailable: string | null;
  /** One row of class probabilities per sample (empty when unavailable). */
  probabilities: Float32Array[];
  /** True for GPU-precision runtimes (looser tolerance). */
  gpu: boolean;
}

export interface PairStats {
  a: string;
  b: string;
  status: 'ok' | 'FAIL' | 'not available';
  samples: number;
  maxAbsDiff: number | null;
  meanAbsDiff: number | null;
  argmaxAgreement: number | null;
  tolerance: number;
  note?: string;
}

/** Tolerance on softmax outputs: CPU and wasm pairs must agree within 1e-5, a pair with a GPU runtime within 1e-4. */
export function toleranceFor(a: RuntimeResult, b: RuntimeResult): number {
  return a.gpu || b.gpu ? 1e-4 : 1e-5;
}

export function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

export function comparePair(a: RuntimeResult, b: RuntimeResult): PairStats {
  const tolerance = toleranceFor(a, b);
  const missing = a.unavailable ?? b.unavailable;
  if (missing !== null) {
    return {
      a: a.runtime,
      b: b.runtime,
      status: 'not available',
      samples: 0,
      maxAbsDiff: null,
      meanAbsDiff: null,
      argmaxAgreement: null,
      tolerance,
      note: `${a.unavailable !== null ? a.runtime : b.runtime}: ${missing}`,
    };
  }
  if (a.probabilities.length !== b.probabilities.length) {
    throw new Error(
      `${a.runtime} gave ${a.probabilities.length} rows, ${b.runtime} ${b.probabilities.length}`,
    );
  }
  let max = 0;
  let sum = 0;
  let values = 0;
  let agree = 0;
  for (let s = 0; s < a.probabilities.length; s++) {
    const ra = a.probabilities[s] as Float32Array;
    const rb = b.probabilities[s] as Float32Array;
    if (ra.length !== rb.length)
      throw new Error(`sample ${s}: ${a.runtime} and ${b.runtime} disagree on classes`);
    for (let k = 0; k < ra.length; k++) {
      // NaN must fail the comparison, so it is turned into an infinite difference.
      const d = Math.abs((ra[k] as number) - (rb[k] as number));
      const diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
      if (diff > max) max = diff;
      sum += diff;
      values++;
    }
    if (argmax(ra) === argmax(rb)) agree++;
  }
  const samples = a.probabilities.length;
  const argmaxAgreement = samples ? agree / samples : 0;
  const ok = samples > 0 && max <= tolerance && agree === samples;
  return {
    a: a.runtime,
    b: b.runtime,
    status: ok ? 'ok' : 'FAIL',
    samples,
    maxAbsDiff: max,
    meanAbsDiff: values ? sum / values : 0,
    argmaxAgreement,
    tolerance,
  };
}

/** Every unordered pair of runtimes, in the given order. */
export function compareAll(results: readonly RuntimeResult[]): PairStats[] {
  const pairs: PairStats[] = [];
  for (let i = 0; i < results.length; i++) {
    for (let j = i + 1; j < results.length; j++) {
      pairs.push(comparePair(results[i] as RuntimeResult, results[j] as RuntimeResult));
    }
  }
  return pairs;
}

const fmt = (v: number | null): string => (v === null ? '—' : v.toExponential(2));

export function parityMarkdown(pairs: readonly PairStats[], runtimes: readonly RuntimeResult[]): string {
  const lines = [
    '| runtime A | runtime B | status | samples | max abs diff | mean abs diff | argmax agreement | tolerance |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...pairs.map(
      (p) =>
        `| ${p.a} | ${p.b} | ${p.status} | ${p.samples} | ${fmt(p.maxAbsDiff)} | ${fmt(p.meanAbsDiff)} | ${
          p.argmaxAgreement === null ? '—' : `${(p.argmaxAgreement * 100).toFixed(1)} %`
        } | ${p.tolerance.toExponential(0)} |`,
    ),
    '',
    ...runtimes.map(
      (r) => `- ${r.runtime}: ${r.unavailable === null ? 'ran' : `not available (${r.unavailable})`}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
