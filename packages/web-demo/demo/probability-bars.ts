// Class probabilities as one labelled bar per class, the top class highlighted.
import type { Prediction } from '@conv3d/infer-web';

export function renderBars(container: HTMLElement, labels: readonly string[], prediction: Prediction): void {
  const rows = labels.map((label, i) => {
    const p = prediction.probabilities[i] as number;
    const row = document.createElement('div');
    row.className = i === prediction.index ? 'bar top' : 'bar';
    const name = document.createElement('span');
    name.textContent = label;
    const meter = document.createElement('meter');
    meter.min = 0;
    meter.max = 1;
    meter.value = p;
    meter.title = `P(${label}) = ${p}`;
    const value = document.createElement('span');
    value.textContent = `${(p * 100).toFixed(1)} %`;
    row.append(name, meter, value);
    return row;
  });
  container.replaceChildren(...rows);
}
