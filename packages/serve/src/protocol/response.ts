// Builds a v2 inference response: JSON, or a JSON header followed by the binary outputs.
import type { Prediction } from '@conv3d/infer-node';
import { MODEL_VERSION, type ModelInfo, OUTPUT_NAME } from '../model-info.js';
import type { InferRequest, RequestedOutput } from './request.js';

export interface InferResponse {
  /** The JSON header, or the whole response when `binary` is empty. */
  json: string;
  binary: Buffer[];
}

interface OutputTensor {
  name: string;
  datatype: 'FP32' | 'BYTES';
  shape: number[];
  parameters?: { binary_data_size: number };
  data?: number[] | string[];
}

export function buildResponse(
  request: InferRequest,
  predictions: Prediction[],
  model: ModelInfo,
): InferResponse {
  const classes = model.labels.length;
  const binary: Buffer[] = [];
  const outputs = request.outputs.map((wanted): OutputTensor => {
    const tensor =
      wanted.classification === undefined
        ? probabilities(predictions, classes)
        : topK(predictions, wanted, model);
    if (!wanted.binary) return tensor;
    const bytes = toBytes(tensor);
    binary.push(bytes);
    return {
      name: tensor.name,
      datatype: tensor.datatype,
      shape: tensor.shape,
      parameters: { binary_data_size: bytes.byteLength },
    };
  });
  return inferResponse(request.id, outputs, binary, model);
}

/** The response body for `outputs` (their binary data, if any, in `binary`, in output order). */
export function inferResponse(
  id: string | undefined,
  outputs: readonly object[],
  binary: Buffer[],
  model: ModelInfo,
): InferResponse {
  const body = {
    model_name: model.name,
    model_version: MODEL_VERSION,
    ...(id === undefined ? {} : { id }),
    outputs,
  };
  return { json: JSON.stringify(body), binary };
}

function probabilities(predictions: Prediction[], classes: number): OutputTensor {
  const data: number[] = new Array(predictions.length * classes);
  predictions.forEach((p, s) => {
    for (let c = 0; c < classes; c++) data[s * classes + c] = p.probabilities[c] as number;
  });
  return { name: OUTPUT_NAME, datatype: 'FP32', shape: [predictions.length, classes], data };
}

/** Triton's classification extension: per sample the top k as "<value>:<index>:<label>", highest first. */
function topK(predictions: Prediction[], wanted: RequestedOutput, model: ModelInfo): OutputTensor {
  const k = wanted.classification as number;
  const data: string[] = [];
  for (const p of predictions) {
    const order = Array.from(p.probabilities.keys()).sort(
      (a, b) => (p.probabilities[b] as number) - (p.probabilities[a] as number),
    );
    for (const index of order.slice(0, k))
      data.push(`${p.probabilities[index]}:${index}:${model.labels[index]}`);
  }
  return { name: OUTPUT_NAME, datatype: 'BYTES', shape: [predictions.length, k], data };
}

/** Binary tensor data: FP32 little-endian; BYTES as a 4-byte little-endian length before each element. */
function toBytes(tensor: OutputTensor): Buffer {
  if (tensor.datatype === 'FP32') {
    const values = Float32Array.from(tensor.data as number[]);
    return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  }
  const parts = (tensor.data as string[]).flatMap((text) => {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.byteLength);
    return [length, bytes];
  });
  return Buffer.concat(parts);
}
