// tfjs 4.22 registers no gradient for Conv3DBackpropInputV2, the kernel behind Conv3DTranspose, so a U-Net's
// decoder cannot train. This is its gradient, written as tfjs writes Conv2DBackpropInput's: the input's gradient is
// a convolution of the upstream gradient with the same filter, the filter's a Conv3DBackpropFilterV2. Registered
// only when absent (registries throw on duplicates; a backend may bring its own).
import * as tf from '@tensorflow/tfjs';

const KERNEL = 'Conv3DBackpropInputV2';

export function registerConv3DTransposeGradient(): void {
  if (tf.getGradient(KERNEL)) return;
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ['dy', 'filter'],
    gradFunc: (ddx, saved, attrs) => {
      const [dy, filter] = saved as [tf.Tensor5D, tf.Tensor5D];
      const { strides, pad } = attrs as unknown as {
        strides: [number, number, number];
        pad: 'valid' | 'same';
      };
      const upstream = ddx as tf.Tensor5D;
      return {
        dy: () => tf.conv3d(upstream, filter, strides, pad),
        filter: () =>
          tf.engine().runKernel('Conv3DBackpropFilterV2', { x: upstream, dy }, {
            strides,
            pad,
            filterShape: filter.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      };
    },
  });
}
