// Locations inside this package, the same from src/node (tests) and dist/node (built).
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The built demo and harness pages (vite build). */
export const DEMO_DIR = `${packageRoot}dist/demo`;
/** The small test model with the real contract (scripts/make-test-model.py). */
export const TEST_MODEL = `${packageRoot}fixtures/test-model.onnx`;
