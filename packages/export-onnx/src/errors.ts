/** Every failure of the exporter: one line naming the file, layer or option at fault. */
export class ExportError extends Error {
  override name = 'ExportError';
}

/** Identifies a layer in error messages: `layer 'conv3d_1' (Conv3D)`. */
export interface LayerRef {
  name: string;
  className: string;
}

export function unsupportedOption(layer: LayerRef, option: string, detail: string): ExportError {
  return new ExportError(`layer '${layer.name}' (${layer.className}): ${option} ${detail} is not supported`);
}

/**
 * Thrown while converting with free (symbolic) spatial sizes by a layer that needs the saved sizes; the export
 * then converts again with the saved sizes. The message says which layer and why.
 */
export class FixedSizeNeeded extends Error {
  override name = 'FixedSizeNeeded';
}
