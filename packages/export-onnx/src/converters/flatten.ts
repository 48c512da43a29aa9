import { type Converter, single } from './types.js';

/** tfjs flattens channels-last (channels vary fastest), so the data goes back to channels-last first. */
export const flattenConverter: Converter = {
  classNames: ['Flatten'],
  doc: { onnx: 'Flatten (axis 1)', options: 'channels-last element order, as tfjs' },
  convert(args) {
    const { graph, layer, config } = args;
    config.oneOf('dataFormat', ['channelsLast'], 'channelsLast');
    const out = graph.addNode('Flatten', [graph.in(single(args), 'channelsLast')], { axis: 1 }, layer.name);
    return graph.value(args.outputShape, 'channelsLast', out);
  },
};
