// What the server says about its model: tensor names and shapes from the classifier's contract.
import type { NodeClassifier } from '@conv3d/infer-node';

export const INPUT_NAME = 'raw';
export const OUTPUT_NAME = 'probabilities';
export const MODEL_VERSION = '1';

export interface ModelInfo {
  name: string;
  /** Values in one raw row: the contract's per-sample input before preprocessing (3D MNIST: 16³ voxels). */
  rowLength: number;
  labels: readonly string[];
  classifier: NodeClassifier;
}

/** Values in one raw row: the contract's rawLength (grid voxels × raw channels; 3D MNIST: 4096). */
export function rowLength(classifier: NodeClassifier): number {
  return classifier.contract.rawLength;
}

/** The v2 model metadata response. */
export function modelMetadata(info: ModelInfo, workers: number) {
  const { contract, provider } = info.classifier;
  return {
    name: info.name,
    versions: [MODEL_VERSION],
    platform: 'onnxruntime_onnx',
    inputs: [{ name: INPUT_NAME, datatype: 'FP32', shape: [-1, info.rowLength] }],
    outputs: [{ name: OUTPUT_NAME, datatype: 'FP32', shape: [-1, info.labels.length] }],
    parameters: {
      labels: info.labels,
      grid: contract.grid,
      raw_channels: contract.rawChannels,
      preprocessing: contract.preprocessing,
      input_kind: contract.inputKind,
      contract_version: contract.version,
      provider,
      workers,
      ...(contract.testAccuracy === undefined ? {} : { test_accuracy: contract.testAccuracy }),
    },
  };
}
