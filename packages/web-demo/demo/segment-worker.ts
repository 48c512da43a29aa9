// The demo's segmentation worker: the library's worker entry, bundled by Vite as a module worker.
import '@conv3d/infer-web/segment-worker';
