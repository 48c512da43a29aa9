// Locations this demo uses, the same from src/node (tests) and dist/node (built).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
// The library's workspace folder: its test fixture is the harness's default model (the demo is never published).
const inferWebRoot = dirname(createRequire(import.meta.url).resolve('@conv3d/infer-web/package.json'));

/** The built demo and harness pages (vite build). */
export const DEMO_DIR = `${packageRoot}dist/demo`;
/** The small test model with the real contract (@conv3d/infer-web's scripts/make-test-model.py). */
export const TEST_MODEL = `${inferWebRoot}/fixtures/test-model.onnx`;
/** The segmentation fixtures (scripts/make-test-segmenters.mjs): intensity bands, and seeded random 3³ convs. */
export const THRESHOLD_SEGMENTER = `${inferWebRoot}/fixtures/threshold-segmenter.onnx`;
export const TEST_SEGMENTER = `${inferWebRoot}/fixtures/test-segmenter.onnx`;
/** TEST_SEGMENTER with its first Conv as the equal 3D ConvTranspose (infer-web's make-convtranspose-model.py). */
export const CONVTRANSPOSE_SEGMENTER = `${inferWebRoot}/fixtures/test-segmenter-convtranspose.onnx`;
