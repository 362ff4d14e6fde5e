/**
 * A tiny self-contained SVG plotter: line/scatter plots with several series, and heat maps. Axes with ticks and
 * labels, a legend, no dependencies. Output is a complete standalone `<svg>` document string.
 */

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  kind: 'line' | 'points';
  color?: string;
  /** Dash pattern for lines, e.g. '4 3'. */
  dash?: string;
  /** Point radius (points) or stroke width (lines). */
  size?: number;
  opacity?: number;
}

export interface LinePlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
  /** Axis ranges; default: the data's extent. */
  xRange?: [number, number];
  yRange?: [number, number];
  /** Legend corner (default top-left) or 'none'. */
  legend?: LegendPosition;
}

export type LegendPosition = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right' | 'none';

export interface HeatmapOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** z[i][j]: column i (x), row j (y, from y0 upwards). */
  z: ArrayLike<number>[];
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  width?: number;
  height?: number;
  /** Series drawn over the map (e.g. data points or true branches). */
  overlay?: Series[];
  /** Colour scale maximum; default max(z). */
  zMax?: number;
  /** Legend corner for the overlay series (default top-left) or 'none'. */
  legend?: LegendPosition;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const M = { left: 60, right: 24, top: 36, bottom: 48 };

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 100) / 100) : '0';
}

/** About `count` "nice" tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  }
  return ticks;
}

function extent(series: Series[], key: 'x' | 'y'): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    const a = s[key];
    for (let i = 0; i < a.length; i++) {
      if (Number.isFinite(a[i])) {
        lo = Math.min(lo, a[i]);
        hi = Math.max(hi, a[i]);
      }
    }
  }
  if (!(hi >= lo)) return [0, 1];
  if (hi === lo) return [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.03;
  return [lo - pad, hi + pad];
}

interface Frame {
  sx: (v: number) => number;
  sy: (v: number) => number;
  parts: string[];
  pw: number;
  ph: number;
}

function frame(w: number, h: number, title: string, xLabel: string, yLabel: string,
  xr: [number, number], yr: [number, number]): Frame {
  const pw = w - M.left - M.right;
  const ph = h - M.top - M.bottom;
  const sx = (v: number) => M.left + ((v - xr[0]) / (xr[1] - xr[0])) * pw;
  const sy = (v: number) => M.top + ph - ((v - yr[0]) / (yr[1] - yr[0])) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="11">`,
    `<rect x="0" y="0" width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    `<text x="${M.left + pw / 2}" y="${h - 10}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text x="14" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 14 ${M.top + ph / 2})">${escapeXml(yLabel)}</text>`,
  ];
  return { sx, sy, parts, pw, ph };
}

function axes(f: Frame, xr: [number, number], yr: [number, number]): string[] {
  const out: string[] = [];
  const x0 = M.left;
  const y0 = M.top + f.ph;
  out.push(`<g class="axes" stroke="black" fill="none"><rect x="${x0}" y="${M.top}" width="${f.pw}" height="${f.ph}"/></g>`);
  const ticks: string[] = [];
  for (const t of niceTicks(xr[0], xr[1])) {
    const x = fmt(f.sx(t));
    ticks.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + 5}" stroke="black"/>`);
    ticks.push(`<text x="${x}" y="${y0 + 17}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(yr[0], yr[1])) {
    const y = fmt(f.sy(t));
    ticks.push(`<line x1="${x0 - 5}" y1="${y}" x2="${x0}" y2="${y}" stroke="black"/>`);
    ticks.push(`<text x="${x0 - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`);
  }
  out.push(`<g class="ticks">${ticks.join('')}</g>`);
  return out;
}

function drawSeries(f: Frame, series: Series[]): string[] {
  const out: string[] = [];
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const n = Math.min(s.x.length, s.y.length);
    if (s.kind === 'line') {
      let d = '';
      let pen = false;
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(s.x[i]) || !Number.isFinite(s.y[i])) {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${fmt(f.sx(s.x[i]))} ${fmt(f.sy(s.y[i]))}`;
        pen = true;
      }
      const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
      out.push(`<path class="series" data-name="${escapeXml(s.name)}" d="${d}" fill="none" stroke="${color}" stroke-width="${s.size ?? 2}"${dash} opacity="${s.opacity ?? 1}"/>`);
    } else {
      // Points as one path of tiny circles (two arcs each): compact and still a single element.
      const r = s.size ?? 1.8;
      let d = '';
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(s.x[i]) || !Number.isFinite(s.y[i])) continue;
        const cx = f.sx(s.x[i]);
        const cy = f.sy(s.y[i]);
        d += `M${fmt(cx - r)} ${fmt(cy)}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
      }
      out.push(`<path class="series" data-name="${escapeXml(s.name)}" d="${d}" fill="${color}" stroke="none" opacity="${s.opacity ?? 0.5}"/>`);
    }
  });
  return out;
}

/** Legend of the named series (a series with an empty name is left out, e.g. the second line of a band). */
function legend(f: Frame, all: Series[], where: LegendPosition = 'top-left'): string {
  if (where === 'none') return '';
  const series = all.map((s, k) => ({ ...s, color: s.color ?? PALETTE[k % PALETTE.length] })).filter((s) => s.name.trim() !== '');
  if (series.length === 0) return '';
  const h = series.length * 15 + 8;
  const w = 20 + 24 + Math.max(0, ...series.map((s) => s.name.length)) * 6.5;
  const bx = where.endsWith('right') ? M.left + f.pw - w - 4 : M.left + 4;
  const by = where.startsWith('bottom') ? M.top + f.ph - h - 3 : M.top + 3;
  const items = series.map((s, k) => {
    const color = s.color;
    const y = by + 9 + k * 15;
    const x = bx + 6;
    const mark = s.kind === 'line'
      ? `<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`
      : `<circle cx="${x + 9}" cy="${y}" r="3" fill="${color}"/>`;
    return `${mark}<text x="${x + 24}" y="${y}" dominant-baseline="middle">${escapeXml(s.name)}</text>`;
  });
  return `<g class="legend"><rect x="${fmt(bx)}" y="${fmt(by)}" width="${fmt(w)}" height="${h}" fill="white" opacity="0.85" stroke="#999"/>${items.join('')}</g>`;
}

/** Lines and scatter series on shared axes, with a legend. */
export function linePlot(o: LinePlotOptions): string {
  const w = o.width ?? 640;
  const h = o.height ?? 420;
  const xr = o.xRange ?? extent(o.series, 'x');
  const yr = o.yRange ?? extent(o.series, 'y');
  const f = frame(w, h, o.title, o.xLabel, o.yLabel, xr, yr);
  const clip = `<clipPath id="plot"><rect x="${M.left}" y="${M.top}" width="${f.pw}" height="${f.ph}"/></clipPath>`;
  f.parts.push(`<defs>${clip}</defs>`);
  f.parts.push(`<g clip-path="url(#plot)">${drawSeries(f, o.series).join('')}</g>`);
  f.parts.push(...axes(f, xr, yr));
  f.parts.push(legend(f, o.series, o.legend));
  f.parts.push('</svg>');
  return f.parts.join('\n');
}

/** White-to-dark-blue colour for t in [0, 1]. */
function heatColor(t: number): string {
  const c = Math.max(0, Math.min(1, t));
  const r = Math.round(255 * (1 - c) + 8 * c);
  const g = Math.round(255 * (1 - c) + 48 * c);
  const b = Math.round(255 * (1 - c) + 107 * c);
  return `rgb(${r},${g},${b})`;
}

/** A heat map of z over [x0, x1] × [y0, y1] (cells of equal size), with optional overlay series. */
export function heatmap(o: HeatmapOptions): string {
  const w = o.width ?? 640;
  const h = o.height ?? 420;
  const xr: [number, number] = [o.x0, o.x1];
  const yr: [number, number] = [o.y0, o.y1];
  const f = frame(w, h, o.title, o.xLabel, o.yLabel, xr, yr);
  const nx = o.z.length;
  const ny = nx > 0 ? o.z[0].length : 0;
  let zMax = o.zMax ?? 0;
  if (o.zMax === undefined) for (const col of o.z) for (let j = 0; j < col.length; j++) zMax = Math.max(zMax, col[j]);
  if (!(zMax > 0)) zMax = 1;
  const cw = f.pw / Math.max(nx, 1);
  const ch = f.ph / Math.max(ny, 1);
  const cells: string[] = [];
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      const v = o.z[i][j];
      if (!(v > 0)) continue;
      const x = M.left + i * cw;
      const y = M.top + f.ph - (j + 1) * ch;
      cells.push(`<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(cw + 0.3)}" height="${fmt(ch + 0.3)}" fill="${heatColor(v / zMax)}"/>`);
    }
  }
  f.parts.push(`<g class="cells">${cells.join('')}</g>`);
  if (o.overlay && o.overlay.length > 0) {
    f.parts.push(`<defs><clipPath id="plot"><rect x="${M.left}" y="${M.top}" width="${f.pw}" height="${f.ph}"/></clipPath></defs>`);
    f.parts.push(`<g clip-path="url(#plot)">${drawSeries(f, o.overlay).join('')}</g>`);
  }
  f.parts.push(...axes(f, xr, yr));
  // Colour bar.
  const barX = w - M.right + 5;
  f.parts.push(`<g class="colorbar"><rect x="${barX}" y="${M.top}" width="10" height="${f.ph}" fill="url(#zscale)" stroke="black"/>` +
    `<defs><linearGradient id="zscale" x1="0" y1="1" x2="0" y2="0"><stop offset="0" stop-color="${heatColor(0)}"/><stop offset="1" stop-color="${heatColor(1)}"/></linearGradient></defs>` +
    `<text x="${barX - 3}" y="${M.top + 8}" text-anchor="end">${fmt(zMax)}</text><text x="${barX - 3}" y="${M.top + f.ph - 2}" text-anchor="end">0</text></g>`);
  if (o.overlay && o.overlay.length > 0) f.parts.push(legend(f, o.overlay, o.legend));
  f.parts.push('</svg>');
  return f.parts.join('\n');
}
