import { ExportError, unsupportedOption } from '../errors.js';
import { mapAxis } from '../layout.js';
import type { ConverterFamily } from './types.js';

const MERGES: Record<string, string> = {
  Add: 'Sum',
  Multiply: 'Mul',
  Average: 'Mean',
  Maximum: 'Max',
  Minimum: 'Min',
  Concatenate: 'Concat',
};

/** Multi-input layers of functional models; inputs meet in the first input's layout. */
export const mergeConverter: ConverterFamily = {
  classNames: Object.keys(MERGES),
  doc: { onnx: '', options: '' },
  classDocs: Object.fromEntries(
    Object.entries(MERGES).map(([name, op]) => [
      name,
      name === 'Concatenate'
        ? { onnx: op, options: 'axis' }
        : { onnx: op === 'Mul' ? 'Mul (chained)' : op, options: 'inputs of equal shape (no broadcasting)' },
    ]),
  ),
  convert(args) {
    const { graph, layer, config, inputs } = args;
    const [first] = inputs;
    if (first === undefined || inputs.length < 2) {
      throw new ExportError(`layer '${layer.name}' (${layer.className}): expects at least two inputs`);
    }
    const { layout } = graph.native(first);
    const names = inputs.map((v) => graph.in(v, layout));
    const rank = first.shape.length;
    if (layer.className === 'Concatenate') {
      const axis = mapAxis(config.number('axis', -1), rank, layout);
      return graph.value(args.outputShape, layout, graph.addNode('Concat', names, { axis }, layer.name));
    }
    const shape = JSON.stringify(first.shape);
    const mismatch = inputs.find((v) => JSON.stringify(v.shape) !== shape);
    if (mismatch !== undefined) {
      throw unsupportedOption(layer, 'broadcasting', `of ${JSON.stringify(mismatch.shape)} to ${shape}`);
    }
    const op = MERGES[layer.className] as string;
    // Mul is binary in ONNX: chain it; the others are variadic.
    let out = names[0] as string;
    if (op === 'Mul') {
      names.slice(1).forEach((name, i) => {
        out = graph.addNode(
          'Mul',
          [out, name],
          {},
          i === names.length - 2 ? layer.name : `${layer.name}/mul`,
        );
      });
    } else {
      out = graph.addNode(op, names, {}, layer.name);
    }
    return graph.value(args.outputShape, layout, out);
  },
};
