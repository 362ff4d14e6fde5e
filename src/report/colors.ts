/** The report palette (categorical) and the sequential colour map of the heat maps. */

/** Categorical colours for series, in order: distinct, colour-blind friendly, readable on white. */
export const PALETTE = [
  '#3b6fd4', // blue
  '#e8a317', // amber
  '#d9534f', // red
  '#2ca58d', // teal
  '#8e5cc9', // purple
  '#7f8c8d', // grey
  '#e377c2', // pink
  '#8c6d31', // brown
] as const;

export function seriesColor(i: number): string {
  return PALETTE[i % PALETTE.length];
}

/** Viridis sampled at 9 evenly spaced points (matplotlib's values), interpolated linearly in between. */
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** Magma, for an alternative. */
const MAGMA: [number, number, number][] = [
  [0, 0, 4],
  [28, 16, 68],
  [79, 18, 123],
  [129, 37, 129],
  [181, 54, 122],
  [229, 80, 100],
  [251, 135, 97],
  [254, 194, 135],
  [252, 253, 191],
];

/** Greys from white (low) to near-black (high), for printing. */
const GREYS: [number, number, number][] = [
  [255, 255, 255],
  [30, 30, 30],
];

export type ColorScale = 'viridis' | 'magma' | 'greys';

/** A 256-entry RGB look-up table for a colour scale. */
export function colorLut(scale: ColorScale = 'viridis'): Uint8Array {
  const stops = scale === 'magma' ? MAGMA : scale === 'greys' ? GREYS : VIRIDIS;
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k][c] * (1 - f) + stops[k + 1][c] * f);
  }
  return lut;
}
