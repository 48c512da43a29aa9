import { ExportError, type LayerRef } from './errors.js';
import type { Shape } from './graph.js';

/**
 * ONNX `pads` ([begin…, end…]) reproducing tfjs padding for windows over the spatial dims.
 * tfjs 'same' gives ceil(in / stride) outputs and puts floor(total / 2) first, the rest last (= SAME_UPPER).
 */
export function onnxPads(
  layer: LayerRef,
  inputShape: Shape,
  padding: 'valid' | 'same',
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
): number[] {
  const n = kernel.length;
  if (padding === 'valid') return new Array<number>(2 * n).fill(0);
  const begins: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < n; i++) {
    const size = inputShape[i + 1];
    if (typeof size !== 'number') {
      throw new ExportError(
        `layer '${layer.name}' (${layer.className}): padding 'same' needs static spatial input dims, got ${JSON.stringify(inputShape)}`,
      );
    }
    const stride = strides[i] as number;
    const effectiveKernel = ((kernel[i] as number) - 1) * (dilations[i] as number) + 1;
    const out = Math.ceil(size / stride);
    const total = Math.max(0, (out - 1) * stride + effectiveKernel - size);
    begins.push(Math.floor(total / 2));
    ends.push(total - Math.floor(total / 2));
  }
  return [...begins, ...ends];
}
