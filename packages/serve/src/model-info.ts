// What the server says about its model: tensor names and shapes from the contract of its classifier or segmenter.
import type { NodeClassifier, NodeSegmenter } from '@conv3d/infer-node';

export const INPUT_NAME = 'raw';
export const OUTPUT_NAME = 'probabilities';
/** A segmenter's input (one volume) and its default output (the label map). */
export const VOLUME_INPUT = 'volume';
export const LABELS_OUTPUT = 'labels';
export const MODEL_VERSION = '1';

export type ServedModel = NodeClassifier | NodeSegmenter;

export interface ModelInfo {
  name: string;
  /** Values in one raw row: the contract's per-sample input before preprocessing (3D MNIST: 16³ voxels). */
  rowLength: number;
  labels: readonly string[];
  /** A classifier or a segmenter: `contract.task` says which (see isSegmenter). */
  model: ServedModel;
}

export function isSegmenter(model: ServedModel): model is NodeSegmenter {
  return model.contract.task === 'segment';
}

/** Values in one raw row: the contract's rawLength (grid voxels × raw channels; 3D MNIST: 4096). */
export function rowLength(model: ServedModel): number {
  return model.contract.rawLength;
}

/** The datatype of a segmenter's label map: UINT8 up to 256 labels, else UINT16. */
export function labelsDatatype(classes: number): 'UINT8' | 'UINT16' {
  return classes <= 256 ? 'UINT8' : 'UINT16';
}

/**
 * The v2 model metadata response. A segmenter takes one volume of any size (the server slides windows over volumes
 * larger than a fixed-size model's patch), so its D, H, W are -1, as Triton shows variable dims.
 */
export function modelMetadata(info: ModelInfo, workers: number) {
  const { contract, provider } = info.model;
  const parameters = {
    task: contract.task,
    labels: info.labels,
    grid: contract.grid,
    raw_channels: contract.rawChannels,
    preprocessing: contract.preprocessing,
    input_kind: contract.inputKind,
    contract_version: contract.version,
    provider,
    workers,
    ...(contract.testAccuracy === undefined ? {} : { test_accuracy: contract.testAccuracy }),
  };
  const common = { name: info.name, versions: [MODEL_VERSION], platform: 'onnxruntime_onnx' };
  if (contract.task === 'segment') {
    const k = info.labels.length;
    const channels = contract.rawChannels === 1 ? [] : [contract.rawChannels];
    return {
      ...common,
      inputs: [{ name: VOLUME_INPUT, datatype: 'FP32', shape: [1, -1, -1, -1, ...channels] }],
      outputs: [
        { name: LABELS_OUTPUT, datatype: labelsDatatype(k), shape: [1, -1, -1, -1] },
        { name: OUTPUT_NAME, datatype: 'FP32', shape: [1, -1, -1, -1, k] },
      ],
      parameters: {
        ...parameters,
        voxel_output: contract.segmentation?.output,
        free_size: contract.segmentation?.freeSize,
      },
    };
  }
  return {
    ...common,
    inputs: [{ name: INPUT_NAME, datatype: 'FP32', shape: [-1, info.rowLength] }],
    outputs: [{ name: OUTPUT_NAME, datatype: 'FP32', shape: [-1, info.labels.length] }],
    parameters,
  };
}
