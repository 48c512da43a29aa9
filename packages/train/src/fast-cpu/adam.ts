// tfjs's Adam with the whole update of every variable in one native call on the fast CPU
// backend, instead of ~15 small kernels per variable. Same arithmetic in the same float32 order
// (native/adam.cc), so the same weights, moments and beta powers as tfjs's AdamOptimizer; state,
// getWeights/setWeights and checkpoints are the parent's. On any other backend it is the parent.
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { activeNativeKernels } from './active.js';
import { PooledCpuBackend } from './pooled-backend.js';

type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
type NamedGradient = { name: string; tensor: tf.Tensor };

interface Moment {
  originalName: string;
  variable: tf.Variable;
}

/** AdamOptimizer's fields (protected or private in tfjs's typings). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
  incrementIterations(): void;
}

const f32 = Math.fround;

export class FastAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    const native = activeNativeKernels();
    const list: NamedGradient[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({
          name,
          tensor: variableGradients[name] as tf.Tensor,
        }));
    const backend = tf.backend() as MathBackendCPU;
    const onBackend = (t: tf.Tensor): boolean => t.dtype === 'float32' && backend.data.has(t.dataId);
    const values = list.map(({ name }) => tf.engine().registeredVariables[name]);
    if (
      native === undefined ||
      values.some((v) => v === undefined || !onBackend(v)) ||
      list.some(({ tensor }) => tensor != null && !onBackend(tensor))
    ) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamState;
    // The update writes every value of the new arrays, so recycled memory needs no clearing.
    const take = (size: number): Float32Array =>
      backend instanceof PooledCpuBackend ? backend.pool.take(size) : new Float32Array(size);
    const read = (t: tf.Tensor): Float32Array => {
      const stored = backend.data.get(t.dataId)?.values;
      // A float32 tensor cast from int32 shares the int32 values (tfjs's cpu cast copies nothing).
      return stored instanceof Float32Array ? stored : Float32Array.from(stored as ArrayLike<number>);
    };
    const arrays: Float32Array[] = [];
    const updates: Array<{ targets: tf.Variable[]; fresh: Float32Array[] }> = [];
    list.forEach(({ name, tensor: gradient }, i) => {
      const value = values[i] as tf.Variable;
      // Created exactly as tfjs's applyGradients creates them, so getWeights() names and orders match.
      self.accumulatedFirstMoment[i] ??= {
        originalName: `${name}/m`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      self.accumulatedSecondMoment[i] ??= {
        originalName: `${name}/v`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      if (gradient == null) return;
      const m = self.accumulatedFirstMoment[i].variable;
      const v = self.accumulatedSecondMoment[i].variable;
      const size = value.size;
      const fresh = [take(size), take(size), take(size)];
      arrays.push(read(value), read(m), read(v), read(gradient), ...fresh);
      updates.push({ targets: [value, m, v], fresh });
    });
    const accBeta1 = self.accBeta1.dataSync()[0] as number;
    const accBeta2 = self.accBeta2.dataSync()[0] as number;
    const beta1 = f32(self.beta1);
    const beta2 = f32(self.beta2);
    native.adam(
      arrays,
      Float64Array.of(
        beta1,
        f32(1 - self.beta1),
        beta2,
        f32(1 - self.beta2),
        f32(1 - accBeta1),
        f32(1 - accBeta2),
        f32(-self.learningRate),
        f32(self.epsilon),
      ),
    );
    // New tensors take over the fresh arrays without a copy; assign swaps them into the variables.
    for (const { targets, fresh } of updates) {
      targets.forEach((target, j) => {
        const next = tf.tensor(fresh[j] as Float32Array, target.shape, 'float32');
        target.assign(next);
        next.dispose();
      });
    }
    tf.tidy(() => {
      self.accBeta1.assign(tf.scalar(f32(accBeta1 * beta1)));
      self.accBeta2.assign(tf.scalar(f32(accBeta2 * beta2)));
    });
    self.incrementIterations();
  }
}

/** tf.train.adam's signature and defaults, as a FastAdamOptimizer. */
export function fastAdam(
  learningRate = 0.001,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon: number | null = null,
): tf.AdamOptimizer {
  return new FastAdamOptimizer(learningRate, beta1, beta2, epsilon ?? undefined);
}
