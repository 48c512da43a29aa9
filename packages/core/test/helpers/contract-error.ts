import { expect } from 'vitest';
import { ContractError, contractFromMetadata } from '../../src/index.js';

/** The one-line ContractError that reading `meta` (as 'm.onnx') throws; fails the test when it reads fine. */
export function contractErrorOf(meta: Record<string, string>): string {
  try {
    contractFromMetadata(meta, 'm.onnx');
  } catch (error) {
    expect(error).toBeInstanceOf(ContractError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected a ContractError');
}
