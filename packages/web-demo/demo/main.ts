// The demo page: loads ./model.onnx, shows the bundled test samples in 3D and classifies the chosen one.
import './style.css';
import type { RawVoxels } from '@conv3d/core';
import { load, type WebClassifier, type WebDevice, webgpuUnavailableReason } from '@conv3d/infer-web';
import { renderBars } from './probability-bars.js';
import { type DemoSample, fetchSamples } from './samples.js';
import { parseVectorFile } from './vector-file.js';

const MODEL_URL = './model.onnx';
const WASM_PATHS = new URL('./ort/', window.location.href).href;
const DEVICES: readonly WebDevice[] = ['auto', 'webgpu', 'wasm'];

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`demo page: #${id} is missing`);
  return found as T;
}

const ui = {
  notice: element('notice'),
  error: element('error'),
  samples: element('samples'),
  file: element<HTMLInputElement>('file'),
  device: element<HTMLSelectElement>('device'),
  caption: element('sample-caption'),
  prediction: element('prediction'),
  provider: element('provider'),
  latency: element('latency'),
  modelInfo: element('model-info'),
  bars: element('bars'),
};
// three.js (~550 kB of JS and a WebGL context) starts after the first prediction: run beside onnxruntime's wasm
// compile and first inference, it held the first prediction back by several hundred ms on two cores.
let startView: () => void = () => undefined;
const view = new Promise<void>((resolve) => {
  startView = resolve;
})
  .then(() => import('./voxel-view.js'))
  .then(({ createVoxelView }) => createVoxelView(element('voxels')));
let classifier: WebClassifier | null = null;
let current: { values: RawVoxels; caption: string } | null = null;

function showError(message: string): void {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function requestedDevice(): WebDevice {
  const param = new URLSearchParams(window.location.search).get('device');
  return DEVICES.find((d) => d === param) ?? 'auto';
}

async function loadClassifier(device: WebDevice): Promise<void> {
  document.body.dataset.state = 'loading';
  ui.error.hidden = true;
  await classifier?.dispose();
  classifier = null;
  ui.provider.textContent = '–';
  ui.notice.hidden = true;
  // The probe runs beside the model load, not before it: it can take a while to answer "no adapter".
  if (device !== 'wasm') {
    void webgpuUnavailableReason().then((reason) => {
      if (reason === null) return;
      ui.notice.textContent = `WebGPU is unavailable: ${reason}. The model runs on wasm.`;
      ui.notice.hidden = false;
    });
  }
  try {
    classifier = await load(MODEL_URL, { device, wasmPaths: WASM_PATHS });
  } catch (err) {
    document.body.dataset.state = 'error';
    showError(`The model could not be loaded: ${(err as Error).message}`);
    return;
  }
  const accuracy = classifier.contract.testAccuracy;
  ui.modelInfo.textContent =
    accuracy === undefined ? 'test accuracy unknown' : `test accuracy ${(accuracy * 100).toFixed(1)} %`;
  ui.provider.textContent = classifier.provider === 'webgpu' ? 'WebGPU' : 'wasm (CPU)';
  if (current) await classify(current.values, current.caption);
}

async function classify(values: RawVoxels, caption: string): Promise<void> {
  current = { values, caption };
  ui.caption.textContent = caption;
  void view.then((v) => v.show(values));
  if (classifier === null) {
    startView();
    return;
  }
  ui.error.hidden = true;
  try {
    const started = performance.now();
    const [prediction] = await classifier.predict(values);
    const elapsed = performance.now() - started;
    if (prediction === undefined) throw new Error('the model returned no prediction');
    ui.prediction.textContent = prediction.label;
    ui.latency.textContent = `${elapsed.toFixed(1)} ms (preprocessing included)`;
    renderBars(ui.bars, classifier.contract.labels, prediction);
    // Read by the browser tests and the benchmark: ms since navigation start.
    document.body.dataset.firstPredictionMs ??= performance.now().toFixed(1);
    document.body.dataset.state = 'ready';
  } catch (err) {
    ui.prediction.textContent = '–';
    showError((err as Error).message);
  } finally {
    startView();
  }
}

function renderSamples(samples: readonly DemoSample[]): void {
  const buttons = samples.map((sample) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = String(sample.label);
    button.title = `test sample ${sample.index}, true digit ${sample.label}`;
    button.addEventListener('click', () => {
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
      void classify(sample.values, `Test sample #${sample.index} — true digit ${sample.label}`);
    });
    return button;
  });
  ui.samples.replaceChildren(...buttons);
  buttons[0]?.click();
}

ui.file.addEventListener('change', async () => {
  const file = ui.file.files?.[0];
  if (!file) return;
  try {
    const values = parseVectorFile(file.name, await file.arrayBuffer());
    for (const b of ui.samples.querySelectorAll('button')) b.setAttribute('aria-pressed', 'false');
    await classify(values, `File ${file.name}`);
  } catch (err) {
    showError((err as Error).message);
  }
});

ui.device.addEventListener('change', () => {
  const device = DEVICES.find((d) => d === ui.device.value) ?? 'auto';
  const url = new URL(window.location.href);
  url.searchParams.set('device', device);
  window.history.replaceState(null, '', url);
  void loadClassifier(device);
});

async function main(): Promise<void> {
  const device = requestedDevice();
  ui.device.value = device;
  const [samples] = await Promise.all([fetchSamples('./samples.json'), loadClassifier(device)]);
  renderSamples(samples.samples);
}

main().catch((err: unknown) => {
  document.body.dataset.state = 'error';
  showError((err as Error).message);
});
