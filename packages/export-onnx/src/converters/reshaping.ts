import { ExportError } from '../errors.js';
import { type ConverterFamily, single } from './types.js';

/** Shape-only layers on the data as tfjs holds it (channels-last, batch first). */
export const reshapingConverter: ConverterFamily = {
  classNames: ['Reshape', 'Permute', 'RepeatVector'],
  doc: { onnx: '', options: '' },
  classDocs: {
    Reshape: { onnx: 'Reshape', options: 'targetShape (-1 allowed); keeps the saved size' },
    Permute: { onnx: 'Transpose', options: 'dims' },
    RepeatVector: { onnx: 'Unsqueeze → Tile', options: 'n' },
  },
  convert(args) {
    const { graph, layer, config } = args;
    const input = single(args);
    const x = graph.in(input, 'channelsLast');
    let out: string;
    switch (layer.className) {
      case 'Reshape': {
        graph.requireFixedSize(layer, 'has a fixed target shape');
        // tfjs stores Keras's -1 (the inferred dim) as null.
        const given = config.get('targetShape');
        const target = Array.isArray(given) ? given.map((d) => (d === null ? -1 : d)) : given;
        if (
          !Array.isArray(target) ||
          !target.every((d) => Number.isInteger(d) && (d > 0 || d === -1)) ||
          target.filter((d) => d === -1).length > 1
        ) {
          throw new ExportError(
            `layer '${layer.name}' (Reshape): config 'targetShape' = ${JSON.stringify(given)}, expected positive integers and at most one -1`,
          );
        }
        // 0 copies the batch dim from the input (ONNX allowzero = 0).
        const shape = graph.addInt64Initializer(`${layer.name}/shape`, [target.length + 1], [0, ...target]);
        out = graph.addNode('Reshape', [x, shape], {}, layer.name);
        break;
      }
      case 'Permute': {
        const dims = config.numbers('dims', input.shape.length - 1);
        out = graph.addNode('Transpose', [x], { perm: [0, ...dims] }, layer.name);
        break;
      }
      default: {
        const n = config.number('n');
        const axes = graph.addInt64Initializer(`${layer.name}/axes`, [1], [1]);
        const expanded = graph.addNode('Unsqueeze', [x, axes], {}, `${layer.name}/unsqueeze`);
        const repeats = graph.addInt64Initializer(`${layer.name}/repeats`, [3], [1, n, 1]);
        out = graph.addNode('Tile', [expanded, repeats], {}, layer.name);
      }
    }
    return graph.value(args.outputShape, 'channelsLast', out);
  },
};
