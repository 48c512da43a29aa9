// The gradient tfjs 4.22 lacks for Conv3DBackpropInputV2, the kernel its Conv3DTranspose layer runs
// forward ("Cannot compute gradient: gradient function not found for Conv3DBackpropInputV2"):
// as tfjs's own Conv2DBackpropInput gradient, the input's gradient is the forward Conv3D of the
// upstream gradient with the same filter, and the filter's is Conv3DBackpropFilterV2 of (upstream
// gradient, the transposed conv's input). Registered on import, for every backend.
import type { Conv3DBackpropInputV2Attrs, NamedAttrMap } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';

const KERNEL = 'Conv3DBackpropInputV2';

if (tf.getGradient(KERNEL) === undefined) {
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ['dy', 'filter'],
    gradFunc: (ddx, saved, attrs) => {
      const [dy, filter] = saved as [tf.Tensor5D, tf.Tensor5D];
      const grad = ddx as tf.Tensor5D;
      const { strides, pad } = attrs as unknown as Conv3DBackpropInputV2Attrs;
      return {
        dy: () => tf.conv3d(grad, filter, strides, pad as 'valid' | 'same'),
        filter: () =>
          tf.engine().runKernel('Conv3DBackpropFilterV2', { x: grad, dy }, {
            strides,
            pad,
            filterShape: filter.shape,
          } as unknown as NamedAttrMap) as tf.Tensor,
      };
    },
  });
}
