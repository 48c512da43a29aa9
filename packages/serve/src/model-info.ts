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

/**
 * Values in one raw row of a contract: a graph taking raw rows says so directly ([V]); a preprocessed one
 * ([D, H, W, C']) takes D·H·W voxels of 1 channel for the Oranges colormap (1 → 3) and of C' otherwise (C → C).
 */
export function rowLength(classifier: NodeClassifier): number {
  const { inputShape, preprocessing } = classifier.contract;
  if (inputShape.length === 1) return inputShape[0] as number;
  const [d = 0, h = 0, w = 0, c = 1] = inputShape;
  return d * h * w * (preprocessing.includes('oranges') ? 1 : c);
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
      preprocessing: contract.preprocessing,
      provider,
      workers,
      ...(contract.testAccuracy === undefined ? {} : { test_accuracy: contract.testAccuracy }),
    },
  };
}
