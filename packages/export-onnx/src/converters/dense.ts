import { applyActivation } from '../activations.js';
import { transposeData } from '../tensor-data.js';
import { type ConverterFamily, single } from './types.js';

/**
 * Dense → Gemm on [N, in] with the kernel stored [out, in] and transB=1, as torch.onnx writes it (OpenCV's DNN
 * importer refuses a Gemm with an [in, out] kernel); on higher ranks MatMul (+ Add) over the last (channel) axis.
 */
export const denseConverter: ConverterFamily = {
  classNames: ['Dense'],
  doc: {
    onnx: 'Gemm (kernel [out, in], transB=1), or MatMul + Add above rank 2 (+ activation)',
    options: 'useBias, fused activation',
  },
  convert(args) {
    const { graph, layer, config, weights } = args;
    const input = single(args);
    const kernel = weights.required('kernel');
    const bias = config.boolean('useBias', true) ? weights.required('bias') : undefined;
    const b = bias && graph.addFloatInitializer(`${layer.name}/bias`, bias.shape, bias.data);
    const x = graph.in(input, 'channelsLast');
    let out: string;
    if (input.shape.length === 2) {
      const [inputs, units] = kernel.shape as [number, number];
      const w = graph.addFloatInitializer(
        `${layer.name}/kernel`,
        [units, inputs],
        transposeData(kernel.data, kernel.shape, [1, 0]),
      );
      out = graph.addNode('Gemm', b === undefined ? [x, w] : [x, w, b], { transB: 1 }, layer.name);
    } else {
      const w = graph.addFloatInitializer(`${layer.name}/kernel`, kernel.shape, kernel.data);
      const product = graph.addNode(
        'MatMul',
        [x, w],
        {},
        b === undefined ? layer.name : `${layer.name}/matmul`,
      );
      out = b === undefined ? product : graph.addNode('Add', [product, b], {}, layer.name);
    }
    const value = graph.value(args.outputShape, 'channelsLast', out);
    return applyActivation(graph, layer, config.string('activation', 'linear'), value);
  },
};
