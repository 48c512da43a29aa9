import { parseTrainConfig, type TrainConfig } from '../src/config.js';

/** A model small enough for stock tfjs cpu in tests (~0.1 s per step of 10), with every kind of seeded state. */
export function tinyConfig(overrides: Record<string, unknown> = {}): TrainConfig {
  return parseTrainConfig(
    {
      name: 'tiny',
      layers: [
        {
          className: 'Conv3D',
          config: {
            inputShape: [16, 16, 16, 3],
            filters: 4,
            kernelSize: 3,
            strides: 2,
            activation: 'relu',
            kernelInitializer: 'he_uniform',
          },
        },
        { className: 'MaxPooling3D', config: { poolSize: 2 } },
        { className: 'Dropout', config: { rate: 0.25 } },
        { className: 'Flatten' },
        { className: 'Dense', config: { units: 16, activation: 'relu', kernelInitializer: 'he_uniform' } },
        { className: 'Dense', config: { units: 10, activation: 'softmax' } },
      ],
      loss: 'categorical_crossentropy',
      optimizer: { className: 'Adam', config: { learningRate: 0.01 } },
      batchSize: 10,
      epochs: 3,
      validationSplit: 0.2,
      seed: 11,
      ...overrides,
    },
    'tiny.json',
  );
}
