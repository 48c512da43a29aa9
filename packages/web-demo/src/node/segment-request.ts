// What the Node-side harness asks the harness page (demo/harness.ts) to segment. Types only, shared by both sides.

export type Size3Tuple = [number, number, number];

export interface SegmentRequest {
  /** A model served next to the page: './segmenter.onnx', './test-segmenter.onnx' or its ConvTranspose twin. */
  model: string;
  device: 'auto' | 'webgpu' | 'wasm';
  /** A demo volume by name (demo/phantoms.ts), seeded blobs of any size, or the values themselves. */
  volume:
    | { phantom: string }
    | { blobs: { dims: Size3Tuple; seed: number; count?: number } }
    | { data: number[]; dims: Size3Tuple };
  /** segment() options that can cross the page boundary. */
  options: {
    roi?: Size3Tuple;
    overlap?: number;
    blend?: 'gaussian' | 'constant';
    batch?: number;
    output?: 'labels' | 'probabilities';
  };
  /** In a Web Worker (loadWorkerSegmenter) or on the page's main thread (loadSegmenter). */
  worker: boolean;
  /** Start the worker from a script that does not exist (the error path). */
  missingWorkerScript?: boolean;
  /** Move the volume to the worker instead of copying it (a 256³ float32 copy is a long task of its own). */
  transfer?: boolean;
  /** Abort (an AbortController's signal) after this many progress calls; the result is then the rejection. */
  abortAfter?: number;
  /** Return the label map and probabilities as arrays (small volumes), or only their summary. */
  returnData: boolean;
}
