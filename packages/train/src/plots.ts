// The seed's two training plots (loss & val_loss, accuracy & val_accuracy per epoch) as SVG, drawn by vega
// from a plain vega spec (vega-lite needs a newer Node) with the headless 'none' renderer.
import * as vega from 'vega';
import type { History } from './history.js';

interface Point {
  epoch: number;
  value: number;
  series: string;
}

/** A vega spec for one metric: a line per series over epochs, with points and a legend. */
export function curveSpec(
  title: string,
  yTitle: string,
  series: Record<string, readonly number[]>,
): vega.Spec {
  const values: Point[] = [];
  for (const [name, ys] of Object.entries(series)) {
    ys.forEach((value, i) => {
      if (Number.isFinite(value)) values.push({ epoch: i + 1, value, series: name });
    });
  }
  return {
    width: 480,
    height: 300,
    padding: 8,
    background: 'white',
    title: { text: title, fontSize: 14 },
    data: [{ name: 'points', values }],
    scales: [
      {
        name: 'x',
        type: 'linear',
        domain: { data: 'points', field: 'epoch' },
        range: 'width',
        zero: false,
        nice: false,
      },
      {
        name: 'y',
        type: 'linear',
        domain: { data: 'points', field: 'value' },
        range: 'height',
        zero: false,
        nice: true,
      },
      { name: 'color', type: 'ordinal', domain: Object.keys(series), range: ['#1f77b4', '#ff7f0e'] },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'epoch', tickMinStep: 1, format: 'd' },
      { orient: 'left', scale: 'y', title: yTitle, grid: true },
    ],
    legends: [{ stroke: 'color', orient: 'right', symbolType: 'stroke', symbolStrokeWidth: 2 }],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'one', data: 'points', groupby: 'series' } },
        marks: [
          {
            type: 'line',
            from: { data: 'one' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'epoch' },
                y: { scale: 'y', field: 'value' },
                stroke: { scale: 'color', field: 'series' },
                strokeWidth: { value: 2 },
              },
            },
          },
          {
            type: 'symbol',
            from: { data: 'one' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'epoch' },
                y: { scale: 'y', field: 'value' },
                fill: { scale: 'color', field: 'series' },
                size: { value: 24 },
              },
            },
          },
        ],
      },
    ],
  };
}

export async function renderSvg(spec: vega.Spec): Promise<string> {
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The seed's plots (model loss and accuracy, train vs validation), and the learning rate when it was logged. */
export async function renderCurves(
  history: History,
): Promise<{ loss: string; accuracy: string; learningRate?: string }> {
  const [loss, accuracy, learningRate] = await Promise.all([
    renderSvg(curveSpec('model loss', 'loss', { train: history.loss, validation: history.val_loss })),
    renderSvg(
      curveSpec('model accuracy', 'accuracy', { train: history.accuracy, validation: history.val_accuracy }),
    ),
    history.learning_rate &&
      renderSvg(curveSpec('learning rate', 'learning rate', { 'learning rate': history.learning_rate })),
  ]);
  return learningRate ? { loss, accuracy, learningRate } : { loss, accuracy };
}
