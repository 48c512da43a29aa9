// A few test volumes' middle slices for the report: image, truth and prediction side by side, as one inline SVG
// (pixels as runs of rects: no canvas, nothing Node-only, opens in any browser).
import { escapeHtml } from '../report.js';

export interface VolumeSlice {
  title: string;
  height: number;
  width: number;
  /** height × width image values (the model input's first channel). */
  image: Float32Array;
  truth: Int32Array;
  predicted: Int32Array;
}

/** Class colours (background black), repeated past the eighth class. */
const PALETTE = ['#000000', '#e6550d', '#31a354', '#3182bd', '#fdd0a2', '#756bb1', '#de2d26', '#bdbdbd'];
const PIXEL = 4;
const GAP = 12;

/** One panel: each row as runs of equal colour. */
function panel(x0: number, y0: number, s: VolumeSlice, colour: (i: number) => string): string {
  const rects: string[] = [];
  for (let r = 0; r < s.height; r++) {
    let start = 0;
    for (let c = 1; c <= s.width; c++) {
      const i = r * s.width;
      if (c < s.width && colour(i + c) === colour(i + start)) continue;
      rects.push(
        `<rect x="${x0 + start * PIXEL}" y="${y0 + r * PIXEL}" width="${(c - start) * PIXEL}" height="${PIXEL}" fill="${colour(i + start)}"/>`,
      );
      start = c;
    }
  }
  return rects.join('');
}

function grey(image: Float32Array): (i: number) => string {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of image) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  // 32 grey levels keep the runs long and the SVG small.
  return (i) => {
    const level = Math.round((((image[i] as number) - lo) / (hi - lo || 1)) * 31);
    const v = Math.round((level * 255) / 31)
      .toString(16)
      .padStart(2, '0');
    return `#${v}${v}${v}`;
  };
}

export function slicesSvg(slices: readonly VolumeSlice[], labels: readonly string[]): string {
  if (slices.length === 0) return '';
  const w = (slices[0] as VolumeSlice).width * PIXEL;
  const h = (slices[0] as VolumeSlice).height * PIXEL;
  const rowHeight = h + GAP + 16;
  const parts: string[] = [];
  const heads = ['image', 'truth', 'prediction'];
  slices.forEach((s, k) => {
    const y0 = k * rowHeight + 16;
    parts.push(`<text x="0" y="${y0 - 4}" font-size="11">${escapeHtml(s.title)}</text>`);
    const colours = [
      grey(s.image),
      (i: number) => PALETTE[(s.truth[i] as number) % 8] as string,
      (i: number) => PALETTE[(s.predicted[i] as number) % 8] as string,
    ];
    colours.forEach((colour, p) => {
      const x0 = p * (w + GAP);
      if (k === 0)
        parts.push(`<text x="${x0 + w / 2}" y="10" font-size="11" text-anchor="middle">${heads[p]}</text>`);
      parts.push(panel(x0, y0 + 2, s, colour));
    });
  });
  const legend = labels
    .map((l, c) => `<span style="color:${PALETTE[c % 8]};font-weight:bold">■</span> ${escapeHtml(l)}`)
    .join(' &nbsp; ');
  const width = 3 * w + 2 * GAP;
  const height = slices.length * rowHeight + 8;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" shape-rendering="crispEdges">${parts.join('')}</svg>
<p>${legend}</p>`;
}
