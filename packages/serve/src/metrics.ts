// Prometheus metrics (prom-client) on a registry of the server's own, so apps embedding it keep theirs apart.
import { type BatchInfo, isPooled } from '@conv3d/infer-node';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ServedModel } from './model-info.js';

export interface Metrics {
  registry: Registry;
  /** Records one answered HTTP request. */
  request(route: string, method: string, status: number, seconds: number): void;
  /** Records a batch sent to onnxruntime (from the pool, or one request on the in-thread path). */
  batch(batch: BatchInfo): void;
  inferStarted(): void;
  inferEnded(): void;
  /** The model is loaded: its provider and workers become gauges, queue depth is read from it. */
  attach(model: ServedModel, workers: number): void;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'conv3d_serve_' });
  const requests = new Counter({
    name: 'conv3d_serve_requests_total',
    help: 'HTTP requests answered, by route, method and status code',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'conv3d_serve_request_duration_seconds',
    help: 'Time from request received to response sent, by route',
    labelNames: ['route'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const batchSamples = new Histogram({
    name: 'conv3d_serve_batch_size',
    help: 'Samples per batch run by onnxruntime (coalesced from concurrent requests by the worker pool)',
    buckets: BATCH_BUCKETS,
    registers: [registry],
  });
  const batchRequests = new Histogram({
    name: 'conv3d_serve_batch_requests',
    help: 'Inference requests coalesced into one batch',
    buckets: BATCH_BUCKETS,
    registers: [registry],
  });
  let inFlight = 0;
  let classifier: ServedModel | undefined;
  new Gauge({
    name: 'conv3d_serve_inflight_requests',
    help: 'Inference requests received and not yet answered',
    registers: [registry],
    collect() {
      this.set(inFlight);
    },
  });
  new Gauge({
    name: 'conv3d_serve_queue_depth',
    help: 'Inference requests waiting for a worker (in-thread: requests in flight)',
    registers: [registry],
    collect() {
      this.set(
        classifier !== undefined && isPooled(classifier) ? classifier.stats().queuedRequests : inFlight,
      );
    },
  });
  const provider = new Gauge({
    name: 'conv3d_serve_provider',
    help: 'The execution provider running the model (1 for the one in use)',
    labelNames: ['provider'],
    registers: [registry],
  });
  const workers = new Gauge({
    name: 'conv3d_serve_workers',
    help: 'Worker threads running a session (0: the session runs on the server thread)',
    registers: [registry],
  });
  const ready = new Gauge({
    name: 'conv3d_serve_model_ready',
    help: '1 once the model is loaded',
    registers: [registry],
  });
  ready.set(0);
  return {
    registry,
    request(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route }, seconds);
    },
    batch({ samples, requests: count }) {
      batchSamples.observe(samples);
      batchRequests.observe(count);
    },
    inferStarted() {
      inFlight++;
    },
    inferEnded() {
      inFlight--;
    },
    attach(loaded, workerCount) {
      classifier = loaded;
      provider.set({ provider: loaded.provider }, 1);
      workers.set(workerCount);
      ready.set(1);
    },
  };
}
