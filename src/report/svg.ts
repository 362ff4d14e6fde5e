/**
 * Dependency-free SVG charts for reports: line plots (linear or log axes), heat maps (an embedded PNG),
 * waveform envelopes and grouped bar charts. Every function returns a standalone `<svg>` string; all text is
 * escaped and the output depends only on the input (ids are content hashes, numbers are rounded to 0.01 px).
 */
import { ColorScale, colorLut, seriesColor } from './colors';
import { escapeXml, formatTick } from './format';
import { pngDataUri } from './png';

export { escapeXml } from './format';

// ---------------------------------------------------------------------------------------------------------------
// Ticks and scales

/** A "nice" step (1, 2 or 5 × 10^k) giving about `target` intervals over `span`. */
export function niceStep(span: number, target = 6): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, target);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

const tidy = (v: number): number => Number(v.toPrecision(12));

/** Nice tick values (multiples of niceStep) inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (!(hi > lo)) return [tidy(lo)];
  const step = niceStep(hi - lo, target);
  const i0 = Math.ceil(lo / step - 1e-9);
  const i1 = Math.floor(hi / step + 1e-9);
  const ticks: number[] = [];
  for (let i = i0; i <= i1; i++) ticks.push(tidy(i * step) || 0);
  return ticks;
}

/** [lo, hi] widened outwards to multiples of the nice step. */
export function niceDomain(lo: number, hi: number, target = 6): [number, number] {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return niceDomain(lo - pad, hi + pad, target);
  }
  const step = niceStep(hi - lo, target);
  return [tidy(Math.floor(lo / step + 1e-9) * step), tidy(Math.ceil(hi / step - 1e-9) * step)];
}

/** The base log ticks use for [lo, hi]: powers of 2 up to a ratio of 2^16 (bin counts, Q), else of 10. */
export function logBaseFor(lo: number, hi: number): 2 | 10 {
  return hi / lo <= 65536 ? 2 : 10;
}

/**
 * Ticks of a log axis over [lo, hi] (lo > 0): powers of the base (2 or 10), every k-th one so that there are
 * at most `maxTicks`, aligned so that e.g. Q from 16 to 1024 gets 16, 64, 256, 1024. Falls back to linear ticks
 * when no power lies inside.
 */
export function logTicks(lo: number, hi: number, base: 2 | 10 = logBaseFor(lo, hi), maxTicks = 8): number[] {
  if (!(lo > 0) || !(hi >= lo) || !Number.isFinite(hi)) return [];
  const lb = base === 2 ? Math.log2 : Math.log10;
  const e0 = Math.ceil(lb(lo) - 1e-9);
  const e1 = Math.floor(lb(hi) + 1e-9);
  if (e1 < e0) return niceTicks(lo, hi, 4).filter((t) => t > 0);
  let every = 1;
  while (Math.floor(e1 / every) - Math.ceil(e0 / every) + 1 > maxTicks) every++;
  const ticks: number[] = [];
  for (let e = Math.ceil(e0 / every) * every; e <= e1; e += every) ticks.push(tidy(Math.pow(base, e)));
  return ticks;
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
};

/** A log tick label: plain numbers in a readable range, else base with a superscript exponent (2²⁰, 10⁻⁶). */
export function formatLogTick(v: number, base: 2 | 10): string {
  if (v >= 1e-3 && v < 1e6) return String(tidy(v));
  const e = Math.round(base === 2 ? Math.log2(v) : Math.log10(v));
  if (Math.abs(Math.pow(base, e) - v) > 1e-9 * v) return formatTick(v, v);
  return `${base}${String(e).replace(/./g, (c) => SUPERSCRIPT[c] ?? c)}`;
}

interface Scale {
  lo: number;
  hi: number;
  log: boolean;
  ticks: number[];
  labels: string[];
}

function makeScale(
  lo: number,
  hi: number,
  opts: { log?: boolean; nice?: boolean; pad?: number; fixed?: boolean; target?: number },
): Scale {
  const target = opts.target ?? 6;
  if (opts.fixed && !(hi > lo && (!opts.log || lo > 0))) opts = { ...opts, fixed: false }; // unusable range
  if (opts.log) {
    if (!(lo > 0) || !(hi > 0)) {
      lo = 1;
      hi = 10;
    }
    if (hi === lo) {
      lo /= 2;
      hi *= 2;
    }
    let l0 = Math.log(lo);
    let l1 = Math.log(hi);
    if (!opts.fixed) {
      const pad = (opts.pad ?? 0) * (l1 - l0);
      l0 -= pad;
      l1 += pad;
    }
    const base = logBaseFor(Math.exp(l0), Math.exp(l1));
    const ticks = logTicks(Math.exp(l0) * (1 - 1e-9), Math.exp(l1) * (1 + 1e-9), base);
    return { lo: Math.exp(l0), hi: Math.exp(l1), log: true, ticks, labels: ticks.map((t) => formatLogTick(t, base)) };
  }
  if (!opts.fixed) {
    if (opts.nice) {
      [lo, hi] = niceDomain(lo, hi, target);
    } else if (hi === lo) {
      [lo, hi] = niceDomain(lo, hi, target);
    }
    const pad = (opts.pad ?? 0) * (hi - lo);
    lo -= pad;
    hi += pad;
  }
  const ticks = niceTicks(lo, hi, target);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : niceStep(hi - lo, target);
  return { lo, hi, log: false, ticks, labels: ticks.map((t) => formatTick(t, step)) };
}

/** Position of v on a scale, as a fraction from lo (0) to hi (1). */
function frac(s: Scale, v: number): number {
  return s.log ? Math.log(v / s.lo) / Math.log(s.hi / s.lo) : (v - s.lo) / (s.hi - s.lo);
}

function valid(s: Scale, v: number): boolean {
  return Number.isFinite(v) && (!s.log || v > 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Shared drawing

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const INK = '#1f2937';
const MUTED = '#6b7280';
const GRID = '#e8eaef';
const AXIS = '#9ca3af';

/** Round to 0.01 px: short, deterministic output. */
const r = (v: number): string => String(Math.round(v * 100) / 100);

/** Approximate text width at a font size (no layout engine here); good enough for margins. */
const textWidth = (s: string, size: number): number => s.length * size * 0.58;

/** FNV-1a hash as 8 hex digits, for ids that are unique per content yet deterministic. */
function hashId(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

function svgOpen(width: number, height: number, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="bw-chart" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="${escapeXml(FONT)}" ` +
    `font-size="12" fill="${INK}">` +
    `<title>${escapeXml(title)}</title>` +
    `<rect class="bw-bg" x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`
  );
}

function titleSvg(title: string, x: number): string {
  return title
    ? `<text class="bw-title" x="${r(x)}" y="22" font-size="15" font-weight="600">${escapeXml(title)}</text>`
    : '';
}

/** Gridlines, axis lines, tick marks, tick labels and axis labels around a plot box. */
function axesSvg(xs: Scale, ys: Scale, box: Box, xLabel: string, yLabel: string, opts: { xGrid?: boolean; yGrid?: boolean } = {}): string {
  const out: string[] = [];
  const bottom = box.top + box.height;
  const right = box.left + box.width;
  const grid: string[] = [];
  if (opts.yGrid !== false) {
    ys.ticks.forEach((t) => {
      const y = bottom - frac(ys, t) * box.height;
      grid.push(`M${r(box.left)} ${r(y)}H${r(right)}`);
    });
  }
  if (opts.xGrid !== false) {
    xs.ticks.forEach((t) => {
      const x = box.left + frac(xs, t) * box.width;
      grid.push(`M${r(x)} ${r(box.top)}V${r(bottom)}`);
    });
  }
  if (grid.length) out.push(`<path class="bw-grid" d="${grid.join('')}" stroke="${GRID}" stroke-width="1" fill="none"/>`);
  const marks: string[] = [];
  const labels: string[] = [];
  xs.ticks.forEach((t, i) => {
    const x = box.left + frac(xs, t) * box.width;
    marks.push(`M${r(x)} ${r(bottom)}v5`);
    labels.push(`<text x="${r(x)}" y="${r(bottom + 18)}" text-anchor="middle">${escapeXml(xs.labels[i])}</text>`);
  });
  ys.ticks.forEach((t, i) => {
    const y = bottom - frac(ys, t) * box.height;
    marks.push(`M${r(box.left)} ${r(y)}h-5`);
    labels.push(`<text x="${r(box.left - 8)}" y="${r(y + 4)}" text-anchor="end">${escapeXml(ys.labels[i])}</text>`);
  });
  out.push(
    `<path class="bw-axis" d="M${r(box.left)} ${r(box.top)}V${r(bottom)}H${r(right)}${marks.join('')}" ` +
      `stroke="${AXIS}" stroke-width="1" fill="none"/>`,
  );
  out.push(`<g class="bw-ticks" fill="${MUTED}" font-size="11.5">${labels.join('')}</g>`);
  if (xLabel) {
    out.push(
      `<text class="bw-xlabel" x="${r(box.left + box.width / 2)}" y="${r(bottom + 38)}" text-anchor="middle" ` +
        `font-size="12.5">${escapeXml(xLabel)}</text>`,
    );
  }
  if (yLabel) {
    out.push(
      `<text class="bw-ylabel" transform="translate(16 ${r(box.top + box.height / 2)}) rotate(-90)" ` +
        `text-anchor="middle" font-size="12.5">${escapeXml(yLabel)}</text>`,
    );
  }
  return out.join('');
}

/** Left margin that fits the y tick labels and the rotated y label. */
function leftMargin(ys: Scale, hasYLabel: boolean): number {
  const widest = Math.max(0, ...ys.labels.map((l) => textWidth(l, 11.5)));
  return Math.ceil((hasYLabel ? 28 : 8) + widest + 10);
}

interface LegendItem {
  name: string;
  color: string;
  kind: 'line' | 'points' | 'line+points' | 'box';
  dash?: boolean;
}

/** Lay out a legend in rows from (x, y) within maxWidth; returns the SVG and its height. */
/** The legend under the title and the plot box below it: the same frame for every chart with axes. */
function frame(
  items: LegendItem[], left: number, right: number, width: number, height: number, title: boolean, xLabel: boolean,
): { legend: { svg: string; height: number }; box: Box } {
  const legend = legendSvg(items, left, title ? 34 : 8, width - left - right);
  const top = (title ? 34 : 10) + (legend.height ? legend.height + 8 : 4);
  const bottom = xLabel ? 48 : 30;
  return { legend, box: { left, top, width: Math.max(10, width - left - right), height: Math.max(10, height - top - bottom) } };
}

function legendSvg(items: LegendItem[], x: number, y: number, maxWidth: number): { svg: string; height: number } {
  if (items.length === 0) return { svg: '', height: 0 };
  const rowH = 18;
  const parts: string[] = [];
  let cx = x;
  let cy = y;
  for (const it of items) {
    const w = 22 + 6 + textWidth(it.name, 12) + 18;
    if (cx > x && cx + w > x + maxWidth) {
      cx = x;
      cy += rowH;
    }
    const my = cy + 9;
    let swatch = '';
    if (it.kind === 'box') {
      swatch = `<rect x="${r(cx + 4)}" y="${r(my - 6)}" width="14" height="12" rx="2" fill="${it.color}"/>`;
    } else {
      if (it.kind !== 'points') {
        swatch += `<path d="M${r(cx)} ${r(my)}h22" stroke="${it.color}" stroke-width="2.5"${it.dash ? ' stroke-dasharray="5 3"' : ''}/>`;
      }
      if (it.kind !== 'line') swatch += `<circle cx="${r(cx + 11)}" cy="${r(my)}" r="3.5" fill="${it.color}" stroke="#fff" stroke-width="1"/>`;
    }
    parts.push(`${swatch}<text x="${r(cx + 28)}" y="${r(my + 4)}">${escapeXml(it.name)}</text>`);
    cx += w;
  }
  return { svg: `<g class="bw-legend">${parts.join('')}</g>`, height: cy - y + rowH };
}

// ---------------------------------------------------------------------------------------------------------------
// Line plot

export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** 'line' (default), 'points' (markers only) or 'line+points'. */
  kind?: 'line' | 'points' | 'line+points';
  color?: string;
  dash?: boolean;
  /** Line width in px (default 2). */
  strokeWidth?: number;
}

export interface LinePlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  width?: number;
  height?: number;
  logX?: boolean;
  logY?: boolean;
  /** Fixed y range; data outside it is clipped. */
  yRange?: [number, number];
  /** Fixed x range; data outside it is clipped. */
  xRange?: [number, number];
}

/**
 * Keep at most 4 points (first, min, max, last) per pixel column of a run of points: a long line (e.g. 100k
 * training steps) draws identically with a few thousand vertices.
 */
function decimate(px: number[], py: number[]): [number[], number[]] {
  if (px.length <= 4) return [px, py];
  const ox: number[] = [];
  const oy: number[] = [];
  let i = 0;
  while (i < px.length) {
    const col = Math.floor(px[i]);
    let j = i;
    let iMin = i;
    let iMax = i;
    while (j + 1 < px.length && Math.floor(px[j + 1]) === col) {
      j++;
      if (py[j] < py[iMin]) iMin = j;
      if (py[j] > py[iMax]) iMax = j;
    }
    const keep = [i, iMin, iMax, j].sort((a, b) => a - b).filter((k, n, a) => n === 0 || k !== a[n - 1]);
    for (const k of keep) {
      ox.push(px[k]);
      oy.push(py[k]);
    }
    i = j + 1;
  }
  return [ox, oy];
}

export function linePlot(opts: LinePlotOptions): string {
  const width = opts.width ?? 760;
  const height = opts.height ?? 380;
  const logX = !!opts.logX;
  const logY = !!opts.logY;
  const series = opts.series.map((s, i) => ({ ...s, kind: s.kind ?? 'line', color: s.color ?? seriesColor(i) }));

  // Data extents over the points that can be drawn.
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  let anyPoints = false;
  for (const s of series) {
    const n = Math.min(s.x.length, s.y.length);
    for (let i = 0; i < n; i++) {
      const x = s.x[i];
      const y = s.y[i];
      if (!Number.isFinite(x) || !Number.isFinite(y) || (logX && x <= 0) || (logY && y <= 0)) continue;
      if (opts.xRange && (x < opts.xRange[0] || x > opts.xRange[1])) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    if (s.kind !== 'line') anyPoints = true;
  }
  const empty = !(x1 >= x0);
  if (empty) {
    [x0, x1, y0, y1] = logX || logY ? [1, 10, 1, 10] : [0, 1, 0, 1];
  }
  const xs = opts.xRange
    ? makeScale(opts.xRange[0], opts.xRange[1], { log: logX, fixed: true })
    : makeScale(x0, x1, { log: logX, pad: anyPoints ? 0.04 : 0 });
  const ys = opts.yRange
    ? makeScale(opts.yRange[0], opts.yRange[1], { log: logY, fixed: true, target: 5 })
    : makeScale(y0, y1, { log: logY, nice: !logY, pad: logY ? 0.04 : 0, target: 5 });

  // Layout: title, legend, plot box.
  const left = leftMargin(ys, !!opts.yLabel);
  const lastLabel = xs.labels.length ? xs.labels[xs.labels.length - 1] : '';
  const right = Math.ceil(Math.max(16, textWidth(lastLabel, 11.5) / 2 + 4));
  const named = series.filter((s) => s.name);
  const { legend, box } = frame(
    named.map((s) => ({ name: s.name, color: s.color, kind: s.kind, dash: s.dash })),
    left, right, width, height, !!opts.title, !!opts.xLabel,
  );

  const px = (v: number) => box.left + frac(xs, v) * box.width;
  const py = (v: number) => box.top + box.height - frac(ys, v) * box.height;

  const body: string[] = [];
  for (const s of series) {
    const n = Math.min(s.x.length, s.y.length);
    const dash = s.dash ? ' stroke-dasharray="6 4"' : '';
    if (s.kind !== 'points') {
      // Break the line at points that cannot be drawn (NaN, ±Infinity, ≤ 0 on a log axis).
      const d: string[] = [];
      let runX: number[] = [];
      let runY: number[] = [];
      const flush = () => {
        if (runX.length > 0) {
          const [dx, dy] = decimate(runX, runY);
          d.push(`M${r(dx[0])} ${r(dy[0])}` + (dx.length === 1 ? 'h0.01' : ''));
          for (let k = 1; k < dx.length; k++) d.push(`L${r(dx[k])} ${r(dy[k])}`);
        }
        runX = [];
        runY = [];
      };
      for (let i = 0; i < n; i++) {
        const x = s.x[i];
        const y = s.y[i];
        if (valid(xs, x) && valid(ys, y)) {
          runX.push(px(x));
          runY.push(py(y));
        } else {
          flush();
        }
      }
      flush();
      if (d.length) {
        body.push(
          `<path class="bw-line" d="${d.join('')}" fill="none" stroke="${escapeXml(s.color)}" stroke-width="${r(s.strokeWidth ?? 2)}" ` +
            `stroke-linejoin="round" stroke-linecap="round"${dash}/>`,
        );
      }
    }
    if (s.kind !== 'line') {
      const dots: string[] = [];
      for (let i = 0; i < n; i++) {
        const x = s.x[i];
        const y = s.y[i];
        if (valid(xs, x) && valid(ys, y)) dots.push(`<circle cx="${r(px(x))}" cy="${r(py(y))}" r="3.5"/>`);
      }
      if (dots.length) {
        body.push(`<g class="bw-points" fill="${escapeXml(s.color)}" stroke="#fff" stroke-width="1">${dots.join('')}</g>`);
      }
    }
  }

  const clip = '__CLIP__';
  const content =
    axesSvg(xs, ys, box, opts.xLabel, opts.yLabel) +
    `<clipPath id="${clip}"><rect x="${r(box.left - 5)}" y="${r(box.top - 5)}" width="${r(box.width + 10)}" ` +
    `height="${r(box.height + 10)}"/></clipPath>` +
    `<g clip-path="url(#${clip})">${body.join('')}</g>` +
    (empty
      ? `<text x="${r(box.left + box.width / 2)}" y="${r(box.top + box.height / 2)}" text-anchor="middle" fill="${MUTED}">no data</text>`
      : '') +
    titleSvg(opts.title, left) +
    legend.svg;
  const id = `bw-clip-${hashId(opts.title + content)}`;
  return svgOpen(width, height, opts.title) + content.split(clip).join(id) + '</svg>';
}

// ---------------------------------------------------------------------------------------------------------------
// Heat map

export interface HeatmapOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** z[t][bin]: column t (x, e.g. time) and row bin (y, drawn bottom-up). */
  z: ArrayLike<number>[];
  /** x of the left edge of the first column and the right edge of the last one. */
  x0: number;
  x1: number;
  /** y of the bottom edge of bin 0 and the top edge of the last bin (e.g. 0 and Q). */
  y0: number;
  y1: number;
  colorScale?: ColorScale;
  /** Colour by log10(z); values below max·10^-logDecades share the lowest colour. */
  logScale?: boolean;
  logDecades?: number;
  /** Fixed colour range (in z units); defaults to the data's range. */
  zRange?: [number, number];
  /** Label of the colour bar. */
  zLabel?: string;
  /** Lines drawn over the image, in x/y units (e.g. the true bin of each sample). */
  overlay?: { name: string; x: ArrayLike<number>; y: ArrayLike<number>; color?: string }[];
  width?: number;
  height?: number;
  /** Larger inputs are averaged down to at most this many image columns/rows (keeps the HTML small). */
  maxColumns?: number;
  maxRows?: number;
}

/** Average z down to at most maxCols × maxRows cells; NaN cells are ignored in the averages. */
function resample(z: ArrayLike<number>[], maxCols: number, maxRows: number): { cols: number; rows: number; v: Float64Array } {
  const T = z.length;
  let B = 0;
  for (const row of z) B = Math.max(B, row.length);
  const cols = Math.min(T, maxCols);
  const rows = Math.min(B, maxRows);
  const v = new Float64Array(cols * rows);
  for (let c = 0; c < cols; c++) {
    const t0 = Math.floor((c * T) / cols);
    const t1 = Math.max(t0 + 1, Math.floor(((c + 1) * T) / cols));
    for (let b = 0; b < rows; b++) {
      const b0 = Math.floor((b * B) / rows);
      const b1 = Math.max(b0 + 1, Math.floor(((b + 1) * B) / rows));
      let sum = 0;
      let count = 0;
      for (let t = t0; t < t1; t++) {
        const zr = z[t];
        for (let k = b0; k < b1 && k < zr.length; k++) {
          const val = zr[k];
          if (val - val === 0) {
            // finite (NaN - NaN and Inf - Inf are NaN)
            sum += val;
            count++;
          }
        }
      }
      v[c * rows + b] = count ? sum / count : NaN;
    }
  }
  return { cols, rows, v };
}

export function heatmap(opts: HeatmapOptions): string {
  const width = opts.width ?? 760;
  const height = opts.height ?? 360;
  const { cols, rows, v } = resample(opts.z, opts.maxColumns ?? 1200, opts.maxRows ?? 1024);
  const log = !!opts.logScale;

  // Colour range.
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const val = v[i];
    if (!Number.isFinite(val) || (log && val <= 0)) continue;
    if (val < lo) lo = val;
    if (val > hi) hi = val;
  }
  if (opts.zRange) [lo, hi] = opts.zRange;
  if (!(hi >= lo)) [lo, hi] = log ? [1e-6, 1] : [0, 1];
  if (log) {
    lo = Math.max(lo, hi * Math.pow(10, -(opts.logDecades ?? 5)));
    if (!(lo > 0)) lo = 1e-12;
  }
  if (hi === lo) hi = log ? lo * 10 : lo + 1;
  const logSpan = Math.log(hi / lo);
  const t = (val: number) => (log ? Math.log(val / lo) / logSpan : (val - lo) / (hi - lo));

  // The image: row 0 at the top is the highest bin.
  const lut = colorLut(opts.colorScale ?? 'viridis');
  const img = new Uint8Array(Math.max(1, cols) * Math.max(1, rows) * 3);
  for (let c = 0; c < cols; c++) {
    for (let b = 0; b < rows; b++) {
      const val = v[c * rows + b];
      const o = ((rows - 1 - b) * cols + c) * 3;
      if (Number.isNaN(val)) {
        img[o] = img[o + 1] = img[o + 2] = 200;
        continue;
      }
      const f = log && !(val > 0) ? 0 : t(val);
      const k = f > 0 ? (f < 1 ? (255 * f + 0.5) | 0 : 255) : 0;
      img[o] = lut[k * 3];
      img[o + 1] = lut[k * 3 + 1];
      img[o + 2] = lut[k * 3 + 2];
    }
  }
  const empty = cols === 0 || rows === 0;
  const uri = empty ? '' : pngDataUri({ width: cols, height: rows, channels: 3, data: img });

  // Axes: x/y values are edges of the image.
  const xs = makeScale(opts.x0, opts.x1, { fixed: true });
  const ys = makeScale(opts.y0, opts.y1, { fixed: true, target: 5 });
  if (opts.y0 === 0 && opts.y1 >= 8 && Number.isInteger(Math.log2(opts.y1))) {
    // A bin axis over Q = 2^k bins: ticks at quarters of Q (0, 64, 128, 192, 256) read better than 50s.
    ys.ticks = [0, 1, 2, 3, 4].map((k) => (opts.y1 * k) / 4);
    ys.labels = ys.ticks.map(String);
  }
  const cs = log
    ? makeScale(lo, hi, { log: true, fixed: true })
    : makeScale(lo, hi, { fixed: true, target: 5 });
  if (log) {
    // Colour-bar labels in powers of ten read better than powers of two for probabilities.
    cs.ticks = logTicks(lo * (1 - 1e-9), hi * (1 + 1e-9), 10, 6);
    cs.labels = cs.ticks.map((tk) => formatLogTick(tk, 10));
  }
  const left = leftMargin(ys, !!opts.yLabel);
  const barLabelW = Math.max(0, ...cs.labels.map((l) => textWidth(l, 11.5)));
  const right = Math.ceil(14 + 12 + 6 + barLabelW + (opts.zLabel ? 22 : 6));
  const named = (opts.overlay ?? []).map((o, i) => ({ ...o, color: o.color ?? (i === 0 ? '#ff5a5f' : seriesColor(i + 1)) }));
  const { legend, box } = frame(
    named.filter((o) => o.name).map((o) => ({ name: o.name, color: o.color, kind: 'line' as const })),
    left, right, width, height, !!opts.title, !!opts.xLabel,
  );

  const parts: string[] = [];
  parts.push(
    empty
      ? `<rect x="${r(box.left)}" y="${r(box.top)}" width="${r(box.width)}" height="${r(box.height)}" fill="#f3f4f6"/>`
      : `<image class="bw-heat" x="${r(box.left)}" y="${r(box.top)}" width="${r(box.width)}" height="${r(box.height)}" ` +
          `preserveAspectRatio="none" style="image-rendering:pixelated" href="${uri}"/>`,
  );
  parts.push(axesSvg(xs, ys, box, opts.xLabel, opts.yLabel, { xGrid: false, yGrid: false }));

  // Overlays.
  const clip = '__CLIP__';
  const lines: string[] = [];
  for (const o of named) {
    const d: string[] = [];
    let pen = false;
    const n = Math.min(o.x.length, o.y.length);
    for (let i = 0; i < n; i++) {
      const x = o.x[i];
      const y = o.y[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      const X = box.left + frac(xs, x) * box.width;
      const Y = box.top + box.height - frac(ys, y) * box.height;
      d.push(`${pen ? 'L' : 'M'}${r(X)} ${r(Y)}`);
      pen = true;
    }
    if (d.length) {
      lines.push(`<path class="bw-overlay" d="${d.join('')}" fill="none" stroke="${escapeXml(o.color)}" stroke-width="1.5" stroke-linejoin="round"/>`);
    }
  }
  if (lines.length) {
    parts.push(
      `<clipPath id="${clip}"><rect x="${r(box.left)}" y="${r(box.top)}" width="${r(box.width)}" height="${r(box.height)}"/></clipPath>` +
        `<g clip-path="url(#${clip})">${lines.join('')}</g>`,
    );
  }

  // Colour bar: a 1×256 PNG of the look-up table, top = high.
  const bx = box.left + box.width + 14;
  const bw = 12;
  const bar = new Uint8Array(256 * 3);
  for (let k = 0; k < 256; k++) bar.set(lut.subarray((255 - k) * 3, (255 - k) * 3 + 3), k * 3);
  parts.push(
    `<image class="bw-colorbar" x="${r(bx)}" y="${r(box.top)}" width="${bw}" height="${r(box.height)}" ` +
      `preserveAspectRatio="none" href="${pngDataUri({ width: 1, height: 256, channels: 3, data: bar })}"/>`,
  );
  parts.push(`<rect x="${r(bx)}" y="${r(box.top)}" width="${bw}" height="${r(box.height)}" fill="none" stroke="${AXIS}"/>`);
  const barTicks: string[] = [];
  const barMarks: string[] = [];
  cs.ticks.forEach((tk, i) => {
    const y = box.top + box.height - Math.min(1, Math.max(0, t(tk))) * box.height;
    barMarks.push(`M${r(bx + bw)} ${r(y)}h4`);
    barTicks.push(`<text x="${r(bx + bw + 7)}" y="${r(y + 4)}">${escapeXml(cs.labels[i])}</text>`);
  });
  parts.push(`<path d="${barMarks.join('')}" stroke="${AXIS}" fill="none"/>`);
  parts.push(`<g class="bw-ticks" fill="${MUTED}" font-size="11.5">${barTicks.join('')}</g>`);
  if (opts.zLabel) {
    parts.push(
      `<text transform="translate(${r(width - 10)} ${r(box.top + box.height / 2)}) rotate(-90)" text-anchor="middle" ` +
        `font-size="12.5">${escapeXml(opts.zLabel)}</text>`,
    );
  }
  parts.push(titleSvg(opts.title, left));
  parts.push(legend.svg);
  const content = parts.join('');
  const id = `bw-clip-${hashId(opts.title + content)}`;
  return svgOpen(width, height, opts.title) + content.split(clip).join(id) + '</svg>';
}

// ---------------------------------------------------------------------------------------------------------------
// Waveform

export interface WaveformOptions {
  samples: ArrayLike<number>;
  sampleRate: number;
  title: string;
  width?: number;
  height?: number;
  color?: string;
  /** Amplitude range; defaults to [-1, 1], widened to nice values if the signal exceeds it. */
  yRange?: [number, number];
  xLabel?: string;
  yLabel?: string;
}

/** A waveform as its min/max envelope per pixel column (one filled path, whatever the length). */
export function waveform(opts: WaveformOptions): string {
  const width = opts.width ?? 760;
  const height = opts.height ?? 200;
  const xLabel = opts.xLabel ?? 'time (s)';
  const yLabel = opts.yLabel ?? 'amplitude';
  const samples = opts.samples;
  const n = samples.length;
  const sr = opts.sampleRate > 0 ? opts.sampleRate : 1;
  const duration = n / sr;
  let peakAbs = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(samples[i])) peakAbs = Math.max(peakAbs, Math.abs(samples[i]));
  const [ylo, yhi] = opts.yRange ?? (peakAbs > 1 ? niceDomain(-peakAbs, peakAbs, 4) : [-1, 1]);
  const xs = makeScale(0, duration > 0 ? duration : 1, { fixed: true });
  const ys = makeScale(ylo, yhi, { fixed: true, target: 4 });
  const left = leftMargin(ys, !!yLabel);
  const right = 16;
  const top = opts.title ? 36 : 10;
  const bottom = xLabel ? 48 : 30;
  const box: Box = { left, top, width: Math.max(10, width - left - right), height: Math.max(10, height - top - bottom) };
  const color = opts.color ?? seriesColor(0);
  const py = (v: number) => box.top + box.height - ((Math.min(yhi, Math.max(ylo, v)) - ylo) / (yhi - ylo)) * box.height;
  const cols = Math.max(1, Math.floor(box.width));
  let d = '';
  if (n > 0 && n <= cols * 2) {
    // Few samples: draw them as a line.
    const pts: string[] = [];
    for (let i = 0; i < n; i++) {
      const v = Number.isFinite(samples[i]) ? samples[i] : 0;
      const x = box.left + (n === 1 ? 0.5 : i / (n - 1)) * box.width;
      pts.push(`${i ? 'L' : 'M'}${r(x)} ${r(py(v))}`);
    }
    d = `<path class="bw-wave" d="${pts.join('')}" fill="none" stroke="${escapeXml(color)}" stroke-width="1.25"/>`;
  } else if (n > 0) {
    const upper: string[] = [];
    const lower: string[] = [];
    for (let c = 0; c < cols; c++) {
      const i0 = Math.floor((c * n) / cols);
      const i1 = Math.max(i0 + 1, Math.floor(((c + 1) * n) / cols));
      let mn = Infinity;
      let mx = -Infinity;
      for (let i = i0; i < i1; i++) {
        const v = samples[i];
        if (v - v !== 0) continue; // not finite
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      if (mn > mx) mn = mx = 0;
      const x = box.left + c + 0.5;
      upper.push(`${c ? 'L' : 'M'}${r(x)} ${r(py(mx))}`);
      lower.push(`L${r(x)} ${r(py(mn))}`);
    }
    d =
      `<path class="bw-wave" d="${upper.join('')}${lower.reverse().join('')}Z" fill="${escapeXml(color)}" ` +
      `fill-opacity="0.85" stroke="${escapeXml(color)}" stroke-width="0.75" stroke-linejoin="round"/>`;
  }
  const zero = ylo < 0 && yhi > 0 ? `<path d="M${r(box.left)} ${r(py(0))}h${r(box.width)}" stroke="${AXIS}" stroke-width="0.75"/>` : '';
  return (
    svgOpen(width, height, opts.title) +
    axesSvg(xs, ys, box, xLabel, yLabel) +
    zero +
    d +
    (n === 0
      ? `<text x="${r(box.left + box.width / 2)}" y="${r(box.top + box.height / 2)}" text-anchor="middle" fill="${MUTED}">no samples</text>`
      : '') +
    titleSvg(opts.title, left) +
    '</svg>'
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Bar chart

export interface BarChartOptions {
  title: string;
  xLabel?: string;
  yLabel: string;
  /** One group of bars per category (e.g. one per Q). */
  categories: string[];
  /** One bar per series in each group; values[i] belongs to categories[i]; non-finite values draw no bar. */
  series: { name: string; values: ArrayLike<number>; color?: string }[];
  width?: number;
  height?: number;
  yRange?: [number, number];
}

/** Grouped vertical bars from zero (e.g. bits/sample per configuration). */
export function barChart(opts: BarChartOptions): string {
  const width = opts.width ?? 760;
  const height = opts.height ?? 320;
  const series = opts.series.map((s, i) => ({ ...s, color: s.color ?? seriesColor(i) }));
  let lo = 0;
  let hi = 0;
  for (const s of series) {
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (hi === lo) hi = lo + 1;
  const ys = opts.yRange
    ? makeScale(opts.yRange[0], opts.yRange[1], { fixed: true, target: 5 })
    : makeScale(lo, hi, { nice: true, target: 5 });
  const left = leftMargin(ys, !!opts.yLabel);
  const right = 16;
  const { legend, box } = frame(
    series.length > 1 ? series.map((s) => ({ name: s.name, color: s.color, kind: 'box' as const })) : [],
    left, right, width, height, !!opts.title, !!opts.xLabel,
  );
  const py = (v: number) => box.top + box.height - frac(ys, Math.min(ys.hi, Math.max(ys.lo, v))) * box.height;

  // A category axis: no x ticks from the scale, labels under each group instead.
  const xs: Scale = { lo: 0, hi: 1, log: false, ticks: [], labels: [] };
  const parts: string[] = [axesSvg(xs, ys, box, opts.xLabel ?? '', opts.yLabel)];
  const nCat = Math.max(1, opts.categories.length);
  const groupW = box.width / nCat;
  const barW = Math.max(1, Math.min(48, (groupW * 0.75) / Math.max(1, series.length)));
  const bars: string[] = [];
  const labels: string[] = [];
  const maxChars = Math.max(3, Math.floor(groupW / (11.5 * 0.58)));
  opts.categories.forEach((cat, c) => {
    const gx = box.left + groupW * (c + 0.5);
    const label = cat.length > maxChars ? `${cat.slice(0, maxChars - 1)}…` : cat;
    labels.push(`<text x="${r(gx)}" y="${r(box.top + box.height + 18)}" text-anchor="middle">${escapeXml(label)}</text>`);
    series.forEach((s, k) => {
      const v = s.values[c];
      if (!Number.isFinite(v)) return;
      const x = gx - (barW * series.length) / 2 + k * barW;
      const ya = py(Math.max(0, v));
      const yb = py(Math.min(0, v));
      bars.push(
        `<rect x="${r(x + 1)}" y="${r(ya)}" width="${r(Math.max(1, barW - 2))}" height="${r(Math.max(0.5, yb - ya))}" ` +
          `fill="${escapeXml(s.color)}" rx="1.5"><title>${escapeXml(`${s.name} · ${cat}: ${v}`)}</title></rect>`,
      );
    });
  });
  parts.push(`<g class="bw-bars">${bars.join('')}</g>`);
  parts.push(`<g class="bw-ticks" fill="${MUTED}" font-size="11.5">${labels.join('')}</g>`);
  parts.push(titleSvg(opts.title, left));
  parts.push(legend.svg);
  return svgOpen(width, height, opts.title) + parts.join('') + '</svg>';
}
