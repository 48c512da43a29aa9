// A small self-contained HTML report: summary, the task's test section (metrics, confusion matrix, slices) and
// the curves inline.
import type { Evaluation } from './evaluate.js';
import type { History } from './history.js';

export interface ReportInput {
  title: string;
  summary: Record<string, string>;
  /** The test split's section, from the run's task (Task.reportSection). */
  testSection: string;
  history: History;
  curves: { loss: string; accuracy: string; learningRate?: string };
}

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : 'n/a');
export const num = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');

export function confusionTable(confusion: number[][], labels: readonly string[]): string {
  const max = Math.max(1, ...confusion.flat());
  const head = labels.map((l) => `<th>${escapeHtml(l)}</th>`).join('');
  const rows = confusion
    .map((row, t) => {
      const cells = row
        .map((n, p) => {
          const alpha = (n / max).toFixed(3);
          const cls = t === p ? ' class="diag"' : '';
          return `<td${cls} style="background: rgba(230, 85, 13, ${alpha})">${n}</td>`;
        })
        .join('');
      return `<tr><th>${escapeHtml(labels[t] ?? String(t))}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<table class="confusion"><caption>rows: true class, columns: predicted class</caption>
<tr><th></th>${head}</tr>
${rows}
</table>`;
}

function historyTable(history: History): string {
  const lr = history.learning_rate;
  const dice = history.val_dice;
  const rows = history.loss
    .map(
      (_, i) =>
        `<tr><td>${i + 1}</td><td>${num(history.loss[i] as number)}</td><td>${num(history.accuracy[i] as number)}</td>` +
        `<td>${num(history.val_loss[i] as number)}</td><td>${num(history.val_accuracy[i] as number)}</td>` +
        `${dice ? `<td>${num(dice[i] as number)}</td>` : ''}` +
        `${lr ? `<td>${(lr[i] as number).toPrecision(4)}</td>` : ''}</tr>`,
    )
    .join('\n');
  return `<table><tr><th>epoch</th><th>loss</th><th>accuracy</th><th>val_loss</th><th>val_accuracy</th>${dice ? '<th>val_dice</th>' : ''}${lr ? '<th>learning_rate</th>' : ''}</tr>
${rows}
</table>`;
}

/** A classifier's test section: loss, accuracy (also on the even and odd rows), confusion matrix. */
export function classificationSection(test: Evaluation, labels: readonly string[]): string {
  return `<p>loss <b>${num(test.loss)}</b>, accuracy <b>${pct(test.accuracy)}</b> on ${test.count} samples:
originals (even rows) <b>${pct(test.originals.accuracy)}</b> of ${test.originals.count},
rotated copies (odd rows) <b>${pct(test.rotatedCopies.accuracy)}</b> of ${test.rotatedCopies.count}.</p>
${confusionTable(test.confusion, labels)}`;
}

export function renderReport(input: ReportInput): string {
  const summary = Object.entries(input.summary)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(input.title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 1040px; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th { background: #f6f6f6; }
.confusion td.diag { font-weight: bold; }
caption { caption-side: bottom; color: #666; font-size: 12px; padding-top: 0.3rem; }
.curves { display: flex; flex-wrap: wrap; gap: 1rem; }
</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<h2>Test set</h2>
${input.testSection}
<h2>Training curves</h2>
<div class="curves">
${input.curves.loss}
${input.curves.accuracy}
${input.curves.learningRate ?? ''}
</div>
${historyTable(input.history)}
<h2>Run</h2>
<table>
${summary}
</table>
</body>
</html>
`;
}
