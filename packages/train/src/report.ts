// A small self-contained HTML report: summary, test metrics, confusion matrix and the curves inline.
import { DATASET_CONTRACT } from './dataset-contract.js';
import type { Evaluation } from './evaluate.js';
import type { History } from './history.js';

export interface ReportInput {
  title: string;
  summary: Record<string, string>;
  test: Evaluation;
  history: History;
  curves: { loss: string; accuracy: string };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : 'n/a');
const num = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');

function confusionTable(confusion: number[][]): string {
  const labels = DATASET_CONTRACT.labels;
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
  return `<table class="confusion"><caption>rows: true digit, columns: predicted digit</caption>
<tr><th></th>${head}</tr>
${rows}
</table>`;
}

function historyTable(history: History): string {
  const rows = history.loss
    .map(
      (_, i) =>
        `<tr><td>${i + 1}</td><td>${num(history.loss[i] as number)}</td><td>${num(history.accuracy[i] as number)}</td>` +
        `<td>${num(history.val_loss[i] as number)}</td><td>${num(history.val_accuracy[i] as number)}</td></tr>`,
    )
    .join('\n');
  return `<table><tr><th>epoch</th><th>loss</th><th>accuracy</th><th>val_loss</th><th>val_accuracy</th></tr>
${rows}
</table>`;
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
<p>loss <b>${num(input.test.loss)}</b>, accuracy <b>${pct(input.test.accuracy)}</b> on ${input.test.count} samples.</p>
${confusionTable(input.test.confusion)}
<h2>Training curves</h2>
<div class="curves">
${input.curves.loss}
${input.curves.accuracy}
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
