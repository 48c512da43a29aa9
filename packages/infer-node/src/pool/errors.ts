import { ContractError, InputError } from '@conv3d/core';
import type { SerializedError } from './messages.js';

const KINDS: Record<string, new (message: string) => Error> = {
  InputError,
  ContractError,
  TypeError,
  RangeError,
};

/** Rebuilds a worker's error on the main thread with its class, so callers tell bad input from failures. */
export function revive(error: SerializedError): Error {
  const Kind = KINDS[error.name];
  if (Kind !== undefined) return new Kind(error.message);
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}
