import { describe, expect, it } from 'vitest';
import { compareAll, comparePair, parityMarkdown, type RuntimeResult } from './parity/compare.js';

const result = (runtime: string, rows: number[][], gpu = false): RuntimeResult => ({
  runtime,
  unavailable: null,
  probabilities: rows.map((r) => Float32Array.from(r)),
  gpu,
});

describe('parity comparison', () => {
  it('passes identical outputs and reports zero difference', () => {
    const p = comparePair(result('a', [[0.2, 0.8]]), result('b', [[0.2, 0.8]]));
    expect(p).toMatchObject({ status: 'ok', maxAbsDiff: 0, argmaxAgreement: 1, tolerance: 1e-5 });
  });

  it('fails a CPU pair past 1e-5 but passes the same gap with a GPU runtime', () => {
    const a = result('a', [[0.2, 0.8]]);
    expect(comparePair(a, result('b', [[0.2 + 5e-5, 0.8 - 5e-5]])).status).toBe('FAIL');
    expect(comparePair(a, result('gpu', [[0.2 + 5e-5, 0.8 - 5e-5]], true)).status).toBe('ok');
  });

  it('fails on a different argmax even within tolerance, and on NaN', () => {
    const a = result('a', [[0.5, 0.500001]]);
    expect(comparePair(a, result('b', [[0.500001, 0.5]])).status).toBe('FAIL');
    expect(comparePair(a, result('c', [[Number.NaN, 0.5]])).status).toBe('FAIL');
  });

  it('reports an absent runtime as not available, never as a pass', () => {
    const absent: RuntimeResult = { runtime: 'cuda', unavailable: 'no CUDA', probabilities: [], gpu: true };
    const pairs = compareAll([result('a', [[1, 0]]), absent, result('b', [[1, 0]])]);
    expect(pairs.map((p) => p.status)).toEqual(['not available', 'ok', 'not available']);
    expect(parityMarkdown(pairs, [absent])).toContain('not available (no CUDA)');
  });
});
