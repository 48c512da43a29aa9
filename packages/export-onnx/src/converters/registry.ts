// The registry: tfjs layer class name → converter. Like tfjs's own registries, a name is registered once.
import { ExportError } from '../errors.js';
import type { Converter } from './types.js';

const converters = new Map<string, Converter>();

/** The live registry (built-in converters and the ones registered with `registerConverter`). */
export const REGISTRY: ReadonlyMap<string, Converter> = converters;

/**
 * Registers the converter of a tfjs layer class (its `getClassName()`), e.g. the user's own custom layer.
 * A class name that already has a converter throws.
 */
export function registerConverter(className: string, converter: Converter): void {
  if (typeof className !== 'string' || className === '') {
    throw new ExportError(
      `registerConverter: className must be a non-empty string, got ${JSON.stringify(className)}`,
    );
  }
  if (typeof converter?.convert !== 'function') {
    throw new ExportError(`registerConverter('${className}'): the converter has no convert(args) function`);
  }
  if (converters.has(className)) {
    throw new ExportError(
      `registerConverter: a converter for layer class '${className}' is already registered`,
    );
  }
  converters.set(className, converter);
}
