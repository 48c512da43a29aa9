// A user's page, bundled by Vite from the installed @conv3d/infer-web: classifies the same real rows on wasm and
// leaves the result (or the error) on window for the test to read.
import { load } from '@conv3d/infer-web';

async function classify() {
  const { rows } = await (await fetch('./rows.json')).json();
  const classifier = await load('./model.onnx', { device: 'wasm', wasmPaths: '/ort/' });
  try {
    const predictions = await classifier.predict(rows.map((row) => Float64Array.from(row)));
    return {
      provider: classifier.provider,
      labels: predictions.map((p) => p.label),
      probabilities: predictions.map((p) => Array.from(p.probabilities)),
    };
  } finally {
    await classifier.dispose();
  }
}

classify().then(
  (result) => {
    window.conv3dResult = result;
  },
  (error) => {
    window.conv3dResult = { error: String(error?.stack ?? error) };
  },
);
