// A segmenter's v2 inference: one volume in (`volume`, [1, D, H, W] or [1, D, H, W, C], any numeric datatype, JSON
// or binary data), the label map out (`labels`, UINT8/UINT16 [1, D, H, W]) and, when asked for, the blended
// probabilities (`probabilities`, FP32 [1, D, H, W, K]); request parameters `roi`, `overlap`, `blend` and
// `batch` reach the sliding windows. Every refusal is a RequestError naming the field at fault.
import type { Segmentation, SegmentOptions, Volume } from '@conv3d/infer-node';
import { badRequest } from '../errors.js';
import { LABELS_OUTPUT, labelsDatatype, type ModelInfo, OUTPUT_NAME, VOLUME_INPUT } from '../model-info.js';
import { datatype } from './datatypes.js';
import { type InferResponse, inferResponse } from './response.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface SegmentRequest {
  id?: string;
  volume: Volume;
  outputs: { name: typeof LABELS_OUTPUT | typeof OUTPUT_NAME; binary: boolean }[];
  options: SegmentOptions;
}

export function parseSegmentRequest(header: Json, binary: Uint8Array, model: ModelInfo): SegmentRequest {
  const { inputs } = header;
  if (!Array.isArray(inputs) || inputs.length !== 1 || !isObject(inputs[0])) {
    throw badRequest(`"inputs" must hold one tensor, '${VOLUME_INPUT}'`);
  }
  const input = inputs[0];
  if (input.name !== VOLUME_INPUT) {
    throw badRequest(`unknown input ${JSON.stringify(input.name)}; the model takes '${VOLUME_INPUT}'`);
  }
  const where = `input '${VOLUME_INPUT}'`;
  const type = datatype(input.datatype, where);
  const channels = model.model.contract.rawChannels;
  const { shape } = input;
  const shapeOk =
    Array.isArray(shape) &&
    (shape.length === 4 ? channels === 1 : shape.length === 5 && shape[4] === channels) &&
    shape[0] === 1 &&
    shape.every((d) => Number.isInteger(d) && d > 0);
  if (!shapeOk) {
    const expected = `[1, D, H, W${channels === 1 ? '' : `, ${channels}`}] (one volume)`;
    throw badRequest(`${where} shape ${JSON.stringify(shape)}; expected ${expected}`);
  }
  const dims = (shape as number[]).slice(1);
  const values = dims.reduce((a, b) => a * b, 1);
  const parameters = isObject(input.parameters) ? input.parameters : {};
  const binarySize = parameters.binary_data_size;
  let data: Float32Array | Float64Array;
  if (binarySize !== undefined) {
    const expected = values * type.size;
    if (binarySize !== expected || binary.byteLength !== expected) {
      throw badRequest(
        `${where} binary_data_size is ${JSON.stringify(binarySize)} with ${binary.byteLength} bytes of binary data; shape ${JSON.stringify(shape)} of ${input.datatype} needs ${expected}`,
      );
    }
    data = type.decode(binary);
  } else {
    if (binary.byteLength > 0) {
      throw badRequest(
        `the body has ${binary.byteLength} bytes of binary data but no input declares binary_data_size`,
      );
    }
    const flat = Array.isArray(input.data) ? (input.data.flat(Number.POSITIVE_INFINITY) as unknown[]) : [];
    if (flat.length !== values || !flat.every((v) => typeof v === 'number')) {
      throw badRequest(`${where} data must be ${values} numbers for shape ${JSON.stringify(shape)}`);
    }
    data = Float64Array.from(flat as number[]);
  }
  return {
    ...(typeof header.id === 'string' ? { id: header.id } : {}),
    volume: { data, dims },
    outputs: parseOutputs(header),
    options: windowOptions(header),
  };
}

/** The outputs asked for: `labels` by default; `probabilities` only when named. */
function parseOutputs(header: Json): SegmentRequest['outputs'] {
  const parameters = isObject(header.parameters) ? header.parameters : {};
  const binaryDefault = parameters.binary_data_output === true;
  const { outputs } = header;
  if (outputs === undefined || (Array.isArray(outputs) && outputs.length === 0)) {
    return [{ name: LABELS_OUTPUT, binary: binaryDefault }];
  }
  if (!Array.isArray(outputs)) throw badRequest('"outputs" must be an array');
  return outputs.map((output: unknown, i) => {
    if (!isObject(output) || (output.name !== LABELS_OUTPUT && output.name !== OUTPUT_NAME)) {
      throw badRequest(
        `outputs[${i}] must name '${LABELS_OUTPUT}' or '${OUTPUT_NAME}', got ${JSON.stringify(isObject(output) ? output.name : output)}`,
      );
    }
    const own = isObject(output.parameters) ? output.parameters.binary_data : undefined;
    const binary = own === undefined ? binaryDefault : own;
    if (typeof binary !== 'boolean')
      throw badRequest(`output '${output.name}' binary_data must be a boolean`);
    return { name: output.name, binary };
  });
}

/** Sliding-window request parameters; core checks their values (a RangeError becomes a 400). */
function windowOptions(header: Json): SegmentOptions {
  const parameters = isObject(header.parameters) ? header.parameters : {};
  const options: Record<string, unknown> = {};
  for (const key of ['roi', 'overlap', 'blend', 'batch'] as const) {
    if (parameters[key] !== undefined) options[key] = parameters[key];
  }
  return options as SegmentOptions;
}

export function buildSegmentResponse(
  request: SegmentRequest,
  segmentation: Segmentation,
  model: ModelInfo,
): InferResponse {
  const k = model.labels.length;
  const binary: Buffer[] = [];
  const outputs = request.outputs.map((wanted) => {
    const labels = wanted.name === LABELS_OUTPUT;
    const values = labels ? segmentation.labels : (segmentation.probabilities as Float32Array);
    const tensor = {
      name: wanted.name,
      datatype: labels ? labelsDatatype(k) : 'FP32',
      shape: labels ? [1, ...segmentation.dims] : [1, ...segmentation.dims, k],
    };
    if (!wanted.binary) return { ...tensor, data: Array.from(values) };
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    binary.push(bytes);
    return { ...tensor, parameters: { binary_data_size: bytes.byteLength } };
  });
  return inferResponse(request.id, outputs, binary, model);
}
