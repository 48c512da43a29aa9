// The BatchNormalization layer (ours, for 5-D inputs, see layers/batch-normalization.ts) with its
// training-mode call as one fused kernel and one fused gradient on the fast CPU backend. The
// moving mean and variance are updated with exactly tfjs's arithmetic; inference, other backends
// and configurations the kernel does not take (an axis other than the last, no center or scale)
// are the parent's. Registered under tfjs's class name, like the parent.
import * as tf from '@tensorflow/tfjs';
import { BatchNormalization as RankFiveBatchNormalization } from '../layers/batch-normalization.js';
import { fusedBatchNormAvailable, fusedBatchNormTraining } from './fused-batch-norm.js';
import { markRectified } from './rectified.js';
import { plainRelu, ReLU } from './relu-layer.js';

type Kwargs = Parameters<tf.layers.Layer['call']>[1];

/** The fields of tfjs's BatchNormalization this one reads (private in tfjs's typings). */
interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/** tfjs's doMovingAverage: value' = value - (value - batch) * (1 - momentum). */
function movingAverage(variable: tf.LayerVariable, batch: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const original = variable.read();
    variable.write(tf.sub(original, tf.mul(tf.sub(original, batch), 1 - momentum)));
  });
}

export class BatchNormalization extends RankFiveBatchNormalization {
  static override readonly className = 'BatchNormalization';

  /**
   * Set (by fuseBatchNormRelu) when a plain ReLU layer is this layer's only consumer: training
   * calls then return relu(normalised x) in one kernel, and that ReLU passes it through.
   */
  reluFollows = false;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const f = this as unknown as BatchNormFields;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const fusable =
      kwargs.training === true &&
      x !== undefined &&
      x.dtype === 'float32' &&
      (f.axis === -1 || f.axis === x.rank - 1) &&
      f.center &&
      f.scale &&
      fusedBatchNormAvailable();
    if (!fusable) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = fusedBatchNormTraining(
        x,
        f.gamma.read() as tf.Tensor1D,
        f.beta.read() as tf.Tensor1D,
        f.epsilon,
        this.reluFollows,
      );
      movingAverage(f.movingMean, mean, f.momentum);
      movingAverage(f.movingVariance, variance, f.momentum);
      if (this.reluFollows) markRectified(y);
      return y;
    });
  }
}

/**
 * Marks each BatchNormalization of a model (Sequential or a functional graph) whose output feeds
 * exactly one layer, a plain ReLU (no maxValue), for the fused BatchNormalization + ReLU kernel. A
 * layer called more than once, or whose output also goes elsewhere (a skip connection), is left
 * alone: its other consumers must see the values before the ReLU. Weights, configs and inference
 * are unchanged: only training calls on the fast CPU backend take the fused path.
 */
export function fuseBatchNormRelu(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (!(layer instanceof BatchNormalization)) continue;
    const consumers = layer.inboundNodes.length === 1 ? layer.outboundNodes : [];
    const next = consumers.length === 1 ? consumers[0]?.outboundLayer : undefined;
    layer.reluFollows = next instanceof ReLU && plainRelu(next);
  }
}

tf.serialization.registerClass(
  BatchNormalization as unknown as tf.serialization.SerializableConstructor<BatchNormalization>,
);
