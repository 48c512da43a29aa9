import { toChannelsLastPerm } from '../layout.js';
import { type ConverterFamily, single } from './types.js';

/**
 * tfjs flattens channels-last (channels vary fastest), so the data goes back to channels-last first; with
 * dataFormat channelsFirst tfjs moves its NC… channels last itself before flattening.
 */
export const flattenConverter: ConverterFamily = {
  classNames: ['Flatten'],
  doc: {
    onnx: 'Flatten (axis 1)',
    options: 'channels-last element order, as tfjs; dataFormat channelsLast/channelsFirst',
  },
  convert(args) {
    const { graph, layer, config } = args;
    const input = single(args);
    const dataFormat = config.oneOf('dataFormat', ['channelsLast', 'channelsFirst'], 'channelsLast');
    if (input.shape.length > 2)
      graph.requireFixedSize(layer, 'flattens its spatial dims (the next layer sees their product)');
    let x = graph.in(input, 'channelsLast');
    if (dataFormat === 'channelsFirst' && input.shape.length > 2) {
      x = graph.addNode(
        'Transpose',
        [x],
        { perm: toChannelsLastPerm(input.shape.length) },
        `${layer.name}/to_channels_last`,
      );
    }
    const out = graph.addNode('Flatten', [x], { axis: 1 }, layer.name);
    return graph.value(args.outputShape, 'channelsLast', out);
  },
};
