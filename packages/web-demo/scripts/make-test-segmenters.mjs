#!/usr/bin/env node
// Writes @conv3d/infer-web's segmentation fixtures (see test-segmenters.mjs):
// fixtures/threshold-segmenter.onnx and fixtures/test-segmenter.onnx. Usage: npm run test-segmenters
import { writeFileSync } from 'node:fs';
import { randomSegmenter, thresholdSegmenter } from './test-segmenters.mjs';

const fixtures = new URL('../../infer-web/fixtures/', import.meta.url);
for (const [name, bytes] of [
  ['threshold-segmenter.onnx', thresholdSegmenter()],
  ['test-segmenter.onnx', randomSegmenter()],
]) {
  writeFileSync(new URL(name, fixtures), bytes);
  console.log(`${name}: ${bytes.length} bytes`);
}
