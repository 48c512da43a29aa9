import { parseTrainConfig, type TrainConfig } from '../src/config.js';

/**
 * best.json's layer kinds at test size: 'same' Conv + BatchNormalization + ReLU blocks, pools, GAP, Dropout. The
 * leading pool makes the first conv 8³ instead of 16³: a stock-cpu step ~4× cheaper, with every kind still trained.
 */
export const BEST_LIKE_LAYERS = [
  { className: 'MaxPooling3D', config: { inputShape: [16, 16, 16, 3], poolSize: 2 } },
  {
    className: 'Conv3D',
    config: {
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: 'he_uniform',
    },
  },
  { className: 'BatchNormalization', config: { momentum: 0.9 } },
  { className: 'ReLU' },
  { className: 'MaxPooling3D', config: { poolSize: 2 } },
  {
    className: 'Conv3D',
    config: { filters: 6, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'he_uniform' },
  },
  { className: 'BatchNormalization' },
  { className: 'ReLU' },
  { className: 'MaxPooling3D', config: { poolSize: 2 } },
  { className: 'GlobalAveragePooling3D' },
  { className: 'Dropout', config: { rate: 0.3 } },
  { className: 'Dense', config: { units: 10, activation: 'softmax' } },
];

export function bestLikeConfig(overrides: Record<string, unknown> = {}): TrainConfig {
  return parseTrainConfig(
    {
      name: 'best-like',
      layers: BEST_LIKE_LAYERS,
      loss: 'categorical_crossentropy',
      optimizer: { className: 'Adam', config: { learningRate: 0.01 } },
      batchSize: 24,
      epochs: 3,
      validationSplit: 0.2,
      seed: 21,
      ...overrides,
    },
    'best-like.json',
  );
}
