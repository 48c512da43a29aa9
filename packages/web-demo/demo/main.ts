// The demo page: loads ./model.onnx, shows the bundled test samples (or a user's file) in 3D on the model's grid and
// classifies the chosen one, with one bar per class named by the model's labels.
import './style.css';
import { type ModelContract, type RawVoxels, SEED_CONTRACT } from '@conv3d/core';
import {
  load,
  niftiInput,
  type WebClassifier,
  type WebDevice,
  webgpuUnavailableReason,
} from '@conv3d/infer-web';
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
  fileLength: element('file-length'),
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
let samples: readonly DemoSample[] = [];

/** The loaded model's contract; before a model loads, the bundled 3D MNIST samples' own (the seed's). */
function contract(): ModelContract {
  return classifier?.contract ?? SEED_CONTRACT;
}

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
  const [d, h, w] = classifier.contract.grid;
  ui.fileLength.textContent = `${classifier.contract.rawLength} (${d}×${h}×${w}×${classifier.contract.rawChannels})`;
  renderSamples();
  if (current && current.values.length === classifier.contract.rawLength)
    await classify(current.values, current.caption);
}

async function classify(values: RawVoxels, caption: string): Promise<void> {
  current = { values, caption };
  ui.caption.textContent = caption;
  const shape = contract();
  void view.then((v) => v.show(values, shape));
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

/** The bundled samples that fit the model (3D MNIST rows fit a 16³ model only); the first is shown. */
function renderSamples(): void {
  const { labels, rawLength } = contract();
  const fitting = samples.filter((sample) => sample.values.length === rawLength);
  const buttons = fitting.map((sample) => {
    const name = labels[sample.label] ?? String(sample.label);
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = name;
    button.title = `test sample ${sample.index}, true class ${name}`;
    button.addEventListener('click', () => {
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
      void classify(sample.values, `Test sample #${sample.index} — true class ${name}`);
    });
    return button;
  });
  if (buttons.length === 0 && samples.length > 0) {
    const note = document.createElement('p');
    const [d, h, w] = contract().grid;
    note.textContent = `The bundled samples are 3D MNIST rows; this model takes ${d}×${h}×${w} grids: load a file of yours.`;
    ui.samples.replaceChildren(note);
    return;
  }
  ui.samples.replaceChildren(...buttons);
  if (current === null || current.values.length !== rawLength) buttons[0]?.click();
}

ui.file.addEventListener('change', async () => {
  const file = ui.file.files?.[0];
  if (!file) return;
  try {
    // The file is read on the loaded model's grid, so any model's own rows load.
    const bytes = await file.arrayBuffer();
    const values = /\.nii(\.gz)?$/i.test(file.name)
      ? (await niftiInput(bytes, file.name, contract())).row
      : parseVectorFile(file.name, bytes, contract());
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
  const [bundled] = await Promise.all([fetchSamples('./samples.json'), loadClassifier(device)]);
  samples = bundled.samples;
  renderSamples();
}

main().catch((err: unknown) => {
  document.body.dataset.state = 'error';
  showError((err as Error).message);
});
