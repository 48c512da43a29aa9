// Parses a v2 inference request (JSON, or JSON plus binary tensor data) into the raw rows to classify and the
// outputs asked for. Every refusal is a RequestError naming the field at fault.
import { badRequest } from '../errors.js';
import { INPUT_NAME, type ModelInfo, OUTPUT_NAME } from '../model-info.js';
import { type DATATYPES, datatype } from './datatypes.js';

export const HEADER_LENGTH = 'inference-header-content-length';

export interface RequestedOutput {
  binary: boolean;
  /** Top-k classes as "value:index:label" strings instead of the probabilities (classification extension). */
  classification?: number;
}

export interface InferRequest {
  id?: string;
  rows: Float32Array | Float64Array | number[];
  count: number;
  outputs: RequestedOutput[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Splits the body: the JSON header, then the binary tensor data (empty without the extension's header). */
export function splitBody(
  body: Buffer,
  headerLength: string | undefined,
): { header: Json; binary: Uint8Array } {
  let jsonBytes: Uint8Array = body;
  let binary: Uint8Array = new Uint8Array(0);
  if (headerLength !== undefined) {
    const length = Number(headerLength);
    if (!/^\d+$/.test(headerLength.trim()) || length > body.byteLength) {
      throw badRequest(
        `Inference-Header-Content-Length is ${JSON.stringify(headerLength)}; expected the JSON header's byte length, at most the body's ${body.byteLength}`,
      );
    }
    jsonBytes = body.subarray(0, length);
    binary = body.subarray(length);
  }
  let header: unknown;
  try {
    header = JSON.parse(
      Buffer.from(jsonBytes.buffer, jsonBytes.byteOffset, jsonBytes.byteLength).toString('utf8'),
    );
  } catch (error) {
    const why = (error as Error).message.split('\n', 1)[0];
    throw badRequest(
      `the request's JSON ${headerLength === undefined ? 'body' : 'header'} is malformed: ${why}`,
    );
  }
  if (!isObject(header)) throw badRequest('the request must be a JSON object with an "inputs" array');
  return { header, binary };
}

export function parseInferRequest(header: Json, binary: Uint8Array, model: ModelInfo): InferRequest {
  const { inputs } = header;
  if (!Array.isArray(inputs) || inputs.length === 0) throw badRequest('"inputs" must be a non-empty array');
  if (inputs.length > 1) {
    throw badRequest(`"inputs" has ${inputs.length} tensors; the model takes one, '${INPUT_NAME}'`);
  }
  const input: unknown = inputs[0];
  if (!isObject(input)) throw badRequest('inputs[0] must be an object');
  if (input.name !== INPUT_NAME) {
    throw badRequest(`unknown input ${JSON.stringify(input.name)}; the model takes '${INPUT_NAME}'`);
  }
  const where = `input '${INPUT_NAME}'`;
  const type = datatype(input.datatype, where);
  const count = checkShape(input.shape, model.rowLength, where);
  const values = count * model.rowLength;
  const parameters = input.parameters === undefined ? {} : input.parameters;
  if (!isObject(parameters)) throw badRequest(`${where} parameters must be an object`);
  const binarySize = parameters.binary_data_size;
  let rows: InferRequest['rows'];
  if (binarySize !== undefined) {
    if (!Number.isInteger(binarySize) || (binarySize as number) < 0) {
      throw badRequest(
        `${where} binary_data_size must be a non-negative integer, got ${JSON.stringify(binarySize)}`,
      );
    }
    const expected = values * type.size;
    if (binarySize !== expected) {
      throw badRequest(
        `${where} binary_data_size is ${binarySize} bytes; shape [${count}, ${model.rowLength}] of ${input.datatype} needs ${expected}`,
      );
    }
    if (binary.byteLength !== expected) {
      throw badRequest(
        `the binary tensor data has ${binary.byteLength} bytes; the inputs declare ${expected}`,
      );
    }
    rows = type.decode(binary);
  } else {
    if (binary.byteLength > 0) {
      throw badRequest(
        `the body has ${binary.byteLength} bytes of binary data but no input declares binary_data_size`,
      );
    }
    if (input.data === undefined) throw badRequest(`${where} has neither "data" nor binary_data_size`);
    rows = jsonValues(input.data, values, type, where);
  }
  return {
    ...(typeof header.id === 'string' ? { id: header.id } : {}),
    rows,
    count,
    outputs: parseOutputs(header, model.labels.length),
  };
}

function checkShape(shape: unknown, rowLength: number, where: string): number {
  const expected = `[N, ${rowLength}] (N raw rows of ${rowLength} values)`;
  if (
    !Array.isArray(shape) ||
    shape.length !== 2 ||
    !shape.every((d) => Number.isInteger(d) && d > 0) ||
    shape[1] !== rowLength
  ) {
    throw badRequest(`${where} shape ${JSON.stringify(shape)}; expected ${expected}`);
  }
  return shape[0] as number;
}

/** `data` flat or nested (row-major), every element a number the datatype can hold. */
function jsonValues(
  data: unknown,
  length: number,
  type: (typeof DATATYPES)[string],
  where: string,
): number[] {
  const flat = Array.isArray(data) ? (data.flat(Number.POSITIVE_INFINITY) as unknown[]) : [data];
  if (flat.length !== length)
    throw badRequest(`${where} data has ${flat.length} values; its shape needs ${length}`);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v !== 'number' || v < type.min || v > type.max || (type.integer && !Number.isInteger(v))) {
      throw badRequest(`${where} data[${i}] is ${JSON.stringify(v)}; not a value of its datatype`);
    }
  }
  return flat as number[];
}

function parseOutputs(header: Json, classes: number): RequestedOutput[] {
  const requestParameters = header.parameters === undefined ? {} : header.parameters;
  if (!isObject(requestParameters)) throw badRequest('"parameters" must be an object');
  const binaryDefault = requestParameters.binary_data_output === true;
  const { outputs } = header;
  if (outputs === undefined || (Array.isArray(outputs) && outputs.length === 0)) {
    return [{ binary: binaryDefault }];
  }
  if (!Array.isArray(outputs)) throw badRequest('"outputs" must be an array');
  return outputs.map((output: unknown, i) => {
    if (!isObject(output)) throw badRequest(`outputs[${i}] must be an object`);
    if (output.name !== OUTPUT_NAME) {
      throw badRequest(`unknown output ${JSON.stringify(output.name)}; the model gives '${OUTPUT_NAME}'`);
    }
    const parameters = output.parameters === undefined ? {} : output.parameters;
    if (!isObject(parameters)) throw badRequest(`output '${OUTPUT_NAME}' parameters must be an object`);
    const binary = parameters.binary_data === undefined ? binaryDefault : parameters.binary_data;
    if (typeof binary !== 'boolean')
      throw badRequest(`output '${OUTPUT_NAME}' binary_data must be a boolean`);
    const { classification } = parameters;
    if (classification === undefined) return { binary };
    if (
      !Number.isInteger(classification) ||
      (classification as number) < 1 ||
      (classification as number) > classes
    ) {
      throw badRequest(
        `output '${OUTPUT_NAME}' classification must be an integer from 1 to ${classes}, got ${JSON.stringify(classification)}`,
      );
    }
    return { binary, classification: classification as number };
  });
}
