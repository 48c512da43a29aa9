// The segmentation view: a generated volume (phantoms.ts) segmented by ./segmenter.onnx in a Web Worker, shown as
// axial, coronal and sagittal slices with the label map over them.
import './style.css';
import type { Segmentation, Volume } from '@conv3d/core';
import { loadWorkerSegmenter, type WebDevice, type WorkerSegmenter } from '@conv3d/infer-web';
import { asDevice, element, requestedDevice, WASM_PATHS } from './page.js';
import { findPhantom, PHANTOMS } from './phantoms.js';
import { LABEL_COLOURS, PLANES, type Plane, planeGeometry } from './slice-geometry.js';
import { drawSlice } from './slice-view.js';

const MODEL_URL = './segmenter.onnx';

const ui = {
  error: element('error'),
  volume: element<HTMLSelectElement>('volume'),
  device: element<HTMLSelectElement>('device'),
  opacity: element<HTMLInputElement>('opacity'),
  progress: element<HTMLProgressElement>('progress'),
  provider: element('provider'),
  windows: element('windows'),
  time: element('time'),
  legend: element('legend'),
};
const params = new URLSearchParams(window.location.search);
let segmenter: WorkerSegmenter | null = null;
let shown: { volume: Volume; result: Segmentation | null } | null = null;
let running: AbortController | null = null;

function showError(message: string): void {
  ui.error.textContent = message;
  ui.error.hidden = false;
  document.body.dataset.state = 'error';
}

function draw(): void {
  if (shown === null) return;
  const { volume, result } = shown;
  const dims = result?.dims ?? (volume.dims as [number, number, number]);
  for (const plane of PLANES) {
    const slider = element<HTMLInputElement>(`${plane}-index`);
    drawSlice(
      element<HTMLCanvasElement>(plane),
      plane,
      Number(slider.value),
      dims,
      volume.data,
      result?.labels ?? null,
      Number(ui.opacity.value),
    );
  }
}

function resetSliders(dims: readonly number[]): void {
  const depth: Record<Plane, number> = { axial: dims[0] ?? 1, coronal: dims[1] ?? 1, sagittal: dims[2] ?? 1 };
  for (const plane of PLANES) {
    const slider = element<HTMLInputElement>(`${plane}-index`);
    slider.max = String(depth[plane] - 1);
    slider.value = String(Math.floor(depth[plane] / 2));
    const { rows, cols } = planeGeometry(plane, dims as [number, number, number]);
    element(plane).style.aspectRatio = `${cols} / ${rows}`;
  }
}

async function openSegmenter(device: WebDevice): Promise<void> {
  await segmenter?.dispose();
  segmenter = null;
  ui.provider.textContent = '–';
  const worker = new Worker(new URL('./segment-worker.ts', import.meta.url), { type: 'module' });
  segmenter = await loadWorkerSegmenter(worker, MODEL_URL, { device, wasmPaths: WASM_PATHS });
  ui.provider.textContent = segmenter.provider === 'webgpu' ? 'WebGPU' : 'wasm (CPU)';
  ui.legend.replaceChildren(
    ...segmenter.contract.labels.slice(1).map((label, i) => {
      const chip = document.createElement('span');
      chip.className = 'chip';
      chip.style.setProperty('--chip', `rgb(${(LABEL_COLOURS[i + 1] ?? [255, 255, 255]).join(' ')})`);
      chip.textContent = label;
      return chip;
    }),
  );
}

async function segmentShown(name: string): Promise<void> {
  if (segmenter === null) return;
  running?.abort(new Error('another volume was picked'));
  const controller = new AbortController();
  running = controller;
  document.body.dataset.state = 'segmenting';
  ui.error.hidden = true;
  const volume = findPhantom(name).make();
  shown = { volume, result: null };
  resetSliders(volume.dims);
  draw();
  ui.progress.value = 0;
  const started = performance.now();
  try {
    const result = await segmenter.segment(volume, {
      overlap: 0.25,
      signal: controller.signal,
      onProgress: ({ windows, total }) => {
        ui.progress.max = total;
        ui.progress.value = windows;
        ui.windows.textContent = `${windows} / ${total}`;
      },
    });
    if (controller.signal.aborted) return;
    ui.time.textContent = `${((performance.now() - started) / 1000).toFixed(2)} s`;
    shown = { volume, result };
    draw();
    document.body.dataset.state = 'ready';
  } catch (err) {
    if (!controller.signal.aborted) showError(`Segmentation failed: ${(err as Error).message}`);
  }
}

async function start(): Promise<void> {
  for (const phantom of PHANTOMS) ui.volume.add(new Option(phantom.title, phantom.name));
  ui.volume.value = PHANTOMS.find((p) => p.name === params.get('volume'))?.name ?? 'spheres';
  ui.device.value = requestedDevice();
  ui.opacity.addEventListener('input', draw);
  for (const plane of PLANES) element(`${plane}-index`).addEventListener('input', draw);
  ui.volume.addEventListener('change', () => void segmentShown(ui.volume.value));
  ui.device.addEventListener('change', async () => {
    running?.abort(new Error('the device changed'));
    try {
      await openSegmenter(asDevice(ui.device.value));
      await segmentShown(ui.volume.value);
    } catch (err) {
      showError(`The model could not be loaded: ${(err as Error).message}`);
    }
  });
  try {
    await openSegmenter(asDevice(ui.device.value));
  } catch (err) {
    showError(`The model could not be loaded: ${(err as Error).message}`);
    return;
  }
  await segmentShown(ui.volume.value);
}

void start();
