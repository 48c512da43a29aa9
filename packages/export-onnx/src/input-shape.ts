// `--input-shape`: the same model and weights with another saved input shape, rebuilt from its own config so
// every layer's output shape (and so every size-dependent padding) is computed by tfjs for the new size.
import * as tf from '@tensorflow/tfjs';
import { ExportError } from './errors.js';

interface LayerJson {
  class_name: string;
  config: { batch_input_shape?: (number | null)[]; layers?: LayerJson[] };
}

export async function withInputShape(
  model: tf.LayersModel,
  shape: readonly number[],
): Promise<tf.LayersModel> {
  if (model.inputs.length !== 1) {
    throw new ExportError(
      `--input-shape needs a model with one input, model '${model.name}' has ${model.inputs.length}`,
    );
  }
  const saved = (model.inputs[0] as tf.SymbolicTensor).shape.slice(1);
  if (saved.length !== shape.length) {
    throw new ExportError(
      `--input-shape ${shape.join(',')} has ${shape.length} dims, model '${model.name}' takes ${saved.length} (${JSON.stringify(saved)})`,
    );
  }
  const json = model.toJSON(null, false) as unknown as LayerJson;
  const layers = json.config.layers ?? [];
  // Functional: the InputLayer entries; Sequential: the first layer carries batch_input_shape.
  const targets = layers.filter((l) => l.class_name === 'InputLayer');
  for (const layer of targets.length > 0 ? targets : layers.slice(0, 1))
    layer.config.batch_input_shape = [null, ...shape];
  let rebuilt: tf.LayersModel;
  try {
    rebuilt = await tf.models.modelFromJSON({
      modelTopology: json as unknown as tf.io.ModelJSON['modelTopology'],
    });
  } catch (error) {
    throw new ExportError(
      `--input-shape ${shape.join(',')} does not fit model '${model.name}': ${(error as Error).message.split('\n')[0]}`,
    );
  }
  rebuilt.setWeights(model.getWeights());
  return rebuilt;
}
