// Coverage against tfjs's OWN class registry (not our converter list): every layer class and activation tfjs
// registers, converted or not. The README table and the coverage figures come from here.
import * as projectLayerModule from '@conv3d/train/layers';
import * as tf from '@tensorflow/tfjs';
import { SUPPORTED_ACTIVATIONS } from './activations.js';
import { REGISTRY } from './converters/index.js';

/** Models used as layers are walked in place (traverse.ts), not converted by a registered converter. */
export const CONTAINER_CLASSES: readonly string[] = ['Model', 'Functional', 'Sequential'];
/** RNN cells only run inside their RNN layer, which converts them; they are not layers of a model graph. */
const CELL_CLASS = /Cells?$/;
/** Our layer that replaces tfjs's under tfjs's own name (@conv3d/train/layers' rank-5 BatchNormalization). */
const REPLACED_TFJS_CLASSES = new Set(['BatchNormalization']);

export interface CoverageRow {
  className: string;
  converted: boolean;
  onnx: string;
  options: string;
}

export interface Coverage {
  /** tfjs's layer classes (containers and RNN cells aside). */
  tfjsLayers: CoverageRow[];
  /** Layer classes this project registers with tfjs (@conv3d/train/layers) that tfjs lacks. */
  projectLayers: CoverageRow[];
  activations: { name: string; converted: boolean }[];
}

/** The layer classes @conv3d/train/layers adds to tfjs's registry (not the one replacing tfjs's own). */
const PROJECT_CLASSES: ReadonlySet<string> = new Set(
  Object.values(projectLayerModule)
    .map((value) => (value as { className?: unknown }).className)
    .filter((name): name is string => typeof name === 'string' && !REPLACED_TFJS_CLASSES.has(name)),
);

/** Every layer class and activation in tfjs's SerializationMap, with what the exporter does with it. */
export function coverage(): Coverage {
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  const layerNames = Object.keys(map).filter((name) => isLayerClass(map[name]?.[0]));
  const row = (className: string): CoverageRow => {
    const converter = REGISTRY.get(className);
    if (CONTAINER_CLASSES.includes(className)) {
      return { className, converted: true, onnx: '(its layers, in place)', options: 'nested models' };
    }
    return converter === undefined
      ? {
          className,
          converted: false,
          onnx: '',
          options: 'not converted: export fails with one line naming the layer',
        }
      : {
          className,
          converted: true,
          onnx: converter.doc?.onnx ?? '',
          options: converter.doc?.options ?? '',
        };
  };
  const isCell = (name: string) => CELL_CLASS.test(name);
  return {
    tfjsLayers: layerNames
      .filter((n) => !PROJECT_CLASSES.has(n) && !isCell(n) && !CONTAINER_CLASSES.includes(n))
      .map(row),
    projectLayers: layerNames.filter((n) => PROJECT_CLASSES.has(n)).map(row),
    activations: Object.keys(map)
      .filter((name) => isActivationClass(map[name]?.[0]))
      .map((name) => ({ name, converted: SUPPORTED_ACTIVATIONS.includes(name) })),
  };
}

function isLayerClass(cls: unknown): boolean {
  return typeof cls === 'function' && cls.prototype instanceof tf.layers.Layer;
}

/** tfjs activations are registered under lower-case names ('relu', 'gelu_new', 'logSoftmax') and have apply(). */
function isActivationClass(cls: unknown): boolean {
  if (typeof cls !== 'function' || isLayerClass(cls)) return false;
  const name = (cls as { className?: unknown }).className;
  return typeof name === 'string' && /^[a-z]/.test(name) && typeof cls.prototype.apply === 'function';
}
