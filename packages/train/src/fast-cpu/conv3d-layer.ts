// tfjs's Conv3D layer, running as one fused kernel (conv + bias + ReLU, and the matching fused
// gradient) when the fast CPU backend is active; on any other backend, or for a configuration the
// fused kernel does not take, it is tfjs's own layer. Registered under tfjs's class name, so
// configs and saved model.json files are unchanged and loading a saved model picks it up.
import * as tf from '@tensorflow/tfjs';
import './conv3d-transpose-gradient.js';
import { fusedConv3d, fusedConv3dAvailable } from './fused-conv3d.js';

type Conv3DArgs = Parameters<typeof tf.layers.conv3d>[0];
type Kwargs = Parameters<tf.layers.Layer['call']>[1];
type Triple = [number, number, number];

const TfConv3D = Object.getPrototypeOf(tf.layers.conv3d({ filters: 1, kernelSize: 1 })).constructor as new (
  args: Conv3DArgs,
) => tf.layers.Layer;

/** The fields of tfjs's Conv layer this one reads (protected in tfjs's typings). */
interface ConvFields {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  activation: { getClassName(): string };
}

function triple(v: number | number[]): Triple {
  const a = typeof v === 'number' ? [v] : v;
  return (a.length === 1 ? [a[0], a[0], a[0]] : a) as Triple;
}

export class Conv3D extends TfConv3D {
  static readonly className = 'Conv3D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const f = this as unknown as ConvFields;
    const activation = f.activation.getClassName();
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const fusable =
      x !== undefined &&
      x.rank === 5 &&
      x.dtype === 'float32' &&
      f.dataFormat === 'channelsLast' &&
      (f.padding === 'valid' || f.padding === 'same') &&
      (activation === 'relu' || activation === 'linear') &&
      // tfjs has no dilated Conv3D gradient; the fused op would differ from the stock layer there.
      triple(f.dilationRate).every((d) => d === 1) &&
      fusedConv3dAvailable();
    if (!fusable) return super.call(inputs, kwargs);
    return tf.tidy(() =>
      fusedConv3d(
        x as tf.Tensor5D,
        f.kernel.read() as tf.Tensor5D,
        (f.bias?.read() ?? null) as tf.Tensor1D | null,
        {
          strides: triple(f.strides),
          pad: f.padding as 'valid' | 'same',
          dilations: [1, 1, 1],
          relu: activation === 'relu',
        },
      ),
    );
  }
}

tf.serialization.registerClass(Conv3D as unknown as tf.serialization.SerializableConstructor<Conv3D>);
