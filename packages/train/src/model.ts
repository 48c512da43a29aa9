// Builds a tfjs model from a validated TrainConfig (a Sequential stack, or a graph of named layers), with every
// random initialiser seeded by the layer's index so a seeded run starts from the same weights on every backend.

import { deriveSeed, type ModelContract, SEED_CONTRACT } from '@conv3d/core';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, type InitializerName, type LayerSpec, type TrainConfig } from './config.js';
import { fitConfigToContract } from './data-contract.js';
import { fastAdam } from './fast-cpu/adam.js';
import { BatchNormalization, fuseBatchNormRelu } from './fast-cpu/batch-norm-layer.js';
import { Conv3D } from './fast-cpu/conv3d-layer.js';
import { GlobalAveragePooling3D } from './fast-cpu/global-average-pool-layer.js';
import { Activation, ReLU } from './fast-cpu/relu-layer.js';
import type { GraphSpec } from './graph-config.js';

type LayerArgs = Record<string, unknown>;

type Initializer = ReturnType<typeof tf.initializers.zeros>;
type ArgsOf<F extends (args: never) => unknown> = Parameters<F>[0];

function makeInitializer(name: InitializerName, seed: number): Initializer {
  switch (name) {
    case 'zeros':
      return tf.initializers.zeros();
    case 'ones':
      return tf.initializers.ones();
    case 'lecunUniform':
      return tf.initializers.leCunUniform({ seed });
    case 'lecunNormal':
      return tf.initializers.leCunNormal({ seed });
    default:
      return tf.initializers[name]({ seed });
  }
}

/** tfjs defaults Conv and Dense kernels to glorotNormal; Keras (and the seed) to glorot_uniform. */
function withInitializers(config: LayerArgs, seed: number, layerIndex: number): LayerArgs {
  const kernel = (config.kernelInitializer as InitializerName | undefined) ?? 'glorotUniform';
  const bias = (config.biasInitializer as InitializerName | undefined) ?? 'zeros';
  return {
    ...config,
    kernelInitializer: makeInitializer(kernel, deriveSeed(seed, layerIndex, 1)),
    biasInitializer: makeInitializer(bias, deriveSeed(seed, layerIndex, 2)),
  };
}

function makeLayer(spec: LayerSpec, seed: number, index: number): tf.layers.Layer {
  const c = spec.config;
  switch (spec.className) {
    case 'InputLayer':
      return tf.layers.inputLayer({
        inputShape: c.inputShape as number[],
        name: c.name as string | undefined,
      });
    case 'Conv3D':
      return new Conv3D(withInitializers(c, seed, index) as unknown as ArgsOf<typeof tf.layers.conv3d>);
    case 'MaxPooling3D':
      return tf.layers.maxPooling3d(c as ArgsOf<typeof tf.layers.maxPooling3d>);
    case 'AveragePooling3D':
      return tf.layers.averagePooling3d(c as ArgsOf<typeof tf.layers.averagePooling3d>);
    case 'GlobalAveragePooling3D':
      return new GlobalAveragePooling3D(c as ArgsOf<typeof tf.layers.flatten>);
    case 'BatchNormalization':
      return new BatchNormalization(c as ArgsOf<typeof tf.layers.batchNormalization>);
    case 'Flatten':
      return tf.layers.flatten(c as ArgsOf<typeof tf.layers.flatten>);
    case 'Dense':
      return tf.layers.dense(withInitializers(c, seed, index) as unknown as ArgsOf<typeof tf.layers.dense>);
    case 'Dropout':
      return tf.layers.dropout({ ...(c as { rate: number }), seed: deriveSeed(seed, index, 3) });
    case 'Activation':
      return new Activation(c as unknown as ArgsOf<typeof tf.layers.activation>);
    case 'ReLU':
      return new ReLU(c as ArgsOf<typeof tf.layers.reLU>);
    case 'Softmax':
      return tf.layers.softmax(c as ArgsOf<typeof tf.layers.softmax>);
    case 'Conv3DTranspose':
      return tf.layers.conv3dTranspose(
        withInitializers(c, seed, index) as unknown as ArgsOf<typeof tf.layers.conv3dTranspose>,
      );
    case 'Concatenate':
      return tf.layers.concatenate(c as ArgsOf<typeof tf.layers.concatenate>);
    case 'Add':
      return tf.layers.add(c as ArgsOf<typeof tf.layers.add>);
  }
}

/** tfjs accepts a kernel or pool larger than its input and silently yields empty dimensions. */
function checkNotEmpty(at: string, shape: readonly (number | null)[]): void {
  if (shape.slice(1).some((d) => d !== null && d < 1)) {
    throw new ConfigError(
      `${at}: output shape ${JSON.stringify(shape)} is empty; the layer's window does not fit its input`,
    );
  }
}

function buildSequential(config: TrainConfig, seed: number): tf.LayersModel {
  const model = tf.sequential({ name: modelName(config) });
  config.layers.forEach((spec, i) => {
    const at = `${config.name}: layers[${i}] (${spec.className})`;
    try {
      model.add(makeLayer(spec, seed, i));
    } catch (err) {
      throw new ConfigError(`${at}: ${(err as Error).message}`);
    }
    checkNotEmpty(at, model.outputs[0]?.shape ?? []);
  });
  return model;
}

/** A graph config as a functional model: each layer applied to its named inputs, seeded by its index. */
function buildGraph(
  config: TrainConfig,
  graph: GraphSpec,
  inputShape: readonly number[],
  seed: number,
): tf.LayersModel {
  const input = tf.input({ shape: [...inputShape], name: graph.input });
  const outputs = new Map<string, tf.SymbolicTensor>([[graph.input, input]]);
  config.layers.forEach((spec, i) => {
    const at = `${config.name}: graph.layers[${i}] '${spec.name}' (${spec.className})`;
    const inputs = (spec.inputs ?? []).map((n) => outputs.get(n) as tf.SymbolicTensor);
    let out: tf.SymbolicTensor;
    try {
      out = makeLayer(spec, seed, i).apply(
        inputs.length === 1 ? (inputs[0] as tf.SymbolicTensor) : inputs,
      ) as tf.SymbolicTensor;
    } catch (err) {
      throw new ConfigError(`${at}: ${(err as Error).message}`);
    }
    checkNotEmpty(at, out.shape);
    outputs.set(spec.name as string, out);
  });
  const output = outputs.get(graph.output) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: modelName(config) });
}

const modelName = (config: TrainConfig): string => config.name.replace(/[^A-Za-z0-9_]/g, '_');

export interface BuildOptions {
  /** Overrides the config's seed. */
  seed?: number;
  /** Compile with the config's loss and optimizer (default true). */
  compile?: boolean;
  /** The data's contract: fills and checks the input shape and the classes (default: the seed's 3D MNIST). */
  contract?: ModelContract;
}

/**
 * Builds (and by default compiles) the config's model. A layer tfjs rejects (e.g. a pool larger than its
 * input) fails with a ConfigError naming the layer; so does an output that is not one probability per class (per
 * volume for a classifier, per voxel for a segmenter).
 */
export function buildModel(given: TrainConfig, options: BuildOptions = {}): tf.LayersModel {
  const contract = options.contract ?? SEED_CONTRACT;
  const config = fitConfigToContract(given, contract, 'the data');
  const seed = options.seed ?? config.seed;
  const model = config.graph
    ? buildGraph(config, config.graph, contract.inputShape, seed)
    : buildSequential(config, seed);
  checkModelShapes(model, contract, config.name);
  if (options.compile ?? true) compileModel(model, config);
  return model;
}

/**
 * A model (from a config or built in code) must take the contract's input and give one probability per class:
 * per volume for a classifier, per voxel for a segmenter. Else a one-line ConfigError naming `name`.
 */
export function checkModelShapes(model: tf.LayersModel, contract: ModelContract, name: string): void {
  const input = model.inputs[0]?.shape;
  if (model.inputs.length !== 1 || JSON.stringify(input) !== JSON.stringify([null, ...contract.inputShape])) {
    throw new ConfigError(
      `${name}: the model takes ${JSON.stringify(model.inputs.map((i) => i.shape))}, but the data gives [null, ${contract.inputShape.join(', ')}]`,
    );
  }
  const out = model.outputs[0]?.shape;
  const classes = contract.labels.length;
  const want = contract.task === 'segment' ? [null, ...contract.grid, classes] : [null, classes];
  if (model.outputs.length !== 1 || JSON.stringify(out) !== JSON.stringify(want)) {
    const per = contract.task === 'segment' ? ' per voxel' : '';
    throw new ConfigError(
      `${name}: the model's output shape is ${JSON.stringify(out)}, expected [${want.map(String).join(', ')}] (one probability per class${per})`,
    );
  }
}

/**
 * Compiles with categorical cross-entropy, Adam and accuracy, as the seed does. A segmenter's step computes its own
 * loss on integer label volumes (tasks/segmentation.ts: tfjs's fit wants targets shaped like the output, one-hot),
 * so for it the compile only attaches the optimizer. The Adam is tfjs's, with its update fused into one native call on the fast CPU backend, and BatchNormalization +
 * ReLU pairs train as one kernel there.
 */
export function compileModel(model: tf.LayersModel, config: TrainConfig): void {
  const { learningRate, beta1, beta2, epsilon } = config.optimizer.config;
  fuseBatchNormRelu(model);
  model.compile({
    optimizer: fastAdam(learningRate, beta1, beta2, epsilon),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
}
