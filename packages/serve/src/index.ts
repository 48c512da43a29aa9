export { RequestError } from './errors.js';
export { createMetrics, type Metrics } from './metrics.js';
export { INPUT_NAME, MODEL_VERSION, OUTPUT_NAME } from './model-info.js';
export {
  type Conv3dServer,
  createServer,
  DEFAULT_BODY_LIMIT,
  EXTENSIONS,
  type ServerOptions,
} from './server.js';
